"""Shared fixtures: the codebook, the source text, the bundled cases, and databases.

Storage tests run on a fresh SQLite file per test and, when PARLEY_TEST_POSTGRES_URL is set,
on a throwaway PostgreSQL database created for the run (an unreachable server fails the run).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.source import SourceText
from parley.knowledge.loader import load_bundled_cases, load_codebook, load_source_texts

# Every app the tests build (in process or `parley serve`) gets generous per-client rate
# limits, so the suite is not slowed by them; tests/web/test_limits.py proves the limiter with
# the real defaults.
os.environ.setdefault("PARLEY_RATE_LIMIT_SIGNIN", "1000000")
os.environ.setdefault("PARLEY_RATE_LIMIT_WORK", "1000000")

# Speed is measured in bench/, never by a test: a loaded CI machine must not fail a property
# test because one example was slow.
settings.register_profile("parley", deadline=None)
settings.load_profile("parley")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="session")
def sources() -> dict[str, SourceText]:
    """The paper's text; its absence fails the tests that need it (they must not silently pass)."""
    return load_source_texts(required=True)


@pytest.fixture(scope="session")
def bundled_cases(codebook: Codebook) -> list[Case]:
    return load_bundled_cases(codebook)


def _postgres_admin_url() -> str | None:
    return os.environ.get("PARLEY_TEST_POSTGRES_URL") or None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for this test session (worker), or None if not configured."""
    admin = _postgres_admin_url()
    if admin is None:
        yield None
        return
    import psycopg

    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PARLEY_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}")
    base = admin.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 postgres_server: str | None) -> str:
    """A fresh, empty database URL: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'parley.db'}"
    if postgres_server is None:
        pytest.skip("PostgreSQL leg: set PARLEY_TEST_POSTGRES_URL to run it")
    _reset_postgres(postgres_server)
    return postgres_server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'parley.db'}"
