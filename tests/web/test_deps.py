"""The one way to the wired app, and the one answer to "is this an API request"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parley.web.deps import is_api_path

WEB = Path(__file__).resolve().parents[2] / "src" / "parley" / "web"


@pytest.mark.parametrize(("path", "api"), [
    ("/api", True), ("/api/cases", True), ("/openapi.json", True),
    ("/apiary", False), ("/api-docs", False), ("/cases", False), ("/", False),
])
def test_is_api_path(path: str, api: bool) -> None:
    assert is_api_path(path) is api


def test_only_deps_reads_the_wired_app() -> None:
    """`app.state` is written once by create_app and read only by `get_parley`."""
    readers, definitions = [], []
    for file in sorted(WEB.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "state":
                readers.append(file.relative_to(WEB).as_posix())
            if isinstance(node, ast.FunctionDef) and node.name == "get_parley":
                definitions.append(file.relative_to(WEB).as_posix())
    assert sorted(set(readers)) == ["app.py", "deps.py"]
    assert definitions == ["deps.py"]


def test_a_page_path_that_starts_like_the_api_gets_a_page(client: TestClient) -> None:
    """Before, `/apiary` got the JSON error (errors checked "/api") while sign-in treated it
    as a page ("/api/"): the two checks disagreed."""
    response = client.get("/apiary")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert client.get("/api/nothing-here").headers["content-type"].startswith(
        "application/json")
