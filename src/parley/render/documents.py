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
from parley.locale import format_percent
from parley.locale import gettext as _
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
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm

    c = brief_context(assessment, codebook, case_titles)
    doc = new_docx(c["title"], _("Parley brief"),
                   c["classification"] if c["classified"] else None, page_size)

    def refs(paragraph: Paragraph, numbers: tuple[int, ...]) -> None:
        if numbers:
            run = paragraph.add_run("".join(f"[{n}]" for n in numbers))
            run.font.superscript = True

    doc.add_heading(c["title"], level=0)
    doc.add_paragraph().add_run(
        _("Parley decision brief. Page one is the summary; the annexes give every finding, each "
          "citing the IFIT paper verbatim (numbered citations at the end).")).italic = True
    if c["warnings"]:
        p = doc.add_paragraph()
        p.add_run(_("Check the scenario: some values contradict each other.")).bold = True
        for w in c["warnings"]:
            doc.add_paragraph(w, style="List Bullet")
    summary = c["summary"]
    if summary is not None:
        p = doc.add_paragraph()
        p.add_run(f"{_('Verdict:')} {summary.label}. ").bold = True
        p.add_run(summary.meaning + " ")
        refs(p, c["verdict_refs"])
        for r in c["reasons"]:
            refs(doc.add_paragraph(r.text + " ", style="List Bullet"), r.refs)
    doc.add_heading(_("Top risks"), level=2)
    for i, n in enumerate(c["risks"], start=1):
        p = doc.add_paragraph(f"{i}. ")
        p.add_run(n.finding.title + ". ").bold = True
        p.add_run(n.lede + " ")
        refs(p, n.refs)
    if not c["risks"]:
        doc.add_paragraph(_("No risk follows from what the scenario states."))
    doc.add_heading(_("Next actions, in order"), level=2)
    for i, n in enumerate(c["actions"], start=1):
        refs(doc.add_paragraph(f"{i}. {n.finding.title} ({_(n.finding.phase)}) "), n.refs)
    if not c["actions"]:
        doc.add_paragraph(_("No action follows from what the scenario states."))
    doc.add_heading(_("Most similar cases"), level=2)
    for s in c["similar"]:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{s.title}, " + _("%(pct)s alike") % {"pct": format_percent(s.similarity)} + ": ")
        p.add_run(s.outcome).italic = True
        p.add_run(f". {s.happened}")
    if not c["similar"]:
        doc.add_paragraph(_("No past case is comparable on enough of what the scenario states."))
    doc.add_heading(_("Outlook"), level=2)
    doc.add_paragraph(c["outlook_sentence"]
                      or _("See Annex %(letter)s.") % {"letter": c["extra"]["outlook"]})
    if c["find_out"]:
        p = doc.add_paragraph()
        p.add_run(_("Find out first:") + " ").bold = True
        shown = [f.label for f in c["find_out"][:5]]
        more = len(c["find_out"]) - 5
        p.add_run("; ".join(shown) + (" " + _("and %(n)s more") % {"n": more} if more > 0 else "")
                  + f" ({_('Annex')} {c['extra']['find-out']}).")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # page one ends here

    def finding(n: NumberedFinding, heading: bool) -> None:
        f = n.finding
        tags = f"{_(f.kind)}, {_(f.severity)}" + (
            ", " + _("general") if f.trigger == "always" else "")
        if heading:
            doc.add_heading(f"{f.title} ({tags})", level=3)
        else:
            p = doc.add_paragraph()
            p.add_run(f"{f.title} ").bold = True
            p.add_run(f"({tags})")
        refs(doc.add_paragraph(f.message + " "), n.refs)
        if n.checklist is not None:
            doc.add_paragraph(f"{_('Checklist')} ({_(n.checklist.status)}): {n.checklist.item}")
        if f.beyond_paper is not None:
            doc.add_paragraph(f"{_('Beyond the paper:')} {f.beyond_paper.note} "
                              f"({_('source:')} {f.beyond_paper.source})")

    for annex in c["annexes"]:
        doc.add_heading(f"{_('Annex')} {annex.letter}. {_(annex.title)}", level=1)
        for e in annex.entries:
            finding(e.lead, True)
            for n in e.related:
                finding(n, False)
            if e.cases:
                doc.add_paragraph(_("Cases:") + " " + "; ".join(c["case_title"](x) for x in e.cases)
                                  + ".")
    if c["find_out"]:
        doc.add_heading(f"{_('Annex')} {c['extra']['find-out']}. {_('What to find out first')}",
                        level=1)
        doc.add_paragraph(_("These lessons apply only because the scenario does not say; "
                            "finding out settles whether they do."))
        for item in c["find_out"]:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(item.label).bold = True
            p.add_run(f" ({item.question}) {_('decides:')} ")
            for i, n in enumerate(item.findings):
                p.add_run(("; " if i else "") + n.finding.title + " ")
                refs(p, n.refs)
    _similar_table(doc, c)
    doc.add_heading(f"{_('Annex')} {c['extra']['outlook']}. {_('Outlook')}", level=1)
    png = outlook_chart_png(c["classes"], _("Outlook: probability of each outcome class"))
    doc.add_picture(BytesIO(png), width=Mm(130))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for cls, share in c["classes"]:
        row = table.add_row().cells
        row[0].text, row[1].text = cls, format_percent(share)
    a = c["a"]
    doc.add_paragraph(f"{_('How it was derived:')} {a.outlook.basis}")
    doc.add_paragraph(f"{_('Caveat:')} {a.outlook.caveat}")
    doc.add_heading(f"{_('Annex')} {c['extra']['situation']}. "
                    f"{_('The scenario as described')}", level=1)
    if c["notes"]:
        doc.add_paragraph(c["notes"])
    if c["described"]:
        doc.add_paragraph(_("The scenario states %(n)s of %(total)s variables; the rest are "
                            "unknown.") % {"n": len(c["described"]), "total": c["n_variables"]})
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, _name, _definition, value in c["described"]:
            row = table.add_row().cells
            row[0].text, row[1].text = label, value
    else:
        doc.add_paragraph(_("The scenario states none of the %(total)s variables.")
                          % {"total": c["n_variables"]})
    doc.add_heading(_("Citations"), level=1)
    for citation, number in c["citations"]:
        doc.add_paragraph(f"{number}. “{citation.quote}” — {citation.source}, {_('section')} "
                          f"“{citation.section}”.")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def new_docx(title: str, subject: str, classification: str | None,
             page_size: PageSize) -> DocxDocument:
    """An empty DOCX as every Parley document starts: metadata with no user name, page size
    and margins, "Page N of M" in every footer, and the classification (restricted or secret;
    None for public content) at the top and bottom of every page."""
    import docx
    from docx.shared import Mm, Pt, RGBColor

    doc = docx.Document()
    props = doc.core_properties
    props.author = props.last_modified_by = props.comments = ""  # never a user name
    props.title, props.subject = title, subject
    props.keywords = classification or ""
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
        footer.add_run(_("Page") + " ")
        word_field(footer, "PAGE")
        footer.add_run(" " + _("of") + " ")
        word_field(footer, "NUMPAGES")
        if classification:
            for part in (section.header.paragraphs[0], section.footer.add_paragraph()):
                part.alignment = 1
                run = part.add_run(classification.upper())
                run.bold = True
                run.font.color.rgb = RGBColor(0x8A, 0x1C, 0x1C)
    return doc


def _similar_table(doc: DocxDocument, c: Mapping[str, Any]) -> None:
    doc.add_heading(f"{_('Annex')} {c['extra']['similar']}. {_('Similar cases')}", level=1)
    cases = c["a"].similar_cases
    if not cases:
        doc.add_paragraph(_("No past case is comparable on enough of the variables the "
                            "scenario describes."))
        return
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells,
                          (_("case"), _("alike"), _("outcome"), _("shared"), _("different")),
                          strict=True):
        cell.text = text
    for s in cases:
        row = table.add_row().cells
        values = (c["case_title"](s.id), format_percent(s.similarity),
                  s.outcome_class.replace("-", " "), ", ".join(s.shared), ", ".join(s.different))
        for cell, text in zip(row, values, strict=True):
            cell.text = text
    doc.add_paragraph(_("Similarity is a weighted share of the variables known on both sides "
                        "(unknown never counts as a match)."))


def word_field(paragraph: Paragraph, code: str) -> None:
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


__all__ = ["PAGE_MM", "new_docx", "render_docx", "render_pdf"]
