"""Every example of docs/library.md runs, in order, as the walkthrough shows it."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from tests.api.conftest import make_case_base
from tests.api.test_public_surface import DOC


def test_every_code_block_is_a_runnable_example() -> None:
    """No example on the page escapes the test: each block holds `>>>` examples only."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 8
    for language, body in blocks:
        assert language == "pycon", f"a ```{language} block is not run by the tests"
        assert body.lstrip().startswith(">>> ")


def test_the_walkthrough_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In an empty folder holding only `parley.db`, as docs/library.md says."""
    make_case_base(f"sqlite:///{tmp_path / 'parley.db'}", tmp_path / "keys", private=False)
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS,
                              report=True)
    assert result.failed == 0
    assert result.attempted >= 50
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "caribbean.csv").read_text(encoding="utf-8").startswith("id,title,")
