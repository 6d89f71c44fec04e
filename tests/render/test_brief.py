"""Briefs: section order, numbered citations shared between findings, phases, escaping."""

from __future__ import annotations

from parley.domain.assessment import Assessment, ChecklistEntry, Outlook, SimilarCase
from parley.domain.codebook import Codebook
from parley.domain.evidence import Citation
from parley.domain.guideline import Finding
from parley.domain.scenario import parse_scenario
from parley.render.brief import render_html, render_markdown

A = Citation("ifit-2021", "Conclusion and Recommendations", "first quote")
B = Citation("ifit-2021", "Range of Negotiation Results", "second quote")


def _assessment(codebook: Codebook) -> Assessment:
    findings = (
        Finding("r1", "A risk", "risk", "design", "high", "t", "Risk *message*", (A, B),
                ("el-salvador-mara-truce-2012",)),
        Finding("g1", "Be ready", "readiness", "preparation", "medium", "t", "Ready", (B,)),
        Finding("m1", "Late step", "recommendation", "implementation", "low", "t", "Do", (A,)),
        Finding("m2", "Early step", "recommendation", "preparation", "low", "t", "Plan", (A,)),
    )
    outlook = Outlook({"no-deal": 0.1, "collapsed": 0.2, "temporary-reduction": 0.4,
                       "lasting-reduction": 0.2, "transformation": 0.1}, "basis text",
                      "caveat text")
    similar = (SimilarCase("el-salvador-mara-truce-2012", "El Salvador", 0.8, "collapsed",
                           ("cohesion",), ("secrecy",)),)
    checklist = (ChecklistEntry("Set a clear objective", "missing", "m2"),)
    scenario = parse_scenario({"title": "T <b>", "cohesion": "low"}, codebook)
    return Assessment(scenario, outlook, findings, similar, checklist)


def test_markdown_orders_sections_and_numbers_citations_once(codebook: Codebook) -> None:
    md = render_markdown(_assessment(codebook), codebook)
    order = ["## Situation", "## Key risks", "## Readiness and leverage",
             "## Recommendations by phase", "### Preparation", "### Implementation",
             "## Checklist", "## Similar cases", "## Outlook", "## Citations"]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    assert "**A risk** (high, design) [1][2]" in md
    assert "**Be ready** (medium, preparation) [2]" in md
    assert '1. "first quote" — ifit-2021, section "Conclusion and Recommendations".' in md
    assert '2. "second quote"' in md and "\n3. " not in md
    assert "Risk \\*message\\*" in md and "# T \\<b\\>" in md
    assert "| cohesion | low |" in md
    assert "- [ ] Set a clear objective — **missing**" in md
    assert "| temporary-reduction | 40% |" in md
    assert "**Caveat:** caveat text" in md


def test_html_links_cases_and_citations(codebook: Codebook) -> None:
    html = render_html(_assessment(codebook), codebook, {"el-salvador-mara-truce-2012": "ES"},
                       case_url=lambda cid: f"/cases/{cid}")
    assert html.startswith("<!doctype html>")
    assert '<a href="/cases/el-salvador-mara-truce-2012">ES</a>' in html
    assert '<li id="cite-2">' in html and 'href="#cite-2"' in html
    assert "T &lt;b&gt;" in html
    fragment = render_html(_assessment(codebook), codebook, standalone=False)
    assert "<html" not in fragment and '<article class="brief">' in fragment
