"""The import contracts of pyproject.toml fail on a planted bypass, and pass without one.

Each case copies the package, plants one import the architecture forbids, and runs the real
`lint-imports` on the copy: the contract that states the rule must be the one that breaks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))
FRONT_ENDS = "Front ends go through the services"
DOMAIN = "The domain imports only the standard library"
ANALYSIS = "Analysis imports only the standard library"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINT, "--no-cache"], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin",
                               "COLUMNS": "1000"},
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("contracts")
    shutil.copytree(ROOT / "src" / "parley", tree / "src" / "parley",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "import_contracts.py", tree / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tree)
    return tree


def test_the_copy_keeps_every_contract(pristine: Path) -> None:
    done = _lint(pristine)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("module", "planted", "contract"), [
    ("web/pages/cases.py", "from parley.storage.database import Database", FRONT_ENDS),
    ("cli/cases.py", "from parley.knowledge.loader import load_codebook", FRONT_ENDS),
    ("web/api/workspaces.py", "from parley.analysis.its import fit_its", FRONT_ENDS),
    ("cli/users.py", "from parley.config import Settings", FRONT_ENDS),
    ("domain/case.py", "import cryptography", DOMAIN),
    ("domain/workspace.py", "from parley.config import Settings", DOMAIN),
    ("domain/codebook.py", "import numpy", DOMAIN),
    ("analysis/similarity.py", "import yaml", ANALYSIS),
    ("analysis/outlook.py", "from parley.services.ports import VaultTx", ANALYSIS),
])
def test_a_planted_bypass_breaks_its_contract(pristine: Path, tmp_path: Path, module: str,
                                             planted: str, contract: str) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    target = tree / "src" / "parley" / module
    text = target.read_text(encoding="utf-8")
    head, _, rest = text.partition("from __future__ import annotations\n")
    target.write_text(f"{head}from __future__ import annotations\n{planted}  # noqa\n{rest}",
                      encoding="utf-8")
    done = _lint(tree)
    assert done.returncode != 0
    broken = [line for line in done.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), done.stdout
