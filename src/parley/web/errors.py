"""Map Parley's errors to HTTP responses, in one place: JSON for /api, HTML for pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from parley.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    KeyUnavailable,
    NotAuthenticated,
    NotFound,
    ParleyError,
    QuerySyntaxError,
    TooLarge,
    ValidationFailed,
)
from parley.locale import say, say_error
from parley.web.deps import is_api_path


def status_of(exc: ParleyError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, NotAuthenticated):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, KeyUnavailable):
        return 503
    return 500


def error_body(exc: ParleyError) -> dict[str, object]:
    """The JSON of an error, its texts in the request's language; `code` (a stable id of the
    message, where it has one) is the same in every language."""
    body: dict[str, object] = {"message": say_error(exc)}
    if isinstance(exc, ValidationFailed):
        body["problems"] = [
            {"message": say(p.msg) if p.msg else p.message, "file": p.file, "line": p.line,
             "case": p.case, "field": p.field, "code": p.msg.code if p.msg else None}
            for p in exc.problems
        ]
    if isinstance(exc, QuerySyntaxError):
        body["message"] = say(exc.msg) if exc.msg else exc.reason
        body["code"] = exc.msg.code if exc.msg else None
        body["position"] = exc.position
        body["query"] = exc.query
    return {"error": body}


def _wants_html(request: Request) -> bool:
    return not is_api_path(request.url.path)


def install(app: FastAPI) -> None:
    from parley.web.pages.render import render_error

    @app.exception_handler(ParleyError)
    async def _parley_error(request: Request, exc: ParleyError) -> Response:
        status = status_of(exc)
        if _wants_html(request):
            if status == 401:  # pages send people to the sign-in form, then back
                from urllib.parse import quote

                from fastapi.responses import RedirectResponse

                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"/login?next={target}", status_code=303)
            return render_error(request, status, say_error(exc))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(exc), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"message": e.get("msg", ""), "field": ".".join(str(x) for x in e.get("loc", ()))}
            for e in exc.errors()
        ]
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        if _wants_html(request):
            return render_error(request, 400, message)
        return JSONResponse({"error": {"message": message, "problems": problems}},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return render_error(request, exc.status_code, str(exc.detail))
        return JSONResponse({"error": {"message": str(exc.detail)}}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
