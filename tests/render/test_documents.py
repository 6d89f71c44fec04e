"""PDF and DOCX briefs, opened as a reader would: text extracted, pages rendered, the Word file
read back. Page one is the summary alone and fits on one page, A4 and Letter; classified
scenarios are marked on every page; no user name in the metadata. Uses the realistic scenario
(tests/data/scenarios/realistic) on the bundled case base."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from parley.analysis.assess import CasePool, assess
from parley.analysis.evaluate import caveat, evaluate, fit_outlook
from parley.domain.access import Classification
from parley.domain.assessment import Assessment
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.source import QuoteChecker
from parley.interchange.scenario_file import read_scenario
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.render.brief import front_page_text, render_html
from parley.render.documents import PAGE_MM, render_docx, render_pdf

REALISTIC = Path(__file__).parents[1] / "data" / "scenarios" / "realistic" / \
    "honduras-church-truce.yaml"
MM_PER_POINT = 25.4 / 72


@pytest.fixture(scope="module")
def realistic(codebook: Codebook, bundled_cases: list[Case],
              sources: dict[str, QuoteChecker]) -> tuple[Assessment, dict[str, str]]:
    weights = load_similarity_weights(codebook)
    settings = load_outlook_settings(codebook)
    evaluation = evaluate(bundled_cases, codebook, weights, settings)
    result = assess(read_scenario(REALISTIC, codebook), load_guidelines(codebook, sources),
                    CasePool.build(bundled_cases, codebook, weights),
                    fit_outlook(bundled_cases, codebook, weights, settings, evaluation),
                    caveat(evaluation), rules=load_brief_rules(codebook, sources))
    return result, {c.id: c.title for c in bundled_cases}


def _pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    """Whitespace collapsed, and a word broken after its hyphen at a line end joined again."""
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_pdf_page_one_is_the_summary_alone(realistic: tuple[Assessment, dict[str, str]],
                                           codebook: Codebook, size: str) -> None:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    assessment, titles = realistic
    data = render_pdf(assessment, codebook, titles, page_size=size)  # type: ignore[arg-type]
    reader = PdfReader(io.BytesIO(data))
    width, height = (float(v) * MM_PER_POINT for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == tuple(round(v) for v in PAGE_MM[size])
    pages = _pdf_pages(data)
    first, second = _flat(pages[0]), _flat(pages[1])
    # everything of page one is on page one, and nothing else
    assert first.count("RESTRICTED") >= 2  # the realistic talks are secret: restricted
    for part in ("Verdict: Wait.", "Top risks", "Next actions, in order", "Most similar cases",
                 "Outlook", "not a forecast."):
        assert part in first, part
    assert "Annex A" not in first
    assert second.replace("RESTRICTED", "").strip().startswith("Annex A. Preparation")
    html_words = len(front_page_text(render_html(assessment, codebook, titles)).split())
    assert html_words <= 500
    assert f"Page 1 of {len(pages)}" in first
    # every page carries the classification and its number
    for number, text in enumerate(pages, start=1):
        assert text.count("RESTRICTED") >= 2, number
        assert f"Page {number} of {len(pages)}" in _flat(text)
    # the citations are there, numbered, verbatim
    tail = _flat(" ".join(pages[-3:]))
    assert "Citations" in _flat(" ".join(pages))
    everything = _flat(" ".join(pages))
    # (list numbers are extracted apart from their items, and a quote may run over a page
    # break, so each quote's opening is looked for; the DOCX test reads every quote whole)
    for finding in assessment.findings:
        if finding.trigger != "unknown":
            for citation in finding.citations:
                assert f"“{_flat(citation.quote)[:60]}" in everything, citation.quote
    assert "Conclusion and Recommendations" in tail
    # no user name (nor any author) in the metadata
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert "/Author" not in meta and meta["/Creator"] == "Parley"
    assert meta["/Title"].startswith("Mara truce offered through the Catholic Church")
    # rendered: page one has ink in its lower part but not down to the footer area overflow
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[0].render(scale=0.5).to_pil().convert("L")
        assert image.getextrema()[0] < 100  # there is text
        chart_page = next(i for i, t in enumerate(pages) if "Outlook: probability of each" in t)
        chart = pdf[chart_page].render(scale=0.5).to_pil().convert("RGB")
        blue = sum(1 for px in chart.get_flattened_data() if px == (11, 92, 173))
        assert blue > 50  # the outlook's bars were drawn
    finally:
        pdf.close()


def test_public_pdf_has_no_classification_mark(realistic: tuple[Assessment, dict[str, str]],
                                                codebook: Codebook) -> None:
    assessment, titles = realistic
    public = replace(assessment, scenario=replace(assessment.scenario,
                                                  classification=Classification.PUBLIC))
    pages = _pdf_pages(render_pdf(public, codebook, titles))
    assert not any("RESTRICTED" in p or "SECRET" in p for p in pages)
    secret = replace(assessment, scenario=replace(assessment.scenario,
                                                  classification=Classification.SECRET))
    assert all(p.count("SECRET") >= 2 for p in _pdf_pages(render_pdf(secret, codebook, titles)))


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_docx_reads_back_with_page_one_first(realistic: tuple[Assessment, dict[str, str]],
                                             codebook: Codebook, size: str) -> None:
    import docx
    from docx.shared import Mm

    assessment, titles = realistic
    document = docx.Document(io.BytesIO(render_docx(assessment, codebook, titles,
                                                    page_size=size)))  # type: ignore[arg-type]
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert abs(section.page_width - Mm(PAGE_MM[size][0])) < Mm(1)
    assert abs(section.page_height - Mm(PAGE_MM[size][1])) < Mm(1)
    # page one ends at the one page break, before Annex A, and holds at most 500 words
    texts, front = [p.text for p in document.paragraphs], []
    for p in document.paragraphs:
        if 'w:br w:type="page"' in p._p.xml:
            break
        front.append(p.text)
    else:
        pytest.fail("no page break after page one")
    rest = texts[len(front):]
    assert next(t for t in rest if t.strip()).startswith("Annex A. ")
    words = len(" ".join(front).split())
    assert words <= 500
    joined = " ".join(front)
    for part in ("Verdict: Wait.", "Top risks", "Next actions, in order", "Most similar cases",
                 "Honduras – Mara Truce", "not a forecast."):
        assert part in joined, part
    # the same content as the HTML: every finding title, and the numbered verbatim citations
    body = "\n".join(texts)
    for finding in assessment.findings:
        if finding.trigger != "unknown":
            assert finding.title in body, finding.id
    assert "1. “In some cases, this might imply waiting for a riper moment”" in body
    for finding in assessment.findings:
        if finding.trigger != "unknown":
            for citation in finding.citations:
                assert f"“{citation.quote}” — ifit-2021, section “{citation.section}”" in body
    assert "2. “Alternatively, the state can put off negotiations" in body
    # classification in every page's header and footer; page numbers are Word fields
    assert section.header.paragraphs[0].text == "RESTRICTED"
    footer = section.footer._element.xml
    assert "RESTRICTED" in footer and " PAGE " in footer and " NUMPAGES " in footer
    # the outlook chart as a picture, and no user name in the metadata
    assert len(document.inline_shapes) == 1
    props = document.core_properties
    assert props.author == "" and props.last_modified_by == ""
    assert props.title.startswith("Mara truce offered")


def test_front_page_stays_under_500_words_for_every_case(
        codebook: Codebook, bundled_cases: list[Case], sources: dict[str, QuoteChecker]) -> None:
    from parley.domain.scenario import parse_scenario, scenario_from_case

    weights = load_similarity_weights(codebook)
    guidelines, rules = load_guidelines(codebook, sources), load_brief_rules(codebook, sources)
    pool = CasePool.build(bundled_cases, codebook, weights)
    settings = load_outlook_settings(codebook)
    evaluation = evaluate(bundled_cases, codebook, weights, settings)
    params = fit_outlook(bundled_cases, codebook, weights, settings, evaluation)
    text = caveat(evaluation)
    scenarios = [scenario_from_case(c, codebook) for c in bundled_cases]
    scenarios.append(parse_scenario({}, codebook))
    for scenario in scenarios:
        html = render_html(assess(scenario, guidelines, pool, params, text, rules=rules),
                           codebook)
        assert len(front_page_text(html).split()) <= 500, scenario.title
