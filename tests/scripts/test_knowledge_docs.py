"""scripts/knowledge_docs.py: the generated codebook and guideline docs match the data."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import load_codebook, load_sources

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "knowledge_docs.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("knowledge_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_do_not_drift() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_check_names_a_stale_file(tmp_path: Path) -> None:
    module = _script()
    setattr(module, "DOCS", tmp_path)  # noqa: B010 - a loaded script's global
    (tmp_path / "codebook.md").write_text("old\n", encoding="utf-8")
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0 and module.main(["--check"]) == 0


def test_guidelines_doc_maps_every_section_of_the_paper() -> None:
    text = _script().generators()["guidelines.md"]()
    for section in load_sources()["ifit-2021"].sections:
        assert f"| {section} |" in text
    for g in load_guidelines(load_codebook()):
        assert f"`{g.id}`" in text
