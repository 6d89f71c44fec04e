"""Request limits in one place: body size while streaming, JSON body limits, per-client rates.

Two pure ASGI middlewares, so nothing is read before a limit is checked:

* `BodyLimit`: a declared Content-Length over the limit is answered 413 before one byte of
  the body is read; a body without one (chunked) is counted as it arrives and answered 413
  as soon as it crosses the limit, the rest never read. File uploads (multipart) may be up
  to PARLEY_MAX_UPLOAD_BYTES (all files of one request together, plus 64 KiB for the form),
  every other body (JSON, forms) up to PARLEY_MAX_BODY_BYTES.
  JSON bodies are also held to the document limits of `interchange.documents` (depth,
  integer length, lone surrogates) and answered 400 naming what broke them.
* `RateLimit`: token buckets per client address and route class: sign-in and first-start
  setup (PARLEY_RATE_LIMIT_SIGNIN a minute) and every public endpoint that computes
  (PARLEY_RATE_LIMIT_WORK a minute). Over the limit: 429 with Retry-After.

The client is the peer address of the connection. X-Forwarded-For is believed only when the
peer is one of PARLEY_TRUSTED_PROXIES: anyone can send the header, so trusting it by default
would let every request claim a fresh address and walk past the limit. The buckets live in
this process: N server processes allow N times the rate (docs/security.md).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from parley.bootstrap import Settings
from parley.domain.errors import ValidationFailed
from parley.services.inputs import parse_json_body
from parley.services.qca import BudgetExceeded
from parley.web.deps import is_api_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FORM_OVERHEAD = 64 * 1024  # an upload's multipart framing and its other fields
SIGNIN = "sign-in"
WORK = "work"
# (method, path pattern, class): the public routes that check a password or compute
RULES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), kind) for method, pattern, kind in (
        ("POST", r"/login", SIGNIN),
        ("POST", r"/setup/[^/]+", SIGNIN),
        ("POST", r"/api/assess", WORK),
        ("POST", r"/assess(/download)?", WORK),
        ("GET", r"/assess/saved/[^/]+(/download)?", WORK),
        ("POST", r"/api/qca(/cases|/calibrate)?", WORK),
        ("GET", r"/api/crosstab", WORK),
        ("GET", r"/analysis(/qca)?", WORK),
        ("POST", r"/analysis/calibrate", WORK),
        ("GET", r"/api/cases", WORK),
        ("GET", r"/cases(/export)?", WORK),
        ("POST", r"/api/cases/import", WORK),
        ("GET", r"/(api/)?compare", WORK),
    ))


def rate_class(method: str, path: str) -> str | None:
    """The limited class of a request, or None for routes without a per-client limit."""
    for m, pattern, kind in RULES:
        if method == m and pattern.fullmatch(path):
            return kind
    return None


def _is_api(scope: Scope) -> bool:
    return is_api_path(str(scope.get("path", "")))


async def _answer(scope: Scope, send: Send, status: int, message: str,
                  headers: dict[str, str] | None = None,
                  problems: list[dict[str, object]] | None = None) -> None:
    """A complete error response: the JSON error shape for /api, a small page otherwise."""
    if _is_api(scope):
        body_obj: dict[str, object] = {"message": message}
        if problems is not None:
            body_obj["problems"] = problems
        body = json.dumps({"error": body_obj}).encode()
        ctype = "application/json"
    else:
        body = (f"<!doctype html><title>{status}</title><h1>{status}</h1>"
                f"<p>{escape(message)}</p>").encode()
        ctype = "text/html; charset=utf-8"
    raw = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode()),
           (b"cache-control", b"no-store")]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """Raised into the app once the 413 is sent, so it stops reading."""


@dataclass
class BodyLimit:
    """ASGI middleware: 413 before reading a body over its limit (see the module doc)."""

    app: ASGIApp
    max_body: int
    max_upload: int

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        ctype = headers.get("content-type", "").lower()
        upload = ctype.startswith("multipart/")
        limit = self.max_upload + FORM_OVERHEAD if upload else self.max_body
        what = "upload" if upload else "request body"
        setting = "PARLEY_MAX_UPLOAD_BYTES" if upload else "PARLEY_MAX_BODY_BYTES"
        too_large = (f"{what} larger than {limit} bytes: the limit is {setting}"
                     + (f" = {self.max_upload} plus {FORM_OVERHEAD} for the form" if upload
                        else ""))
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isascii() or not declared.isdigit() or len(declared) > 18:
                await _answer(scope, send, 400, f"Content-Length {declared[:40]!r} is not a "
                              "number of bytes")
                return
            if int(declared) > limit:
                await _answer(scope, send, 413, too_large)
                return
        if "json" in ctype:
            await self._json(scope, receive, send, limit, too_large)
            return
        await self._streamed(scope, receive, send, limit, too_large)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int,
                        too_large: str) -> None:
        seen = 0
        answered = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, answered
            if answered:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    answered = True
                    if not started:  # and close: the client's remaining bytes go unread
                        await _answer(scope, send, 413, too_large, {"Connection": "close"})
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 413 went out; whatever the app answers now is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not answered:
                raise

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int,
                    too_large: str) -> None:
        """Read the JSON body whole (it is small), check it, then hand it on unchanged."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await _answer(scope, send, 413, too_large, {"Connection": "close"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                parse_json_body(body)
            except ValidationFailed as exc:
                problems: list[dict[str, object]] = [
                    {"message": p.message, "file": p.file, "line": p.line, "case": p.case,
                     "field": p.field} for p in exc.problems]
                await _answer(scope, send, 400, str(exc), problems=problems)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class TokenBuckets:
    """Per-key token buckets: `per_minute` requests a minute, bursts of as many."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 50_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> float:
        """Take one token for `key`: 0 when allowed, else the seconds until one is free."""
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._prune(now, rate)
                bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
            bucket.tokens = min(float(self.per_minute),
                                bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate

    def _prune(self, now: float, rate: float) -> None:
        """Forget clients whose bucket has refilled (they are as if new), oldest first."""
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.stamp) * rate >= self.per_minute]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # all busy: drop the oldest half
            for k, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].stamp)[
                    : self.max_keys // 2]:
                del self._buckets[k]


def client_address(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    """The peer address; behind a trusted proxy, the nearest untrusted X-Forwarded-For hop."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded: list[str] = [bytes(v).decode("latin-1") for k, v in scope.get("headers", [])
                            if bytes(k).lower() == b"x-forwarded-for"]
    hops = [h.strip() for line in forwarded for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


@dataclass
class NoNul:
    """ASGI middleware: 422 naming the parameter for a NUL character in the path or query.
    No id, code or search text holds one, and PostgreSQL refuses it in text (a 500 before)."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = str(scope.get("path", ""))
            query = parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"),
                              keep_blank_values=True)
            bad = ["path"] if "\x00" in path else []
            bad += [name for name, value in query if "\x00" in name or "\x00" in value]
            if bad:
                message = ", ".join(dict.fromkeys(bad)) + ": a NUL character (%00) is not allowed"
                await _answer(scope, send, 422, message,
                              problems=[{"field": f, "message": "a NUL character (%00) is not "
                                         "allowed"} for f in dict.fromkeys(bad)])
                return
        await self.app(scope, receive, send)


@dataclass
class RateLimit:
    """ASGI middleware: 429 with Retry-After once a client exceeds its class's rate."""

    app: ASGIApp
    signin_per_minute: int
    work_per_minute: int
    trusted_proxies: frozenset[str] = frozenset()
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, TokenBuckets] = field(init=False)

    def __post_init__(self) -> None:
        self.buckets = {
            kind: TokenBuckets(n, self.clock)
            for kind, n in ((SIGNIN, self.signin_per_minute), (WORK, self.work_per_minute))
            if n > 0
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            kind = rate_class(str(scope.get("method", "")), str(scope.get("path", "")))
            buckets = self.buckets.get(kind) if kind else None
            if buckets is not None:
                wait = buckets.take(client_address(scope, self.trusted_proxies))
                if wait > 0:
                    retry = max(1, math.ceil(wait))
                    what = ("sign-in attempts" if kind == SIGNIN
                            else "requests to endpoints that compute")
                    setting = ("PARLEY_RATE_LIMIT_SIGNIN" if kind == SIGNIN
                               else "PARLEY_RATE_LIMIT_WORK")
                    await _answer(scope, send, 429,
                                  f"too many {what} from your address: at most "
                                  f"{buckets.per_minute} a minute ({setting}); "
                                  f"try again in {retry} s", {"Retry-After": str(retry)})
                    return
        await self.app(scope, receive, send)


def parse_proxies(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


def install(app: FastAPI, settings: Settings) -> None:
    """Add the rate and body limits (outermost first: a refused client sends no body) and
    the 422 answer for a QCA request over its budget."""
    from parley.web.errors import error_body

    app.add_middleware(NoNul)
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes,
                       max_upload=settings.max_upload_bytes)
    app.add_middleware(RateLimit,
                       signin_per_minute=settings.rate_limit_signin,
                       work_per_minute=settings.rate_limit_work,
                       trusted_proxies=parse_proxies(settings.trusted_proxies))

    @app.exception_handler(BudgetExceeded)
    async def _budget(request: Request, exc: BudgetExceeded) -> Response:
        if not is_api_path(request.url.path):
            from parley.web.pages.render import render_error

            return render_error(request, 422, str(exc))
        return JSONResponse(error_body(exc), status_code=422)
