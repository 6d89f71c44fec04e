"""Scenario validation in memory: keys, codes, booleans, and what is never an input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from parley.domain.case import Case, value_to_json
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.evidence import UNKNOWN
from parley.domain.scenario import parse_scenario, scenario_from_case, scenario_to_dict
from parley.knowledge.loader import load_codebook
from tests.analysis.test_similarity import rows


def test_omitted_and_unknown_keys_are_unknown(codebook: Codebook) -> None:
    scenario = parse_scenario({"cohesion": "unknown", "secrecy": "secret"}, codebook)
    assert scenario.value("cohesion") is UNKNOWN
    assert scenario.value("structure") is UNKNOWN
    assert scenario.known() == {"secrecy": "secret"}
    assert scenario.title == "Untitled scenario"


def test_every_problem_is_reported_with_the_allowed_codes(codebook: Codebook) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_scenario({"cohesion": "hgh", "colour": "red", "group_type": ["gang", "gnag"]},
                       codebook, file="s.yaml", locate=lambda p: 2 if p == ("cohesion",) else None)
    text = str(info.value)
    assert "s.yaml:2: field 'cohesion': 'hgh' is not a code of cohesion; allowed: low, medium, " \
        "high, unknown" in text
    assert "field 'colour': unknown key 'colour'" in text
    assert "'gnag' not a code of group_type" in text
    assert len(info.value.problems) == 3


def test_outcomes_are_never_inputs(codebook: Codebook) -> None:
    for var in codebook.coded:
        if var.scenario:
            continue
        with pytest.raises(ValidationFailed, match="is an outcome, not a scenario variable"):
            parse_scenario({var.name: "unknown"}, codebook)


def test_normalised_form_lists_every_variable(codebook: Codebook) -> None:
    data = scenario_to_dict(parse_scenario({"spoilers": "political", "title": " A  b "}, codebook))
    assert data["title"] == "A b"
    assert data["spoilers"] == ["political"]
    assert data["cohesion"] == "unknown"
    assert list(data)[:3] == ["title", "notes", "classification"]
    assert data["classification"] == "public"
    assert list(data)[3:] == [v.name for v in codebook.scenario_variables]


def test_a_case_gives_its_pre_negotiation_values(codebook: Codebook, bundled_cases: list[Case]) -> None:
    case = bundled_cases[0]
    scenario = scenario_from_case(case, codebook)
    assert set(scenario.values) == {v.name for v in codebook.scenario_variables}
    assert "outcome_class" not in scenario.values
    assert parse_scenario(scenario_to_dict(scenario), codebook).values == scenario.values


@settings(max_examples=100, deadline=None)
@given(rows())
def test_normalised_scenario_round_trips(row: dict[str, Any]) -> None:
    codebook = load_codebook()
    scenario = parse_scenario({k: value_to_json(v) for k, v in row.items()}, codebook)
    assert parse_scenario(scenario_to_dict(scenario), codebook) == scenario
    assert parse_scenario(json.loads(json.dumps(scenario_to_dict(scenario))), codebook) == scenario
