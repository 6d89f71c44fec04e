"""The codebook as data: complete against the spec's codebook, validated at start-up, documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.knowledge.loader import codebook_from_data

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "data" / "spec" / "codebook.md"
"""The project's codebook contract (spec/codebook.md), committed verbatim so the check needs
nothing beside the clone; refresh it by copying the spec when the spec changes."""


def _spec() -> str:
    return SPEC.read_text(encoding="utf-8")


def test_every_spec_variable_and_code_is_in_the_codebook(codebook: Codebook) -> None:
    spec = _spec()
    checked: set[str] = set()
    for line in spec.splitlines():
        m = re.match(r"\|\s*([a-z_, ]+?)(?: \(list\))?\s*\|\s*(.+?)\s*\|\s*$", line)
        if not m or m.group(1) in ("variable",):
            continue
        names = [n.strip() for n in m.group(1).split(",")]
        cells = m.group(2).split("|")[-1]
        for name in names:
            checked.add(name)
            assert name in codebook, f"spec variable '{name}' missing from codebook.yaml"
            var = codebook[name]
            if var.type.has_codes:
                for code in re.findall(r"(?:^|, )([a-z0-9][a-z0-9-]*)", cells):
                    assert code in var.codes, f"{name}: spec code '{code}' missing"
    assert len(checked) >= 50, f"only {len(checked)} spec variables read: has {SPEC} changed shape?"


def test_every_code_and_variable_has_a_definition(codebook: Codebook) -> None:
    for var in codebook:
        assert var.definition
        assert all(var.codes.values())


@pytest.mark.parametrize(("data", "message"), [
    ({"groups": [{"name": "G", "variables": [{"name": "x", "type": "colour"}]}]},
     "type 'colour' is not one of"),
    ({"groups": [{"name": "G", "variables": [{"name": "x", "type": "code", "definition": "d"}]}]},
     "variable 'x' has no codes"),
    ({"groups": "nope"}, "expected a mapping with a list of groups"),
])
def test_a_broken_codebook_fails_at_start(data: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        codebook_from_data(data)
