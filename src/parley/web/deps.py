"""The wired Parley of a request, and which requests are API requests.

`get_parley(request)` is the web layer's one way to reach the application object that
`bootstrap` wired (a test fails on any other reader of `app.state`); routes and helpers call it
with the request they already hold. `is_api_path` is the one answer to "does this request get
JSON errors and bearer-token sign-in, or pages and the session cookie".
"""

from __future__ import annotations

from fastapi import Request

from parley.bootstrap import Parley


def get_parley(request: Request) -> Parley:
    parley = getattr(request.app.state, "parley", None)
    if not isinstance(parley, Parley):
        raise RuntimeError("this app was not built by parley.web.app.create_app")
    return parley


def is_api_path(path: str) -> bool:
    """`/api`, anything under `/api/`, and the OpenAPI document (never `/apiary`)."""
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"
