"""The workspace's process report as HTML, PDF (WeasyPrint) and DOCX (python-docx).

All three come from one context built from a `ProcessReport` (what one reader may see), so
they hold the same content; the PDF is the HTML laid out by WeasyPrint, the DOCX is built from
the same context. Every page of the PDF and DOCX carries the classification of the most
classified content in the report (restricted or secret) and a page number; no user name goes
into document metadata. The ITS chart is SVG in HTML and PDF, PNG in DOCX (`render/charts.py`).
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from markupsafe import Markup

from parley.locale import format_date, format_decimal
from parley.locale import gettext as _
from parley.render.brief import PageSize, template_environment
from parley.render.charts import actor_map_png, actor_map_svg, its_chart, its_chart_png
from parley.render.documents import PAGE_MM, new_docx
from parley.services.process_reports import UPCOMING_DAYS, ProcessReport, SeriesSection


@dataclass(frozen=True)
class _Series:
    section: SeriesSection
    title: str
    chart: Markup | None
    chart_uri: str

    @property
    def png(self) -> bytes | None:
        result = self.section.result
        return None if result is None else its_chart_png(result, self.title)


def _fmt(value: float | None) -> str:
    return "" if value is None else format_decimal(value, digits=3)


def report_context(report: ProcessReport) -> dict[str, Any]:
    sections = []
    for section in report.series:
        s = section.stored.series
        title = f"{s.indicator} — {s.locality}"
        svg = its_chart(section.result, title) if section.result is not None else None
        uri = ("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
               if svg else "")
        sections.append(_Series(section, title,
                                Markup(svg) if svg else None,  # noqa: S704 - escaped SVG
                                uri))

    def name(item_id: object) -> str:
        """A referenced item's title; blank when absent or above the reader's clearance."""
        return report.names.get(str(item_id), "") if item_id else ""

    actors = actor_map_svg(report.actors, report.workspace.name) if report.actors.nodes else ""
    return {"r": report, "sections": sections, "name": name, "fmt": _fmt,
            "upcoming_days": UPCOMING_DAYS,
            "actors_svg": Markup(actors),  # noqa: S704 - escaped SVG
            "actors_uri": "data:image/svg+xml;base64," + base64.b64encode(actors.encode()).decode()}


def render_report_html(report: ProcessReport, *, page_size: PageSize = "A4",
                       for_pdf: bool = False) -> str:
    return template_environment(True).get_template("report.html.j2").render(
        **report_context(report), page_size=page_size, for_pdf=for_pdf)


def render_report_pdf(report: ProcessReport, *, page_size: PageSize = "A4") -> bytes:
    """The report as PDF; nothing is fetched from outside (only `data:` URLs)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render_report_html(report, page_size=page_size, for_pdf=True)
    pdf: bytes = HTML(string=page, url_fetcher=URLFetcher(allowed_protocols={"data"})
                      ).write_pdf()
    return pdf


def render_report_docx(report: ProcessReport, *, page_size: PageSize = "A4") -> bytes:
    from docx.shared import Mm

    c = report_context(report)
    doc = new_docx(report.workspace.name, _("Process report"),
                   report.classification.value if report.classified else None, page_size)
    width = PAGE_MM[page_size][0]

    def table(headers: list[str], rows: list[list[str]]) -> None:
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            cell.text = text
        for row in rows:
            for cell, text in zip(t.add_row().cells, row, strict=True):
                cell.text = text

    def status(value: object) -> str:
        return str(value or "").replace("-", " ")

    doc.add_heading(report.workspace.name, level=0)
    doc.add_paragraph(_("Process report of %(date)s for the role “%(role)s”: only what this "
                        "role's clearance allows is included.")
                      % {"date": format_date(report.today), "role": _(report.role.value)})
    if report.workspace.description:
        doc.add_paragraph(report.workspace.description)
    doc.add_heading(_("Alerts"), level=1)
    for a in report.alerts:
        doc.add_paragraph(f"{a.title} ({format_date(a.date)}) — {a.detail}")
    if not report.alerts:
        doc.add_paragraph(_("No alert."))
    doc.add_heading(_("Open risks"), level=1)
    for title, phase, message in report.open_risks:
        doc.add_paragraph(f"{_(title)} ({_(phase)}) — {message}")
    if not report.open_risks:
        doc.add_paragraph(_("No open risk in the living assessment."))
    doc.add_heading(_("Deadlines"), level=1)
    due = ([[i.title, str(i.fields.get("deadline")), status(i.fields.get("status")),
             _("overdue")] for i in report.overdue]
           + [[i.title, str(i.fields.get("deadline")), status(i.fields.get("status")),
               _("within %(days)s days") % {"days": UPCOMING_DAYS}] for i in report.upcoming])
    if due:
        table([_("Commitment"), _("Due"), _("Status"), ""], due)
    else:
        doc.add_paragraph(_("No open commitment is overdue or due within %(days)s days.")
                          % {"days": UPCOMING_DAYS})
    doc.add_heading(_("Commitments"), level=1)
    if report.commitments:
        table([_("Commitment"), _("Responsible actor"), _("Deadline"), _("Status"), _("How it is verified")],
              [[str(i.fields.get("text") or ""), c["name"](i.fields.get("actor")),
                str(i.fields.get("deadline") or ""), status(i.fields.get("status")),
                str(i.fields.get("verification") or "")] for i in report.commitments])
    else:
        doc.add_paragraph(_("No commitment recorded."))
    doc.add_heading(_("Breaches"), level=1)
    if report.breaches:
        table([_("Date"), _("What happened"), _("Commitment breached"), _("Status")],
              [[format_date(str(i.fields.get("date") or "")),
                str(i.fields.get("description") or ""),
                c["name"](i.fields.get("commitment")), status(i.fields.get("status"))]
               for i in report.breaches])
    else:
        doc.add_paragraph(_("No breach recorded."))
    doc.add_heading(_("Sessions"), level=1)
    if report.sessions:
        table([_("Date"), _("Place"), _("Summary")],
              [[format_date(str(i.fields.get("date") or "")), str(i.fields.get("place") or ""),
                str(i.fields.get("summary") or "")] for i in report.sessions])
    else:
        doc.add_paragraph(_("No session recorded."))
    doc.add_heading(_("Actor map"), level=1)
    if report.actors.nodes:
        doc.add_picture(BytesIO(actor_map_png(report.actors, report.workspace.name)),
                        width=Mm(width - 30))
        table([_("Name"), _("Type"), _("Stance"), _("Influence (0-5)"), _("Relationships")],
              [[n.name + (" ⚠ " + _("spoiler") + (f" ({_(n.spoiler_type)})" if n.spoiler_type
                                                   else "") if n.spoiler else ""),
                _(n.type), _(n.stance),
                "" if n.influence is None else str(n.influence),
                "; ".join(f"{_(kind)}: {other}" for kind, other in report.actors.links_of(n.id))]
               for n in report.actors.nodes])
    else:
        doc.add_paragraph(_("No party to show."))
    doc.add_heading(_("Violence before and after"), level=1)
    for s in c["sections"]:
        doc.add_heading(s.title, level=2)
        result = s.section.result
        if result is not None:
            png = s.png
            assert png is not None
            doc.add_picture(BytesIO(png), width=Mm(width - 30))
            doc.add_paragraph(_(
                "Level change after %(date)s: rate ratio %(rr)s (95%% interval %(lo)s to "
                "%(hi)s), %(model)s model, %(n)s periods.") % {
                "date": result.intervention, "rr": _fmt(result.level_change.rate_ratio),
                "lo": _fmt(result.level_change.ci[0]), "hi": _fmt(result.level_change.ci[1]),
                "model": result.model.value, "n": result.n})
            for warning in result.warnings:
                doc.add_paragraph(warning)
        else:
            doc.add_paragraph(_("No estimate: %(why)s.") % {"why": s.section.problem})
        if s.section.table:
            table([_("Locality"), _("Mean before"), _("Mean after"), _("Change"),
                   _("95%% CI") % {}],
                  [[row.locality, _fmt(row.mean_before), _fmt(row.mean_after),
                    _fmt(row.change),
                    f"{_fmt(row.ci[0])} – {_fmt(row.ci[1])}" if row.ci else ""]
                   for row in s.section.table])
    if not c["sections"]:
        doc.add_paragraph(_("No indicator series stored."))
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def report_filename(report: ProcessReport, extension: str) -> str:
    """`parley-report-<workspace words>-<date>.<ext>`, ASCII only."""
    words = unicodedata.normalize("NFKD", report.workspace.name).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", words.decode().lower()).strip("-")[:50].strip("-")
    stem = f"parley-report-{slug}" if slug else "parley-report"
    return f"{stem}-{report.today.isoformat()}.{extension}"


RENDERERS: Mapping[str, str] = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                                "docx": "application/vnd.openxmlformats-officedocument."
                                        "wordprocessingml.document"}
"""The report's formats and their media types."""


def render_report(report: ProcessReport, fmt: str, page_size: PageSize = "A4") -> bytes:
    """The report in `fmt` (html, pdf or docx)."""
    if fmt == "html":
        return render_report_html(report, page_size=page_size).encode()
    if fmt == "pdf":
        return render_report_pdf(report, page_size=page_size)
    if fmt == "docx":
        return render_report_docx(report, page_size=page_size)
    raise ValueError(f"format {fmt!r}; allowed: html, pdf, docx")
