"""Jinja environment and helpers shared by the pages."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from parley import __version__
from parley.domain.case import value_to_json
from parley.domain.evidence import CodedValue
from parley.domain.listing import MARK_END, MARK_START


def highlight(text: str | None) -> Markup:
    """Escape text, then turn search-match markers into <mark> (the only markup allowed)."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def show_value(coded: CodedValue) -> str:
    value = value_to_json(coded.value)
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


@cache
def templates() -> Jinja2Templates:
    folder = str(resources.files("parley.web").joinpath("templates"))
    t = Jinja2Templates(directory=folder)
    t.env.filters["highlight"] = highlight
    t.env.filters["show_value"] = show_value
    t.env.globals["version"] = __version__
    return t


def render(request: Request, name: str, context: dict[str, Any], status: int = 200
           ) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status)
