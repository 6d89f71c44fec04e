"""Issue 13: a PostgreSQL where `CREATE EXTENSION unaccent` is refused (the role may not create
extensions). Migration 0014 says so on stderr, names what an administrator runs, and the
database still works: search runs, accent-sensitive, and finds Spanish words as written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.knowledge.translations import translated_search_text
from parley.storage.cases import CaseRepository
from parley.storage.database import Database
from tests.conftest import _postgres_admin_url

PRISONS = {"brazil-prison-gangs", "brazil-amazonas-prisons-2017", "brazil-parana-prisons-2014"}


@pytest.fixture
def unprivileged_url() -> Iterator[str]:
    """A fresh database, and a role that may create tables in it but not extensions."""
    import psycopg

    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL leg: set PARLEY_TEST_POSTGRES_URL to run it")
    tag = uuid.uuid4().hex[:10]
    role, name = f"parley_noext_{tag}", f"parley_noext_{tag}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'CREATE DATABASE "{name}"')  # owned by the admin: no CREATE for the role
    base = admin.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
        conn.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
    try:
        yield f"postgresql://{role}@{base.split('@', 1)[1]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_search_works_without_unaccent(unprivileged_url: str, codebook: Codebook,
                                       bundled_cases: list[Case],
                                       capfd: pytest.CaptureFixture[str]) -> None:
    db = Database(unprivileged_url)
    try:
        db.upgrade()
        said = capfd.readouterr().err
        assert "unaccent" in said and "CREATE EXTENSION unaccent" in said
        repo = CaseRepository(db, codebook, translated_search_text)
        repo.sync_bundled(bundled_cases)
        found = {i.id for i in repo.list_cases(search="cárcel", limit=100).items}
        assert found >= PRISONS  # the words as written still find
        assert {i.id for i in repo.list_cases(search="prison OR church", limit=100).items}
    finally:
        db.dispose()
