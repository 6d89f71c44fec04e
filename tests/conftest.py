"""Shared fixtures: the codebook, the source text, the bundled cases, and databases.

Storage tests run on a fresh SQLite file per test and, when PARLEY_TEST_POSTGRES_URL is set,
on a throwaway PostgreSQL database created for the run (an unreachable server fails the run).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


BACKENDS = ["sqlite", "postgresql"]
"""Database backends every database-touching test runs on; the id shows in the test name."""


def _postgres_admin_url() -> str | None:
    return os.environ.get("PARLEY_TEST_POSTGRES_URL") or None


@contextmanager
def fresh_postgres_database(admin: str) -> Iterator[str]:
    """Create a uniquely named database beside `admin`, yield its URL, drop it afterwards.

    An unreachable server fails the test: a configured PostgreSQL leg never silently skips.
    """
    import psycopg

    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PARLEY_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}")
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def backend_database(backend: str, directory: Path) -> Iterator[str]:
    """A fresh, empty database of `backend`: a SQLite file in `directory`, or a PostgreSQL
    database of its own (skipped with the reason when PARLEY_TEST_POSTGRES_URL is unset)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'parley.db'}"
        return
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL leg: set PARLEY_TEST_POSTGRES_URL to run it")
    with fresh_postgres_database(admin) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for this test session (worker), or None if not configured."""
    admin = _postgres_admin_url()
    if admin is None:
        yield None
        return
    with fresh_postgres_database(admin) as url:
        yield url


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=BACKENDS)
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
