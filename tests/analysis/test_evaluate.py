"""Leave-one-out evaluation: leaf cases only, no leakage through parents, honest baselines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from parley.analysis.evaluate import caveat, evaluate, family, leaf_cases
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import UNKNOWN_VALUE, Citation, CodedValue
from parley.knowledge.weights import load_similarity_weights

CITE = (Citation("ifit-2021", "Conclusion and Recommendations", "x"),)


def _case(template: Case, cid: str, outcome: str, parent: str | None = None,
          **values: str) -> Case:
    """A case with the given values coded, outcome_class set, and everything else unknown."""
    new_values = {k: UNKNOWN_VALUE for k in template.values}
    new_values.update({k: CodedValue(v, CITE) for k, v in values.items()})
    new_values["outcome_class"] = CodedValue(outcome, CITE)
    return replace(template, id=cid, parent=parent, values=new_values)


@pytest.fixture
def synthetic(bundled_cases: list[Case]) -> list[Case]:
    t = bundled_cases[0]
    traits = dict(cohesion="high", structure="centralised", secrecy="secret",
                  format="accord-seeking", state_capacity="strong")
    other = dict(cohesion="low", structure="fragmented", secrecy="public",
                 format="open-ended-dialogue", state_capacity="weak")
    return [
        _case(t, "a1", "lasting-reduction", **traits),
        _case(t, "a2", "lasting-reduction", **traits),
        _case(t, "a3", "lasting-reduction", **traits),
        _case(t, "b1", "collapsed", **other),
        _case(t, "b2", "collapsed", **other),
        _case(t, "b3", "collapsed", **other),
        _case(t, "parent", "collapsed", **traits),
        _case(t, "child", "transformation", parent="parent", **traits),
    ]


def test_only_leaves_are_evaluated(synthetic: list[Case], codebook: Codebook) -> None:
    assert [c.id for c in leaf_cases(synthetic)] == ["a1", "a2", "a3", "b1", "b2", "b3", "child"]
    assert family(synthetic)["child"] == {"parent"}
    result = evaluate(synthetic, codebook, load_similarity_weights(codebook))
    assert result.n_cases == 7
    assert result.excluded["has sub-cases"] == ("parent",)
    for p in result.predictions:
        assert "parent" not in p.neighbours and p.case not in p.neighbours


def test_clear_structure_beats_the_baselines(synthetic: list[Case], codebook: Codebook) -> None:
    result = evaluate(synthetic, codebook, load_similarity_weights(codebook))
    outlook = result.score("outlook")
    assert outlook.accuracy == pytest.approx(6 / 7)  # the lone transformation case cannot be had
    assert outlook.brier < result.score("majority-class").brier
    assert result.score("uniform").brier == pytest.approx(0.8)
    assert "6 of 7" in caveat(result) and "better than" in caveat(result)


def test_bundled_evaluation_is_reported_whatever_it_is(bundled_cases: list[Case],
                                                       codebook: Codebook) -> None:
    result = evaluate(bundled_cases, codebook, load_similarity_weights(codebook))
    leaves = leaf_cases(bundled_cases)
    assert result.n_cases == sum(not c.values["outcome_class"].is_unknown for c in leaves)
    assert {s.method for s in result.scores} == {"outlook", "outlook-equal-weights",
                                                 "majority-class", "uniform"}
    for s in result.scores:
        assert 0 <= s.accuracy <= 1 and 0 <= s.brier <= 2
    text = caveat(result)
    assert f"over {result.n_cases} past cases" in text and "not a prediction" in text
