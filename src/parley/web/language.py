"""The language of each request, and the switch that chooses it.

Chosen by, in order: the signed-in account's language (pages: the session cookie; the API: the
bearer token), the `parley_lang` cookie the switch sets (this browser's choice), the browser's
Accept-Language (`es-HN` -> `es`), then PARLEY_LANGUAGE. The switch sets the cookie and, when
signed in, the account's language too, so a click is never undone by an older account setting
(docs/i18n.md). The choice is put in the request state (templates read it) and in
`parley.locale`'s context variable (Python code that calls `gettext` reads it), and answered as
`Content-Language`.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Annotated
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.bootstrap import Parley
from parley.domain.errors import InvalidInput, ParleyError
from parley.locale import (
    LANGUAGES,
    UnknownLanguage,
    check_language,
    negotiate,
    normalise,
    set_language,
)
from parley.web.auth import SESSION_COOKIE
from parley.web.deps import get_parley

COOKIE = "parley_lang"
ONE_YEAR = 365 * 24 * 3600

AccountLanguage = Callable[[str, str], str | None]
"""(session cookie, bearer token) -> the signed-in account's language, or None."""

router = APIRouter(include_in_schema=False)


def _cookies(cookie_header: str | None) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    if cookie_header:
        try:
            jar.load(cookie_header)
        except Exception:
            jar = SimpleCookie()
    return jar


def choose_language(cookie_header: str | None, accept_language: str | None,
                    default: str, account: str | None = None) -> str:
    """The account's language, else this browser's cookie, else the browser's preference,
    else the server default."""
    if account is not None and normalise(account) is not None:
        return normalise(account) or default
    jar = _cookies(cookie_header)
    if COOKIE in jar:
        chosen = normalise(jar[COOKIE].value)
        if chosen is not None:
            return chosen
    return negotiate(accept_language) or default


def account_language(parley: Parley) -> AccountLanguage:
    """The signed-in account's language, looked up like web/auth.py authenticates."""

    def look_up(session: str, bearer: str) -> str | None:
        principal = (parley.accounts.token(bearer) if bearer
                     else parley.accounts.session(session))
        if principal is None:
            return None
        try:
            return parley.accounts.user(principal.name).language
        except ParleyError:  # the account went away meanwhile: as if signed out
            return None

    return look_up


class LanguageMiddleware:
    """Pure ASGI, so the context variable it sets is seen by every handler below it."""

    def __init__(self, app: ASGIApp, default: str,
                 account: AccountLanguage | None = None) -> None:
        self.app = app
        self.default = default
        self.account = account

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        chosen_by_account = None
        if self.account is not None:
            session = ""
            jar = _cookies(headers.get("cookie"))
            if SESSION_COOKIE in jar:
                session = jar[SESSION_COOKIE].value
            scheme, _, bearer = headers.get("authorization", "").partition(" ")
            bearer = bearer.strip() if scheme.lower() == "bearer" else ""
            if not scope.get("path", "").startswith("/api/"):
                bearer = ""  # pages authenticate by session only, as web/auth.py does
            else:
                session = ""
            if session or bearer:
                # a database read: off the event loop, like the handlers' own
                chosen_by_account = await to_thread.run_sync(self.account, session, bearer)
        language = choose_language(headers.get("cookie"), headers.get("accept-language"),
                                   self.default, chosen_by_account)
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
def switch_language(request: Request, set: Annotated[str, Query(description="en or es")],
                    next: Annotated[str, Query()] = "/cases") -> RedirectResponse:
    """Remember the chosen language in a cookie (and, signed in, as the account's language:
    audited) and go back to the page it was chosen on."""
    try:
        language = check_language(set, "set")
    except UnknownLanguage as exc:
        raise InvalidInput(str(exc)) from exc
    parley = get_parley(request)
    principal = parley.accounts.session(request.cookies.get(SESSION_COOKIE, ""))
    if principal is not None:
        parley.accounts.set_language(principal, principal.name, language)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response


def install(app: FastAPI, default: str, parley: Parley | None = None) -> None:
    app.include_router(router)
    app.add_middleware(LanguageMiddleware, default=default,
                       account=account_language(parley) if parley is not None else None)


__all__ = ["COOKIE", "LANGUAGES", "choose_language", "install", "router", "safe_next"]
