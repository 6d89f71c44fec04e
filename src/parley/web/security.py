"""Security headers on every response (CSP without inline scripts, no framing, no sniffing)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


CACHEABLE_PREFIXES = ("/static/",)
"""Paths whose answers may be cached: the bundled assets only."""
NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))


class ResponseHeaders:
    """Pure ASGI: the security headers on every answer (unless a route set its own), and
    `Cache-Control: no-store` on every answer but static assets.

    Workspaces, items, saved assessments, account pages and API answers can hold restricted
    content, and even the case base is restricted when PARLEY_PUBLIC_CASES=false: one rule for
    every route cannot miss one (a shared proxy or the browser's disk cache keeps nothing).
    Pure ASGI rather than `@app.middleware("http")`, which ran each response through a task
    and a memory stream: the two of them were a third of a small API answer's time (issue 14).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.defaults = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                         for k, v in HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.defaults if k not in present]
                if not cacheable:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append(NO_STORE[0])
                    if b"pragma" not in present:
                        headers.append(NO_STORE[1])
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(ResponseHeaders)
