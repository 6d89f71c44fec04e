"""The engine: every case's pre-negotiation values yield a fully cited assessment."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.analysis.assess import CasePool, assess, checklist_for, findings_for
from parley.analysis.evaluate import caveat, evaluate, fit_outlook
from parley.analysis.outlook import OutlookModel, outlook_sentence
from parley.domain.assessment import Assessment, assessment_to_dict
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.scenario import parse_scenario, scenario_from_case
from parley.domain.source import QuoteChecker
from parley.domain.summary import BriefRules
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.render.brief import render_html, render_markdown

FINDING_KEYS = ["id", "guideline", "title", "kind", "severity", "message", "citations", "cases",
                "phase", "topic", "trigger", "strength", "unknowns"]
SUMMARY_KEYS = ["verdict", "verdict_label", "verdict_meaning", "verdict_reasons", "verdict_basis",
                "verdict_citations", "risks", "actions", "similar", "outlook_sentence",
                "find_out_first"]


@pytest.fixture(scope="module")
def guidelines(codebook: Codebook, sources: dict[str, QuoteChecker]) -> list[Guideline]:
    return load_guidelines(codebook, sources)


@pytest.fixture(scope="module")
def rules(codebook: Codebook, sources: dict[str, QuoteChecker]) -> BriefRules:
    return load_brief_rules(codebook, sources)


@pytest.fixture(scope="module")
def engine(codebook: Codebook, bundled_cases: list[Case]) -> tuple[CasePool, OutlookModel, str]:
    weights = load_similarity_weights(codebook)
    settings = load_outlook_settings(codebook)
    evaluation = evaluate(bundled_cases, codebook, weights, settings)
    return (CasePool.build(bundled_cases, codebook, weights),
            fit_outlook(bundled_cases, codebook, weights, settings, evaluation),
            caveat(evaluation))


def _check_shape(data: dict[str, Any], codebook: Codebook) -> None:
    assert list(data) == ["scenario", "outlook", "findings", "similar_cases", "checklist",
                          "summary", "warnings"]
    summary = data["summary"]
    assert list(summary) == SUMMARY_KEYS
    assert summary["verdict"] in ("talk-now", "prepare-first", "wait")
    assert 1 <= len(summary["verdict_reasons"]) <= 3 and summary["outlook_sentence"]
    ids = {f["id"] for f in data["findings"]}
    assert set(summary["risks"]) <= ids and set(summary["actions"]) <= ids
    assert len(summary["risks"]) <= 3 and len(summary["actions"]) <= 5
    assert summary["similar"] == [s["id"] for s in data["similar_cases"]][:3]
    assert list(data["outlook"]) == ["distribution", "basis", "caveat", "abstained",
                                     "explanation", "measured"]
    assert list(data["outlook"]["distribution"]) == list(codebook["outcome_class"].codes)
    assert sum(data["outlook"]["distribution"].values()) == pytest.approx(1.0)
    for f in data["findings"]:
        assert list(f) == FINDING_KEYS
        assert f["kind"] in ("risk", "recommendation", "readiness")
        assert f["severity"] in ("high", "medium", "low")
        for c in f["citations"]:
            assert list(c) == ["source", "section", "quote"]
    for s in data["similar_cases"]:
        assert list(s) == ["id", "similarity", "outcome_class", "shared", "different"]
    for c in data["checklist"]:
        assert list(c) == ["item", "status", "guideline"]
        assert c["status"] in ("done", "missing", "unknown")


def test_every_case_yields_a_brief_whose_every_finding_cites_the_paper(
        bundled_cases: list[Case], codebook: Codebook, guidelines: list[Guideline],
        sources: dict[str, QuoteChecker], engine: tuple[CasePool, OutlookModel, str],
        rules: BriefRules) -> None:
    pool, params, text = engine
    for case in bundled_cases:
        result = assess(scenario_from_case(case, codebook), guidelines, pool, params, text,
                        rules=rules)
        assert result.findings, case.id
        for finding in result.findings:
            assert finding.citations, (case.id, finding.guideline)
            for c in finding.citations:
                assert sources[c.source].problem(c) is None, (case.id, finding.guideline)
        data = assessment_to_dict(result)
        _check_shape(json.loads(json.dumps(data)), codebook)
        brief = render_markdown(result, codebook)
        assert "## Top risks" in brief and "## Citations" in brief
        n_citations = len({c for f in result.findings for c in f.citations})
        assert f"\n{n_citations}. " in brief


def test_findings_follow_their_conditions(codebook: Codebook, guidelines: list[Guideline]) -> None:
    always = {g.id for g in guidelines if g.applies_when is None}
    empty = parse_scenario({}, codebook)
    assert always <= {f.guideline for f in findings_for(empty, guidelines)}
    kinds = [f.kind for f in findings_for(empty, guidelines)]
    assert kinds == sorted(kinds, key=("risk", "readiness", "recommendation").index)


def test_checklist_statuses(codebook: Codebook, guidelines: list[Guideline]) -> None:
    items = [g for g in guidelines if g.checklist is not None]
    assert items, "no guideline carries a checklist item"
    unknown = {e.guideline: e.status for e in checklist_for(parse_scenario({}, codebook),
                                                            guidelines)}
    assert set(unknown.values()) <= {"unknown", "missing", "done"}
    design = next(g for g in items if g.checklist and "design_elements" in
                  g.checklist.done_when_text and g.applies_when is None)
    code = design.checklist.done_when_text.split("has")[-1].strip() if design.checklist else ""
    done = parse_scenario({"design_elements": [code]}, codebook)
    missing = parse_scenario({"design_elements": [c for c in
                                                  codebook["design_elements"].codes
                                                  if c != code][:1]}, codebook)
    assert unknown[design.id] == "unknown"
    assert {e.guideline: e.status for e in checklist_for(done, guidelines)}[design.id] == "done"
    assert {e.guideline: e.status for e in checklist_for(missing, guidelines)}[design.id] == \
        "missing"


def test_similar_cases_explain_themselves(codebook: Codebook, guidelines: list[Guideline],
                                          bundled_cases: list[Case],
                                          engine: tuple[CasePool, OutlookModel, str]) -> None:
    pool, params, text = engine
    case = next(c for c in bundled_cases if c.id == "el-salvador-mara-truce-2012")
    result: Assessment = assess(scenario_from_case(case, codebook), guidelines, pool, params, text)
    top = result.similar_cases[0]
    assert top.id == case.id and top.similarity == pytest.approx(1.0) and top.different == ()
    assert all(s.similarity <= top.similarity for s in result.similar_cases)
    assert result.outlook.caveat == text
    assert "past case" in result.outlook.basis


def test_html_brief_is_self_contained_and_escaped(codebook: Codebook, guidelines: list[Guideline],
                                                   engine: tuple[CasePool, OutlookModel, str]
                                                   ) -> None:
    pool, params, text = engine
    scenario = parse_scenario({"title": "<script>alert(1)</script>", "cohesion": "low",
                               "notes": "a | b [x](javascript:y)"}, codebook)
    result = assess(scenario, guidelines, pool, params, text)
    html = render_html(result, codebook, case_url=lambda cid: f"/cases/{cid}")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert 'href="#cite-1"' in html and 'id="cite-1"' in html
    md = render_markdown(result, codebook)
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert "a \\| b \\[x\\](javascript:y)" in md


def test_too_few_known_variables_get_base_rates_and_a_sentence_why(
        codebook: Codebook, guidelines: list[Guideline],
        engine: tuple[CasePool, OutlookModel, str]) -> None:
    pool, model, text = engine
    four = parse_scenario({"cohesion": "high", "group_type": ["gang"], "secrecy": "secret",
                           "deterrence_credible": "yes"}, codebook)
    result = assess(four, guidelines, pool, model, text).outlook
    assert result.abstained == "too-little-known" and result.cases == ()
    assert "Only 4 pre-negotiation variable(s) are known, fewer than the 5" in result.basis
    labels = pool.labels[pool.labels >= 0]
    base = (np.bincount(labels, minlength=5) + 1) / (len(labels) + 5)
    expected = (1 - model.params.shrinkage) * base + model.params.shrinkage / 5
    assert list(result.distribution.values()) == pytest.approx(list(expected))
    assert [m.kind for m in result.explanation] == ["base-rates"]
    assert outlook_sentence(result).startswith("Too little is known about this situation")


def test_no_comparable_case_abstains(codebook: Codebook, guidelines: list[Guideline],
                                     engine: tuple[CasePool, OutlookModel, str]) -> None:
    pool, model, text = engine
    # five known variables, none shared with any past case's known values in a similar way
    odd = parse_scenario({"country": "Atlantis", "locality": "Nowhere", "groups": ["Nobody"],
                          "start_year": 1850, "method": "mixed"}, codebook)
    result = assess(odd, guidelines, pool, model, text).outlook
    assert result.abstained == "no-comparable-case" and result.cases == ()
    assert result.basis.startswith("No comparable past case")
    assert outlook_sentence(result).startswith("No past case is comparable")


def test_the_outlook_explains_itself_and_states_its_figures(
        bundled_cases: list[Case], codebook: Codebook, guidelines: list[Guideline],
        engine: tuple[CasePool, OutlookModel, str]) -> None:
    pool, model, text = engine
    assert model.measured is not None
    for case in bundled_cases:
        out = assess(scenario_from_case(case, codebook), guidelines, pool, model, text).outlook
        uniform = 1 / len(out.distribution)
        for cls, p in out.distribution.items():
            moved = sum(m.moves[cls] for m in out.explanation)
            assert p == pytest.approx(uniform + moved, abs=1e-12), (case.id, cls)
            if model.params.cap <= 0.5:
                assert p <= 0.5 + 1e-12, case.id
        voted = [m.id for m in out.explanation if m.kind == "case"]
        assert voted == list(out.cases) and len(voted) <= model.params.k
        assert out.measured == model.measured
        sentence = outlook_sentence(out)
        assert f"{model.measured.brier_loo:.2f}" in sentence
        assert f"{model.measured.rps_loco:.3f}" in sentence


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_scenario_gets_a_proper_humble_outlook(
        data: st.DataObject, codebook: Codebook, guidelines: list[Guideline],
        engine: tuple[CasePool, OutlookModel, str]) -> None:
    pool, model, text = engine
    raw: dict[str, object] = {}
    for var in codebook.scenario_variables:
        if not var.codes or not data.draw(st.booleans(), label=f"set {var.name}"):
            continue
        codes = list(var.codes)
        if var.type.is_list:
            raw[var.name] = data.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3,
                                               unique=True), label=var.name)
        else:
            raw[var.name] = data.draw(st.sampled_from(codes), label=var.name)
    out = assess(parse_scenario(raw, codebook), guidelines, pool, model, text).outlook
    assert sum(out.distribution.values()) == pytest.approx(1.0)
    assert all(0 < p < 1 for p in out.distribution.values())
    assert max(out.distribution.values()) <= model.params.cap + 1e-12
    assert (out.abstained == "too-little-known") == (len(raw) < 5)
