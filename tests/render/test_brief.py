"""Briefs: page one first, annexes by phase with topics merged, citations numbered in order of
first use, what to find out first, classification marks, escaping, file names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from parley.domain.access import Classification
from parley.domain.assessment import Assessment, ChecklistEntry, Outlook, SimilarCase
from parley.domain.codebook import Codebook
from parley.domain.evidence import Citation
from parley.domain.guideline import Finding
from parley.domain.scenario import parse_scenario
from parley.domain.summary import FindOut, ScenarioWarning, Summary, VerdictReason
from parley.knowledge.translations import translate_brief_inputs
from parley.locale import using_language
from parley.render.brief import (
    document_filename,
    front_page_text,
    render_html,
    render_markdown,
)

A = Citation("ifit-2021", "Conclusion and Recommendations", "first quote")
B = Citation("ifit-2021", "Range of Negotiation Results", "second quote")
C = Citation("ifit-2021", "Introduction", "third quote")
V = Citation("ifit-2021", "Conclusion and Recommendations", "verdict quote")


def _assessment(codebook: Codebook) -> Assessment:
    findings = (
        Finding("r1", "A risk", "risk", "design", "high", "spoilers", "Risk *message*. More.",
                (A, B), ("el-salvador-mara-truce-2012",), trigger="facts", strength=5),
        Finding("r2", "Same topic risk", "risk", "design", "medium", "spoilers", "Also spoilers.",
                (C,), ("el-salvador-mara-truce-2012", "honduras-mara-truce-2013"),
                trigger="facts", strength=3),
        Finding("g1", "Be ready", "readiness", "preparation", "medium", "t", "Ready", (B,),
                trigger="facts", strength=3),
        Finding("m1", "Late step", "recommendation", "implementation", "low", "t", "Do", (A,)),
        Finding("m2", "Early step", "recommendation", "preparation", "low", "u", "Plan", (A,)),
        Finding("u1", "Only if unknown", "recommendation", "design", "medium", "v", "Maybe",
                (C,), trigger="unknown", strength=2, unknowns=("cohesion",)),
    )
    outlook = Outlook({"no-deal": 0.1, "collapsed": 0.2, "temporary-reduction": 0.4,
                       "lasting-reduction": 0.2, "transformation": 0.1}, "basis text",
                      "caveat text")
    similar = (SimilarCase("el-salvador-mara-truce-2012", "El Salvador", 0.8, "collapsed",
                           ("cohesion",), ("secrecy",)),)
    checklist = (ChecklistEntry("Set a clear objective", "missing", "m2"),)
    scenario = parse_scenario({"title": "T <b>", "cohesion": "low"}, codebook)
    summary = Summary("wait", "Wait", "Not ripe.", (VerdictReason("s", "holds", "A fact.", (V,)),),
                      (V,), ("r1",), ("g1", "m2"), ("el-salvador-mara-truce-2012",),
                      "Outlook in one sentence.", (FindOut("cohesion", ("u1",)),))
    return Assessment(scenario, outlook, findings, similar, checklist, summary,
                      (ScenarioWarning("w", "These values contradict.", ("cohesion",)),))


def test_markdown_puts_page_one_first_then_annexes(codebook: Codebook) -> None:
    md = render_markdown(_assessment(codebook), codebook)
    order = ["# T \\<b\\>", "These values contradict.", "**Verdict: Wait.** Not ripe. [1]",
             "- A fact. [1]", "## Top risks", "## Next actions, in order",
             "## Most similar cases", "## Outlook", "Outlook in one sentence.",
             "**Find out first:** Can its leaders impose a deal?", "## Annex A. Preparation",
             "## Annex B. Design", "## Annex C. Implementation",
             "## Annex D. What to find out first", "## Annex E. Similar cases",
             "## Annex F. Outlook", "## Annex G. The scenario as described", "## Citations"]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    # numbered in order of first use: the verdict's quote, then the front page's findings
    assert '1. "verdict quote"' in md
    assert "1. **A risk.** Risk \\*message\\*. [2][3]" in md
    assert "1. Be ready (preparation) [3]" in md and "2. Early step (preparation) [2]" in md
    # one entry per topic: the weaker finding of the same topic is merged under the stronger
    assert md.count("### A risk (risk, high)") == 1 and "### Same topic risk" not in md
    assert "- **Same topic risk** (risk, medium): Also spoilers. [4]" in md
    assert md.count("Cases: El Salvador; honduras-mara-truce-2013.") == 1
    assert "*Checklist (missing):* Set a clear objective" in md
    # a finding that fires only because a value is unknown is listed, not given an entry
    assert "### Only if unknown" not in md
    assert "decides: Only if unknown [4]" in md
    assert "| Can its leaders impose a deal? | low |" in md
    assert "| temporary reduction | 40% |" in md and "**Caveat:** caveat text" in md
    assert "\n5. " not in md.split("## Citations")[1]


def test_html_links_cases_and_citations_and_marks_page_one(codebook: Codebook) -> None:
    html = render_html(_assessment(codebook), codebook, {"el-salvador-mara-truce-2012": "ES"},
                       case_url=lambda cid: f"/cases/{cid}")
    assert html.startswith("<!doctype html>")
    assert '<a href="/cases/el-salvador-mara-truce-2012">ES</a>' in html
    assert '<li id="cite-2">' in html and 'href="#cite-2"' in html
    assert "T &lt;b&gt;" in html and "<b>" not in html.split("<body>")[1]
    assert "@media print" in html and "<svg" in html and "http://" not in html.split("</svg>")[1]
    front = front_page_text(html)
    assert front.startswith("T <b> Parley decision brief")
    assert "Verdict: Wait." in front and "Annex A. Preparation" not in front
    fragment = render_html(_assessment(codebook), codebook, standalone=False)
    assert "<html" not in fragment and '<article class="brief">' in fragment
    assert "classification-banner" not in fragment


def test_restricted_and_secret_briefs_carry_the_mark(codebook: Codebook) -> None:
    base = _assessment(codebook)
    for level in (Classification.RESTRICTED, Classification.SECRET):
        a = replace(base, scenario=replace(base.scenario, classification=level))
        html = render_html(a, codebook, for_pdf=True)
        assert f'@top-center {{ content: "{level.value.upper()}"' in html
        assert html.count(f">{level.value.upper()}</p>") == 2  # top and bottom on screen
        md = render_markdown(a, codebook)
        assert md.startswith(f"**{level.value.upper()}**") and md.rstrip().endswith(
            f"**{level.value.upper()}**")


def test_secret_talks_are_restricted_unless_said_otherwise(codebook: Codebook) -> None:
    assert parse_scenario({"secrecy": "secret"}, codebook).classification.value == "restricted"
    assert parse_scenario({"secrecy": "public"}, codebook).classification.value == "public"
    told = parse_scenario({"secrecy": "secret", "classification": "public"}, codebook)
    assert told.classification.value == "public"


@pytest.mark.parametrize(("raw", "name"), [
    ({"title": "Trégua em São Paulo: MS-13 / Barrio 18!"},
     "parley-brief-tregua-em-sao-paulo-ms-13-barrio-18.pdf"),
    ({"country": "Honduras", "locality": "San Pedro Sula", "groups": ["MS-13"]},
     "parley-brief-honduras-san-pedro-sula-ms-13.pdf"),
    ({}, "parley-brief.pdf"),
    ({"title": "‼ ☃"}, "parley-brief.pdf"),
])
def test_document_file_names_are_sensible_without_a_title(codebook: Codebook, raw: dict[str, Any],
                                                           name: str) -> None:
    assert document_filename(parse_scenario(raw, codebook), "pdf") == name


def test_a_spanish_brief_shows_the_spanish_checklist_item(codebook: Codebook) -> None:
    """Checklist items reach the brief through the translated assessment, as messages do;
    the brief shows no rationale in any language (the annex gives message and quotes)."""
    base = _assessment(codebook)
    gid = "clear-objective"
    english = replace(
        base, findings=tuple(replace(f, guideline=gid) if f.id == "m2" else f
                             for f in base.findings),
        checklist=(ChecklistEntry("Clearly establish the negotiation's ultimate objective",
                                  "missing", gid),),
        summary=replace(base.summary, actions=("g1", gid)) if base.summary else None)
    with using_language("es"):
        assessment, spanish_codebook, _ = translate_brief_inputs(english, codebook, {}, "es")
        md = render_markdown(assessment, spanish_codebook)
        html = render_html(assessment, spanish_codebook)
    item = "Establecer con claridad el objetivo último de la negociación"
    assert f"*Lista de verificación (pendiente):* {item}" in md
    assert f"Lista de verificación: {item}</p>" in html
    assert "Clearly establish" not in md and "Clearly establish" not in html
    assert "*Checklist (missing):* Clearly establish" in render_markdown(english, codebook)


def test_a_spanish_brief_shows_the_spanish_verdict_in_every_text_format(
        codebook: Codebook) -> None:
    base = _assessment(codebook)
    assert base.summary is not None
    english = replace(base, summary=replace(base.summary, reasons=tuple(
        replace(r, signal="armed-spoilers") for r in base.summary.reasons)))
    with using_language("es"):
        assessment, spanish_codebook, _ = translate_brief_inputs(english, codebook, {}, "es")
        md = render_markdown(assessment, spanish_codebook)
        html = render_html(assessment, spanish_codebook)
    for text in (md, html):
        assert "Esperar" in text and "El momento no está maduro" in text
        assert "saboteadores conocidos capaces de romper una tregua" in text
        assert "Not ripe." not in text and "A fact." not in text
