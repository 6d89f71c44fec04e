"""Similarity weights as data: every scenario variable weighted, each weight explained."""

from __future__ import annotations

from typing import Any

import pytest

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.knowledge.weights import _raw_weights, load_similarity_weights, weights_from_data


def test_every_scenario_variable_has_a_weight_and_a_reason(codebook: Codebook) -> None:
    weights = load_similarity_weights(codebook)
    assert set(weights.variables) == {v.name for v in codebook.scenario_variables}
    for name, entry in weights.variables.items():
        assert entry.weight >= 0 and entry.reason, name
    assert weights.min_compared >= 1


def _broken(change: dict[str, Any]) -> dict[str, Any]:
    data = {**_raw_weights(), "variables": dict(_raw_weights()["variables"])}
    data["variables"].update(change)
    return data


@pytest.mark.parametrize(("change", "message"), [
    ({"outcome_class": {"weight": 1, "reason": "x"}}, "not scenario variables: outcome_class"),
    ({"cohesion": {"weight": 1}}, "variable 'cohesion': every weight needs a reason"),
    ({"cohesion": {"weight": -1, "reason": "x"}}, "weight must be a number >= 0"),
    ({"start_year": {"weight": 1, "reason": "x"}}, "an integer variable needs a scale"),
    ({"cohesion": {"weight": 1, "reason": "x", "scale": 3}}, "only integer variables take"),
])
def test_broken_weights_fail_at_start(codebook: Codebook, change: dict[str, Any],
                                      message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        weights_from_data(_broken(change), codebook)


def test_a_missing_weight_fails(codebook: Codebook) -> None:
    data = {**_raw_weights(), "variables": dict(_raw_weights()["variables"])}
    del data["variables"]["cohesion"]
    with pytest.raises(ConfigurationError, match="no weight for: cohesion"):
        weights_from_data(data, codebook)
