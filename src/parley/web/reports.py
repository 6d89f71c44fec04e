"""The workspace's process report over HTTP: the API route and the page's download button
share this one response (`?format=html|pdf|docx`, else the Accept header, else HTML)."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from parley.domain.account import Principal
from parley.render.process_report import RENDERERS, render_report, report_filename
from parley.web.briefs import Paper, accepted
from parley.web.deps import get_parley


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    docx = "docx"


_BY_TYPE = {media.split(";")[0]: ReportFormat(fmt) for fmt, media in RENDERERS.items()}


def chosen(request: Request, fmt: ReportFormat | None) -> ReportFormat:
    return fmt or accepted(request, _BY_TYPE) or ReportFormat.html


def report_response(request: Request, actor: Principal, workspace_id: str,
                    fmt: ReportFormat | None, paper: Paper) -> Response:
    """The report as `actor` may see it; PDF and DOCX as attachments, HTML inline."""
    report = get_parley(request).process_reports.report(actor, workspace_id)
    out = chosen(request, fmt)
    body = render_report(report, out.value, paper.value)
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if out is not ReportFormat.html:
        name = report_filename(report, out.value)
        headers["Content-Disposition"] = (f"attachment; filename=\"{name}\"; "
                                          f"filename*=UTF-8''{quote(name)}")
    return Response(body, media_type=RENDERERS[out.value], headers=headers)
