"""Scenario files on disk: good ones load; each bad one gives its paired, exact error."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.evidence import UNKNOWN
from parley.interchange.scenario_file import parse_scenario_bytes, read_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"
BAD = SCENARIOS / "bad"


@pytest.mark.parametrize("path", sorted(p for p in BAD.iterdir() if p.suffix != ".error"),
                         ids=lambda p: p.name)
def test_bad_scenario_files_give_their_exact_error(path: Path, codebook: Codebook) -> None:
    expected = path.with_name(path.name + ".error").read_text(encoding="utf-8").strip()
    with pytest.raises(ValidationFailed) as info:
        parse_scenario_bytes(path.read_bytes(), f"bad/{path.name}", codebook)
    assert str(info.value).strip() == expected


def test_yaml_booleans_are_yes_and_no(codebook: Codebook) -> None:
    scenario = read_scenario(SCENARIOS / "good" / "yaml-booleans.yaml", codebook)
    assert scenario.value("deterrence_credible") == "yes"
    assert scenario.value("security_dilemma") == "yes"
    assert scenario.value("political_ties") == "no"
    assert scenario.value("group_type") == ("prison-gang",)
    assert scenario.value("cohesion") is UNKNOWN
    assert scenario.notes == ""


def test_json_and_empty_scenarios(codebook: Codebook) -> None:
    national = read_scenario(SCENARIOS / "good" / "national-dialogue.json", codebook)
    assert national.value("groups") == ("Cosa Nostra",)
    assert national.value("start_year") == 2024
    empty = read_scenario(SCENARIOS / "good" / "empty.yaml", codebook)
    assert empty.known() == {}
    assert set(empty.values) == {v.name for v in codebook.scenario_variables}


def test_a_missing_file_is_bad_input(codebook: Codebook, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="cannot read file"):
        read_scenario(tmp_path / "nope.yaml", codebook)
