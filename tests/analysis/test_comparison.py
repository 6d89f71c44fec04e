"""Cross-tabulation and crisp sets over cases: unknown is never silently a 0."""

from __future__ import annotations

import pytest

from parley.analysis.comparison import SetDefinition, crisp_table, cross_tabulate, membership
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import InvalidInput, ValidationFailed
from parley.domain.evidence import Unknown, Value
from parley.domain.query import parse
from parley.knowledge.qca_mapping import load_default_mapping, mapping_from_data


def _codes(value: Value | Unknown) -> tuple[str, ...]:
    """The codes of a list variable's value (none when unknown)."""
    return value if isinstance(value, tuple) else ()


def test_crosstab_counts_every_code_of_list_variables(bundled_cases: list[Case],
                                                      codebook: Codebook) -> None:
    tab = cross_tabulate(bundled_cases, codebook, "initiator", "region")
    with_religious = [c for c in bundled_cases
                      if "religious-leader" in _codes(c.value("initiator"))]
    assert tab.row_total("religious-leader") == len(with_religious)
    assert tab.col_codes[-1] == "unknown"
    with pytest.raises(InvalidInput, match="not a variable with codes"):
        cross_tabulate(bundled_cases, codebook, "start_year", "region")


def test_membership_is_unknown_when_a_variable_is(bundled_cases: list[Case],
                                                  codebook: Codebook) -> None:
    italy = next(c for c in bundled_cases if c.id == "italy-trattativa-stato-mafia")
    d = SetDefinition("STR", "strong", parse("state_capacity = strong", codebook),
                      "state_capacity = strong")
    assert italy.values["state_capacity"].is_unknown
    assert membership(d, italy) is None


def test_crisp_table_excludes_or_imputes_explicitly(bundled_cases: list[Case],
                                                    codebook: Codebook) -> None:
    m = load_default_mapping(codebook)
    excluded = crisp_table(bundled_cases, [m.conditions["MED"]], m.outcomes["LASTING"])
    absent = crisp_table(bundled_cases, [m.conditions["MED"]], m.outcomes["LASTING"],
                         unknown_as_absent=True)
    assert len(excluded.case_ids) + len(excluded.excluded) == len(bundled_cases)
    assert len(absent.case_ids) == len(bundled_cases) and absent.excluded == ()
    assert absent.unknown == excluded.unknown  # reported either way


def test_user_mapping_is_validated(codebook: Codebook) -> None:
    with pytest.raises(ValidationFailed, match="'sky' is not a code of cohesion"):
        mapping_from_data({"conditions": {"COH": {"present_when": "cohesion = sky"}},
                           "outcomes": {"OUT": {"present_when": "agreement_reached = yes"}}},
                          codebook, "mine.yaml")
    with pytest.raises(ValidationFailed, match="must be an UPPERCASE identifier"):
        mapping_from_data({"conditions": {"coh": {"present_when": "cohesion = high"}},
                           "outcomes": {"OUT": {"present_when": "agreement_reached = yes"}}},
                          codebook, "mine.yaml")
