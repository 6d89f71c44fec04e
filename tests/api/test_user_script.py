"""The library as a user's program uses it: a fresh interpreter, `import parley.api`, no
fixtures, nothing set up but the installed package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json
import parley.api as p

with p.open_case_base() as cases:
    rows = cases.list_cases("region = caribbean")
    brief = cases.assess({"group_type": ["gang"], "cohesion": "high", "secrecy": "secret"})
    pdf = cases.render(brief, "pdf", path="brief.pdf")
    out = {
        "version": p.__version__,
        "ids": [r.id for r in rows],
        "csv_rows": len(cases.to_csv("region = caribbean", path="c.csv").splitlines()) - 1,
        "verdict": brief.summary.verdict,
        "brief": p.to_dict(brief)["summary"]["verdict"],
        "pdf": pdf[:4].decode(),
        "qca": sorted(cases.qca(["MED", "GOV"], "LASTING").result["solutions"]),
    }
print(json.dumps(out))
"""


def test_a_script_uses_the_library(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a notebook gets no notices, warnings or progress output
    out = json.loads(done.stdout)
    assert out["version"].count(".") == 2
    assert len(out["ids"]) >= 3 and all(isinstance(i, str) for i in out["ids"])
    assert out["csv_rows"] == len(out["ids"])
    assert out["verdict"] in ("talk-now", "prepare-first", "wait")
    assert out["brief"] == out["verdict"]
    assert out["pdf"] == "%PDF" and (tmp_path / "brief.pdf").stat().st_size > 1000
    assert out["qca"] == ["conservative"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf", "c.csv"]  # nothing else


def test_a_script_gets_a_clear_error(tmp_path: Path) -> None:
    script = ("import parley.api as p\n"
              "try:\n    p.open_case_base('sqlite:///nowhere.db')\n"
              "except p.NotFound as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == ("no database file nowhere.db: create one with "
                                   "PARLEY_DATABASE_URL=sqlite:///nowhere.db parley db upgrade")
    assert list(tmp_path.iterdir()) == []
