"""Dependency arrows point down: domain and analysis stay pure (also enforced by lint-imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "parley"
FORBIDDEN = ("sqlalchemy", "alembic", "fastapi", "starlette", "jinja2", "typer", "rich",
             "psycopg", "yaml", "uvicorn", "parley.storage", "parley.web", "parley.cli",
             "parley.knowledge", "parley.interchange", "parley.bootstrap", "parley.render")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", ["domain", "analysis"])
def test_pure_packages_import_no_adapters(package: str) -> None:
    for path in (SRC / package).rglob("*.py"):
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN), f"{path.relative_to(SRC)} imports {name}"


def test_importing_parley_opens_nothing() -> None:
    import parley

    assert parley.__version__
    assert _imports(SRC / "__init__.py") == []


def test_only_storage_imports_sqlalchemy() -> None:
    for path in SRC.rglob("*.py"):
        if "storage" in path.parts:
            continue
        for name in _imports(path):
            assert not name.startswith(("sqlalchemy", "alembic", "psycopg")), path
