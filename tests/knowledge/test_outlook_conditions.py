"""The outlook's conditions as data: scenario variables only, each cited verbatim from the paper."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.domain.scenario import parse_scenario
from parley.domain.source import SourceText
from parley.knowledge.outlook_conditions import _raw, load_outlook_settings, settings_from_data

# The paper's conditions for durable results that issue 10 names, one entry each.
PAPER_CONDITIONS = {"deterrence", "deliverable_incentives", "cohesion", "government_involvement",
                    "monitoring_and_disputes", "spoilers_addressed"}


def test_bundled_conditions_cite_the_paper_verbatim(codebook: Codebook,
                                                    sources: dict[str, SourceText]) -> None:
    settings = load_outlook_settings(codebook, sources)
    assert {c.name for c in settings.conditions} == PAPER_CONDITIONS
    for cond in settings.conditions:
        assert cond.citations and cond.label and cond.why
        for c in cond.citations:
            assert sources[c.source].problem(c) is None, (cond.name, c.quote)
    assert settings.min_known == 5 and 0 < settings.min_similarity < 1 and settings.prior_sd > 0


def test_codes_are_plus_minus_or_zero(codebook: Codebook) -> None:
    by_name = {c.name: c for c in load_outlook_settings(codebook).conditions}
    cohesion = by_name["cohesion"]
    assert cohesion.code(parse_scenario({"cohesion": "high"}, codebook).values) == 1.0
    assert cohesion.code(parse_scenario({"cohesion": "low"}, codebook).values) == -1.0
    assert cohesion.code(parse_scenario({"cohesion": "medium"}, codebook).values) == 0.0
    assert cohesion.code(parse_scenario({}, codebook).values) == 0.0  # unknown is neither
    # present and absent at once (high cohesion, fragmented structure): contradictory, so 0
    both = parse_scenario({"cohesion": "high", "structure": "fragmented"}, codebook)
    assert cohesion.code(both.values) == 0.0
    spoilers = by_name["spoilers_addressed"]
    assert spoilers.code(parse_scenario({"security_dilemma": "yes"}, codebook).values) == -1.0
    assert spoilers.code(parse_scenario({"security_dilemma": "yes", "security_measures": "yes"},
                                        codebook).values) == 1.0


def _broken(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(_raw())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "message"), [
    (("conditions", "cohesion", "present_when"), "outcome_class = transformation",
     r"outlook-conditions.yaml: condition 'cohesion': present_when: .*outcome_class"),
    (("conditions", "cohesion", "absent_when"), "cohesion = hgh",
     r"condition 'cohesion': absent_when: .*hgh"),
    (("conditions", "cohesion", "why"), None,
     "condition 'cohesion': missing or unknown key.s. why"),
    (("conditions", "cohesion", "citations"), [{"section": "Conclusion and Recommendations",
                                                "quote": "cohesion always wins"}],
     r"condition 'cohesion': citations\[0\]: quote"),
    (("min_similarity",), 1.5, "'min_similarity' must be a number from 0 to 1, not 1.5"),
    (("min_known",), "five", "'min_known' must be a whole number"),
    (("prior_sd",), 0, "'prior_sd' must be a number"),
    (("weights",), {}, "unknown key.s. weights; allowed: version, min_known"),
])
def test_broken_conditions_fail_naming_file_condition_and_key(
        codebook: Codebook, sources: dict[str, SourceText], path: tuple[str, ...], value: Any,
        message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        settings_from_data(_broken(path, value), codebook, sources=sources)
