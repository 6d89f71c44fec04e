"""Rendering pages that hold forms: each gets a CSRF token (and the cookie it is bound to)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from parley.domain.errors import ParleyError, ValidationFailed
from parley.locale import say, say_error
from parley.web.auth import CSRF_COOKIE, CSRF_FIELD, csrf_token, principal_of, set_cookie
from parley.web.pages.render import render


def render_form(request: Request, name: str, context: dict[str, Any], status: int = 200
                ) -> HTMLResponse:
    cookies: dict[str, str] = {}
    token = csrf_token(request, cookies)
    user = principal_of(request)
    response = render(request, name, {**context, "csrf_field": CSRF_FIELD, "csrf": token,
                                      "signed_in": user}, status)
    if CSRF_COOKIE in cookies:
        set_cookie(request, response, CSRF_COOKIE, cookies[CSRF_COOKIE])
    return response


def render_confirm(request: Request, question: str, action: str, fields: dict[str, str], *,
                   cancel: str, button: str = "Delete") -> HTMLResponse:
    """The confirmation step of a delete: a page whose form posts `fields` plus confirm=yes.

    Works without JavaScript: the first POST (without confirm=yes) only shows this page.
    """
    return render_form(request, "confirm.html", {"question": question, "action": action,
                                                 "fields": fields, "cancel": cancel,
                                                 "button": button})


def problem_lines(exc: ParleyError) -> list[str]:
    """An error as lines for a form: each problem with its field."""
    if isinstance(exc, ValidationFailed):
        return [f"{p.field}: {say(p.msg) if p.msg else p.message}" if p.field
                else (say(p.msg) if p.msg else p.message) for p in exc.problems]
    return [say_error(exc)]
