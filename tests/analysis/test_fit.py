"""The stored outlook fit (analysis/fit.py): JSON that gives back an equal value (so a stored
caveat is a fresh one's), and a settings digest that changes with what the fit depends on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parley.analysis.fit import FORMAT, fit_case_base, fit_from_json, fit_to_json, settings_digest
from parley.analysis.similarity import VariableWeight
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights


def test_a_stored_fit_is_the_fit(bundled_cases: list[Case], codebook: Codebook) -> None:
    weights, settings = load_similarity_weights(codebook), load_outlook_settings(codebook)
    fit = fit_case_base(bundled_cases, codebook, weights, settings)
    back = fit_from_json(fit_to_json(fit))
    assert back == fit
    assert back.caveat == fit.caveat and back.model(settings) == fit.model(settings)
    assert fit_to_json(back) == fit_to_json(fit)


def test_the_digest_follows_the_settings(codebook: Codebook) -> None:
    weights, settings = load_similarity_weights(codebook), load_outlook_settings(codebook)
    digest = settings_digest(codebook, weights, settings)
    assert digest == settings_digest(codebook, load_similarity_weights(codebook),
                                     load_outlook_settings(codebook))
    name = next(iter(weights.variables))
    heavier = replace(weights, variables={**weights.variables, name: VariableWeight(
        weights.variables[name].weight + 1, "test")})
    assert settings_digest(codebook, heavier, settings) != digest
    assert settings_digest(codebook, weights, replace(settings, min_known=settings.min_known + 1)
                           ) != digest


@pytest.mark.parametrize("text", ['{"format": 0}', "[]", '{"evaluation": {}}'])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=f"format {FORMAT}"):
        fit_from_json(text)
