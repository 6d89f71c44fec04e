"""One place that turns an assessment into the response a client asked for: JSON, Markdown,
HTML, PDF or DOCX (by `?format=` or the Accept header), with a sensible download file name."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from parley.bootstrap import Parley
from parley.domain.assessment import Assessment, assessment_to_dict
from parley.domain.errors import InvalidInput
from parley.locale import current_language
from parley.render.brief import PageSize, document_filename, render_html, render_markdown
from parley.services.texts import translate_brief_inputs


class BriefFormat(StrEnum):
    json = "json"
    md = "md"
    html = "html"
    pdf = "pdf"
    docx = "docx"


class Paper(StrEnum):
    A4 = "A4"
    Letter = "Letter"


MEDIA: dict[BriefFormat, str] = {
    BriefFormat.json: "application/json",
    BriefFormat.md: "text/markdown; charset=utf-8",
    BriefFormat.html: "text/html; charset=utf-8",
    BriefFormat.pdf: "application/pdf",
    BriefFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_BY_TYPE = {media.split(";")[0]: fmt for fmt, media in MEDIA.items()}
T = TypeVar("T")


def accepted(request: Request, by_type: Mapping[str, T]) -> T | None:
    """The first media type in the Accept header that `by_type` knows (None: none)."""
    for part in request.headers.get("accept", "").split(","):
        found = by_type.get(part.split(";")[0].strip().lower())
        if found is not None:
            return found
    return None


def negotiated(request: Request, fmt: BriefFormat | None) -> BriefFormat:
    """`?format=` wins; else the first type in Accept that Parley makes; else JSON."""
    if fmt is not None:
        return fmt
    return accepted(request, _BY_TYPE) or BriefFormat.json


def brief_response(parley: Parley, assessment: Assessment, fmt: BriefFormat, paper: Paper,
                   case_url: Callable[[str], str] | None = None) -> Response:
    """The assessment in `fmt`; documents come as attachments named after the scenario."""
    titles = parley.assessments.titles()  # as anonymous readers see them
    assessment, codebook, titles = translate_brief_inputs(
        assessment, parley.codebook, titles, current_language())
    size: PageSize = paper.value
    body: bytes | str
    if fmt is BriefFormat.json:
        body = json.dumps(assessment_to_dict(assessment), ensure_ascii=False)
    elif fmt is BriefFormat.md:
        body = render_markdown(assessment, codebook, titles, case_url)
    elif fmt is BriefFormat.html:
        body = render_html(assessment, codebook, titles, case_url)
    elif fmt is BriefFormat.pdf:
        from parley.render.documents import render_pdf

        body = render_pdf(assessment, codebook, titles, page_size=size)
    elif fmt is BriefFormat.docx:
        from parley.render.documents import render_docx

        body = render_docx(assessment, codebook, titles, page_size=size)
    else:  # pragma: no cover - the enum is exhaustive
        raise InvalidInput(f"format {fmt!r} is not one of json, md, html, pdf, docx")
    headers = {"Vary": "Accept"}
    if fmt in (BriefFormat.pdf, BriefFormat.docx, BriefFormat.md):
        name = document_filename(assessment.scenario, fmt.value)
        headers["Content-Disposition"] = (f"attachment; filename=\"{name}\"; "
                                          f"filename*=UTF-8''{quote(name)}")
    return Response(body, media_type=MEDIA[fmt], headers=headers)
