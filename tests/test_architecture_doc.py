"""docs/architecture.md's generated part (packages, modules, contracts) matches the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_architecture_map_is_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "architecture_doc.py"),
                           "--check"], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
