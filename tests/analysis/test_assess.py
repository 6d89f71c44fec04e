"""The engine: every case's pre-negotiation values yield a fully cited assessment."""

from __future__ import annotations

import json

import pytest

from parley.analysis.assess import CasePool, assess, checklist_for, findings_for
from parley.analysis.evaluate import caveat, evaluate, fit_outlook_params
from parley.analysis.outlook import OutlookParams
from parley.domain.assessment import Assessment, assessment_to_dict
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.scenario import parse_scenario, scenario_from_case
from parley.domain.source import SourceText
from parley.domain.summary import BriefRules
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.weights import load_similarity_weights
from parley.render.brief import render_html, render_markdown

FINDING_KEYS = ["id", "guideline", "title", "kind", "severity", "message", "citations", "cases",
                "phase", "topic", "trigger", "strength", "unknowns"]
SUMMARY_KEYS = ["verdict", "verdict_label", "verdict_meaning", "verdict_reasons", "verdict_basis",
                "verdict_citations", "risks", "actions", "similar", "outlook_sentence",
                "find_out_first"]


@pytest.fixture(scope="module")
def guidelines(codebook: Codebook, sources: dict[str, SourceText]) -> list[Guideline]:
    return load_guidelines(codebook, sources)


@pytest.fixture(scope="module")
def rules(codebook: Codebook, sources: dict[str, SourceText]) -> BriefRules:
    return load_brief_rules(codebook, sources)


@pytest.fixture(scope="module")
def engine(codebook: Codebook, bundled_cases: list[Case]) -> tuple[CasePool, OutlookParams, str]:
    weights = load_similarity_weights(codebook)
    return (CasePool.build(bundled_cases, codebook, weights),
            fit_outlook_params(bundled_cases, codebook, weights),
            caveat(evaluate(bundled_cases, codebook, weights)))


def _check_shape(data: dict, codebook: Codebook) -> None:
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
    assert list(data["outlook"]) == ["distribution", "basis", "caveat"]
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
        sources: dict[str, SourceText], engine: tuple[CasePool, OutlookParams, str],
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
                                          engine: tuple[CasePool, OutlookParams, str]) -> None:
    pool, params, text = engine
    case = next(c for c in bundled_cases if c.id == "el-salvador-mara-truce-2012")
    result: Assessment = assess(scenario_from_case(case, codebook), guidelines, pool, params, text)
    top = result.similar_cases[0]
    assert top.id == case.id and top.similarity == pytest.approx(1.0) and top.different == ()
    assert all(s.similarity <= top.similarity for s in result.similar_cases)
    assert result.outlook.caveat == text
    assert "past case" in result.outlook.basis


def test_html_brief_is_self_contained_and_escaped(codebook: Codebook, guidelines: list[Guideline],
                                                   engine: tuple[CasePool, OutlookParams, str]
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
