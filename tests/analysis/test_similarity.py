"""Similarity: symmetry, bounds, unknown never a match, and the fast index agreeing with it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.analysis.similarity import CaseIndex, SimilarityWeights, compare
from parley.domain.codebook import Codebook, VarType
from parley.domain.evidence import UNKNOWN, Unknown, Value
from parley.knowledge.loader import load_codebook
from parley.knowledge.weights import load_similarity_weights

CODEBOOK = load_codebook()
WEIGHTS = load_similarity_weights(CODEBOOK)
NAMES = [v.name for v in CODEBOOK.scenario_variables]


@st.composite
def rows(draw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for var in CODEBOOK.scenario_variables:
        if draw(st.booleans()):
            out[var.name] = UNKNOWN
            continue
        codes = list(var.codes)
        if var.type is VarType.CODE:
            out[var.name] = draw(st.sampled_from(codes))
        elif var.type is VarType.CODE_LIST:
            out[var.name] = tuple(draw(st.lists(st.sampled_from(codes), min_size=1, unique=True)))
        elif var.type is VarType.INTEGER:
            out[var.name] = draw(st.integers(0, 3000))
        elif var.type is VarType.TEXT_LIST:
            out[var.name] = tuple(draw(st.lists(st.sampled_from(["MS-13", "Barrio 18", "Crips"]),
                                                min_size=1, unique=True)))
        else:
            out[var.name] = draw(st.sampled_from(["Honduras", "El Salvador", "honduras"]))
    return out


@settings(max_examples=200, deadline=None)
@given(rows(), rows())
def test_symmetric_and_bounded(a: dict[str, Any], b: dict[str, Any]) -> None:
    ab, ba = compare(a, b, CODEBOOK, WEIGHTS), compare(b, a, CODEBOOK, WEIGHTS)
    assert ab.similarity == pytest.approx(ba.similarity)
    assert 0.0 <= ab.similarity <= 1.0
    assert ab.shared == ba.shared and ab.different == ba.different


@settings(max_examples=200, deadline=None)
@given(rows(), rows())
def test_unknown_is_never_a_match(a: dict[str, Any], b: dict[str, Any]) -> None:
    result = compare(a, b, CODEBOOK, WEIGHTS)
    for name in (*result.shared, *result.different):
        assert a[name] is not UNKNOWN and b[name] is not UNKNOWN
    nothing = dict.fromkeys(NAMES, UNKNOWN)
    assert compare(nothing, b, CODEBOOK, WEIGHTS).similarity == 0.0
    assert compare(nothing, nothing, CODEBOOK, WEIGHTS).compared == 0


@settings(max_examples=100, deadline=None)
@given(rows())
def test_a_description_is_wholly_like_itself(a: dict[str, Any]) -> None:
    result = compare(a, a, CODEBOOK, WEIGHTS)
    assert result.different == ()
    if result.compared:
        assert result.similarity == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(rows(), st.lists(rows(), min_size=1, max_size=8))
def test_the_index_agrees_with_compare(query: dict[str, Any], pool: list[dict[str, Any]]) -> None:
    sims, compared = CaseIndex(pool, CODEBOOK, WEIGHTS).similarities(query)
    for i, row in enumerate(pool):
        expected = compare(query, row, CODEBOOK, WEIGHTS)
        assert sims[i] == pytest.approx(expected.similarity, abs=1e-9)
        assert compared[i] == expected.compared


def test_ordered_codes_are_partly_alike(codebook: Codebook) -> None:
    w = SimilarityWeights({k: v for k, v in WEIGHTS.variables.items() if k == "cohesion"}, 1)
    assert compare({"cohesion": "high"}, {"cohesion": "medium"}, codebook, w).similarity == 0.5
    assert compare({"cohesion": "high"}, {"cohesion": "low"}, codebook, w).similarity == 0.0
    lists = SimilarityWeights({"spoilers": WEIGHTS.variables["spoilers"]}, 1)
    result = compare({"spoilers": ("political", "business")}, {"spoilers": ("political",)},
                     codebook, lists)
    assert result.similarity == 0.5 and result.shared == ("spoilers",)


def test_unknown_is_skipped_and_the_weights_renormalised(codebook: Codebook) -> None:
    a: dict[str, Value | Unknown] = {"cohesion": "high", "secrecy": "secret"}
    b: dict[str, Value | Unknown] = {"cohesion": "high", "secrecy": UNKNOWN}
    result = compare(a, b, codebook, WEIGHTS)
    assert result.similarity == 1.0
    assert result.shared == ("cohesion",) and result.different == ()
    sims, compared = CaseIndex([b], codebook, WEIGHTS).similarities(a)
    assert np.allclose(sims, [1.0]) and list(compared) == [1]
