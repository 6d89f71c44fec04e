"""The language of each request, and the switch that chooses it.

Chosen by, in order: the `parley_lang` cookie the switch sets (the user's own choice), the
browser's Accept-Language (`es-HN` -> `es`), then PARLEY_LANGUAGE. The choice is put in the
request state (templates read it) and in `parley.locale`'s context variable (Python code that
calls `gettext` reads it), and answered as `Content-Language`.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.domain.errors import InvalidInput
from parley.locale import (
    LANGUAGES,
    UnknownLanguage,
    check_language,
    negotiate,
    normalise,
    set_language,
)

COOKIE = "parley_lang"
ONE_YEAR = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def choose_language(cookie_header: str | None, accept_language: str | None,
                    default: str) -> str:
    """The user's cookie, else the browser's preference, else the server default."""
    if cookie_header:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except Exception:
            jar = SimpleCookie()
        if COOKIE in jar:
            chosen = normalise(jar[COOKIE].value)
            if chosen is not None:
                return chosen
    return negotiate(accept_language) or default


class LanguageMiddleware:
    """Pure ASGI, so the context variable it sets is seen by every handler below it."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        language = choose_language(headers.get("cookie"), headers.get("accept-language"),
                                   self.default)
        scope.setdefault("state", {})["language"] = language
        set_language(language)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-language", language.encode()),
                         (b"vary", b"Accept-Language, Cookie")]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_language)


def safe_next(target: str) -> str:
    """A local path to go back to; anything else (another host, a scheme) becomes /cases."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/cases"
    return target


@router.get("/language")
def switch_language(set: Annotated[str, Query(description="en or es")],
                    next: Annotated[str, Query()] = "/cases") -> RedirectResponse:
    """Remember the chosen language in a cookie and go back to the page it was chosen on."""
    try:
        language = check_language(set, "set")
    except UnknownLanguage as exc:
        raise InvalidInput(str(exc)) from exc
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response


def install(app: FastAPI, default: str) -> None:
    app.include_router(router)
    app.add_middleware(LanguageMiddleware, default=default)


__all__ = ["COOKIE", "LANGUAGES", "choose_language", "install", "router", "safe_next"]
