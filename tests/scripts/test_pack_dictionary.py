"""scripts/pack_dictionary.py: a new dictionary goes beside the old ones, never over them
(stored documents name theirs by Adler-32: an edited file would leave them unreadable)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pack_dictionary",
                                                  ROOT / "scripts" / "pack_dictionary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_new_dictionary_never_replaces_one(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    storage = tmp_path / "src" / "parley" / "storage"
    storage.mkdir(parents=True)
    (storage / "pack-dictionary-1.txt").write_bytes(b"old")
    monkeypatch.setattr(script, "STORAGE", storage)
    assert script.main() == 0
    assert (storage / "pack-dictionary-1.txt").read_bytes() == b"old"
    written = (storage / "pack-dictionary-2.txt").read_bytes()
    assert b'"outcome_class": {"value": ' in written and b'"lasting-reduction"' in written
