"""The brief as PDF (WeasyPrint) and DOCX (python-docx): the same content and chart as HTML.

Both put page one (the decision summary) alone on the first page, number the pages, mark every
page with the classification when the scenario is restricted or secret, and carry no user name
in their metadata. WeasyPrint and python-docx are imported inside the functions: they are slow
to import and only these two outputs need them.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any

from parley.domain.assessment import Assessment
from parley.domain.codebook import Codebook
from parley.render.brief import NumberedFinding, PageSize, brief_context, render_html
from parley.render.charts import outlook_chart_png

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph

# width x height in millimetres
PAGE_MM: Mapping[str, tuple[float, float]] = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}


def render_pdf(assessment: Assessment, codebook: Codebook,
               case_titles: Mapping[str, str] | None = None, *,
               page_size: PageSize = "A4") -> bytes:
    """The brief as PDF. Nothing is fetched from outside: only `data:` URLs are allowed."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render_html(assessment, codebook, case_titles, standalone=True,
                       page_size=page_size, for_pdf=True)
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=page, url_fetcher=fetcher).write_pdf()
    return pdf


def render_docx(assessment: Assessment, codebook: Codebook,
                case_titles: Mapping[str, str] | None = None, *,
                page_size: PageSize = "A4") -> bytes:
    """The brief as DOCX, built from the same context as the HTML."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt, RGBColor

    c = brief_context(assessment, codebook, case_titles)
    doc = docx.Document()
    props = doc.core_properties
    props.author = ""  # never a user name
    props.last_modified_by = ""
    props.comments = ""
    props.title = c["title"]
    props.subject = "Parley decision brief"
    props.keywords = c["classification"] if c["classified"] else ""
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)

    width, height = PAGE_MM[page_size]
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin = section.bottom_margin = Mm(16)
        section.left_margin = section.right_margin = Mm(15)
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centre
        footer.add_run("Page ")
        _field(footer, "PAGE")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES")
        if c["classified"]:
            for part in (section.header.paragraphs[0], section.footer.add_paragraph()):
                part.alignment = 1
                run = part.add_run(c["classification"].upper())
                run.bold = True
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x1C)

    def refs(paragraph: Paragraph, numbers: tuple[int, ...]) -> None:
        if numbers:
            run = paragraph.add_run("".join(f"[{n}]" for n in numbers))
            run.font.superscript = True

    doc.add_heading(c["title"], level=0)
    doc.add_paragraph().add_run(
        "Parley decision brief. Page one is the summary; the annexes give every finding, each "
        "citing the IFIT paper verbatim (numbered citations at the end).").italic = True
    if c["warnings"]:
        p = doc.add_paragraph()
        p.add_run("Check the scenario: some values contradict each other.").bold = True
        for w in c["warnings"]:
            doc.add_paragraph(w, style="List Bullet")
    summary = c["summary"]
    if summary is not None:
        p = doc.add_paragraph()
        p.add_run(f"Verdict: {summary.label}. ").bold = True
        p.add_run(summary.meaning + " ")
        refs(p, c["verdict_refs"])
        for r in c["reasons"]:
            refs(doc.add_paragraph(r.text + " ", style="List Bullet"), r.refs)
    doc.add_heading("Top risks", level=2)
    for i, n in enumerate(c["risks"], start=1):
        p = doc.add_paragraph(f"{i}. ")
        p.add_run(n.finding.title + ". ").bold = True
        p.add_run(n.lede + " ")
        refs(p, n.refs)
    if not c["risks"]:
        doc.add_paragraph("No risk follows from what the scenario states.")
    doc.add_heading("Next actions, in order", level=2)
    for i, n in enumerate(c["actions"], start=1):
        refs(doc.add_paragraph(f"{i}. {n.finding.title} ({n.finding.phase}) "), n.refs)
    if not c["actions"]:
        doc.add_paragraph("No action follows from what the scenario states.")
    doc.add_heading("Most similar cases", level=2)
    for s in c["similar"]:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{s.title}, {100 * s.similarity:.0f}% alike: ")
        p.add_run(s.outcome).italic = True
        p.add_run(f". {s.happened}")
    if not c["similar"]:
        doc.add_paragraph("No past case is comparable on enough of what the scenario states.")
    doc.add_heading("Outlook", level=2)
    doc.add_paragraph(c["outlook_sentence"] or f"See Annex {c['extra']['outlook']}.")
    if c["find_out"]:
        p = doc.add_paragraph()
        p.add_run("Find out first: ").bold = True
        shown = [f.label for f in c["find_out"][:5]]
        more = len(c["find_out"]) - 5
        p.add_run("; ".join(shown) + (f" and {more} more" if more > 0 else "")
                  + f" (Annex {c['extra']['find-out']}).")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # page one ends here

    def finding(n: NumberedFinding, heading: bool) -> None:
        f = n.finding
        tags = f"{f.kind}, {f.severity}" + (", general" if f.trigger == "always" else "")
        if heading:
            doc.add_heading(f"{f.title} ({tags})", level=3)
        else:
            p = doc.add_paragraph()
            p.add_run(f"{f.title} ").bold = True
            p.add_run(f"({tags})")
        refs(doc.add_paragraph(f.message + " "), n.refs)
        if n.checklist is not None:
            doc.add_paragraph(f"Checklist ({n.checklist.status}): {n.checklist.item}")
        if f.beyond_paper is not None:
            doc.add_paragraph(f"Beyond the paper: {f.beyond_paper.note} (source: "
                              f"{f.beyond_paper.source})")

    for annex in c["annexes"]:
        doc.add_heading(f"Annex {annex.letter}. {annex.title}", level=1)
        for e in annex.entries:
            finding(e.lead, True)
            for n in e.related:
                finding(n, False)
            if e.cases:
                doc.add_paragraph("Cases: " + "; ".join(c["case_title"](x) for x in e.cases)
                                  + ".")
    if c["find_out"]:
        doc.add_heading(f"Annex {c['extra']['find-out']}. What to find out first", level=1)
        doc.add_paragraph("These lessons apply only because the scenario does not say; finding "
                          "out settles whether they do.")
        for item in c["find_out"]:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(item.label).bold = True
            p.add_run(f" ({item.question}) decides: ")
            for i, n in enumerate(item.findings):
                p.add_run(("; " if i else "") + n.finding.title + " ")
                refs(p, n.refs)
    _similar_table(doc, c)
    doc.add_heading(f"Annex {c['extra']['outlook']}. Outlook", level=1)
    png = outlook_chart_png(c["classes"], "Outlook: probability of each outcome class")
    doc.add_picture(BytesIO(png), width=Mm(130))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for cls, share in c["classes"]:
        row = table.add_row().cells
        row[0].text, row[1].text = cls, f"{100 * share:.0f}%"
    a = c["a"]
    doc.add_paragraph(f"How it was derived: {a.outlook.basis}")
    doc.add_paragraph(f"Caveat: {a.outlook.caveat}")
    doc.add_heading(f"Annex {c['extra']['situation']}. The scenario as described", level=1)
    if c["notes"]:
        doc.add_paragraph(c["notes"])
    if c["described"]:
        doc.add_paragraph(f"The scenario states {len(c['described'])} of {c['n_variables']} "
                          "variables; the rest are unknown.")
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, _name, _definition, value in c["described"]:
            row = table.add_row().cells
            row[0].text, row[1].text = label, value
    else:
        doc.add_paragraph(f"The scenario states none of the {c['n_variables']} variables.")
    doc.add_heading("Citations", level=1)
    for citation, number in c["citations"]:
        doc.add_paragraph(f"{number}. “{citation.quote}” — {citation.source}, section "
                          f"“{citation.section}”.")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _similar_table(doc: DocxDocument, c: Mapping[str, Any]) -> None:
    doc.add_heading(f"Annex {c['extra']['similar']}. Similar cases", level=1)
    cases = c["a"].similar_cases
    if not cases:
        doc.add_paragraph("No past case is comparable on enough of the variables the scenario "
                          "describes.")
        return
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells,
                          ("case", "alike", "outcome", "shared", "different"), strict=True):
        cell.text = text
    for s in cases:
        row = table.add_row().cells
        values = (c["case_title"](s.id), f"{100 * s.similarity:.0f}%",
                  s.outcome_class.replace("-", " "), ", ".join(s.shared), ", ".join(s.different))
        for cell, text in zip(row, values, strict=True):
            cell.text = text
    doc.add_paragraph("Similarity is a weighted share of the variables known on both sides "
                      "(unknown never counts as a match).")


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


__all__ = ["PAGE_MM", "render_docx", "render_pdf"]
