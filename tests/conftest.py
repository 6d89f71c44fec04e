"""Shared fixtures: the codebook, the quote checks, the bundled cases, and databases.

Quotes are checked in one of two modes, named in the report's header and its last lines: full
mode when PARLEY_SOURCES holds the paper's text (every quote verbatim in its section), manifest
mode otherwise (every quote against the committed quote manifest). Nothing is read from outside
the repository unless PARLEY_SOURCES points there.

Storage tests run on a fresh SQLite file per test and, when PARLEY_TEST_POSTGRES_URL is set,
on a throwaway PostgreSQL database created for the run (an unreachable server fails the run).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.source import QuoteChecker, SourceText
from parley.knowledge.loader import load_bundled_cases, load_codebook, load_source_texts, load_sources
from parley.knowledge.manifest import (
    MANIFEST_FILE,
    file_sha256,
    load_manifest,
    manifest_checkers,
)
from tests.head_schema import remove_template

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

NO_PAPER = DATA / "no-paper"
"""A folder that does not exist: in manifest mode, apps the tests build look for the paper here,
not in their default ../shared/sources, which lies outside the repository."""
if os.environ.get("PARLEY_SOURCES") in (None, "", str(NO_PAPER)):
    PAPER_DIR: Path | None = None
    os.environ["PARLEY_SOURCES"] = str(NO_PAPER)  # xdist workers inherit it, and see it here
else:
    PAPER_DIR = Path(os.environ["PARLEY_SOURCES"])
"""The folder holding the paper's text (full mode), or None (manifest mode)."""


def quote_mode() -> str:
    """One line saying how this run checks quotes."""
    if PAPER_DIR is not None:
        shas = ", ".join(f"{m.id} sha256 {file_sha256(PAPER_DIR / m.file)[:12]}"
                         if (PAPER_DIR / m.file).is_file() else f"{m.id} MISSING"
                         for m in load_sources().values())
        return (f"quotes: FULL mode: every quote checked verbatim in the paper's text in "
                f"{PAPER_DIR} ({shas}), and {MANIFEST_FILE} must match it")
    shas = ", ".join(f"{s.id} sha256 {s.sha256[:12]}" for s in load_manifest().values())
    return (f"quotes: MANIFEST mode: PARLEY_SOURCES unset, so quotes are checked against "
            f"src/parley/knowledge/{MANIFEST_FILE} ({shas}), not verbatim in the paper's text; "
            "tests that read the text itself are skipped")


def pytest_report_header(config: pytest.Config) -> str:
    return quote_mode()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` (a minute or more here) first, in their own order, then the rest:
    the two workers of `pytest -n 2` then share the long ones from the start, instead of one
    worker running a long test alone at the end while the other has nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(quote_mode())


@pytest.fixture(scope="session", autouse=True)
def _head_schema_template() -> Iterator[None]:
    """Remove the worker's migrated SQLite template (tests/head_schema.py) when its session ends."""
    yield
    remove_template()


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="session")
def paper_dir() -> Path:
    """The folder holding the paper's text; skipped, with the reason, in manifest mode."""
    if PAPER_DIR is None:
        pytest.skip("reads the paper's text: set PARLEY_SOURCES to the folder holding it")
    return PAPER_DIR


@pytest.fixture(scope="session")
def paper() -> dict[str, SourceText]:
    """The paper's text, for tests that read it; skipped, with the reason, in manifest mode.
    In full mode a folder without the text fails them (they must not silently pass)."""
    if PAPER_DIR is None:
        pytest.skip("reads the paper's text: set PARLEY_SOURCES to the folder holding it")
    return load_source_texts(PAPER_DIR, required=True)


@pytest.fixture(scope="session")
def manifest_sources() -> dict[str, QuoteChecker]:
    """Checkers built from the committed quote manifest (the same in both modes)."""
    return dict(manifest_checkers(load_manifest()))


@pytest.fixture(scope="session")
def sources(manifest_sources: dict[str, QuoteChecker]) -> dict[str, QuoteChecker]:
    """What every quote is checked with: the paper's text (full mode) or the manifest."""
    if PAPER_DIR is None:
        return manifest_sources
    return dict(load_source_texts(PAPER_DIR, required=True))


@pytest.fixture(scope="session")
def quote_checks(sources: dict[str, QuoteChecker],
                 manifest_sources: dict[str, QuoteChecker]) -> list[tuple[str, dict[str, QuoteChecker]]]:
    """Every way quotes can be checked in this run, by mode: the manifest always, and the text in
    full mode, so tests of the error messages run both wherever the text is at hand."""
    if PAPER_DIR is None:
        return [("manifest", manifest_sources)]
    return [("full", sources), ("manifest", manifest_sources)]


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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding an SQLite database as `parley db upgrade` leaves it (migrated, the
    bundled cases loaded, audited) and its master key file, made once per worker: copying it
    costs milliseconds, migrating a fresh file seconds."""
    from parley.bootstrap import Parley
    from parley.config import Settings

    folder = tmp_path_factory.mktemp("migrated")
    app = Parley.build(Settings(database_url=f"sqlite:///{folder / 'parley.db'}",
                                master_key_file=folder / "parley.master.key"))
    try:
        app.upgrade()
        app.db.checkpoint()  # everything in the file itself, no WAL to copy
    finally:
        app.close()
    return folder


def migrated_copy(template: Path, directory: Path) -> str:
    """A copy of `migrated_template` in `directory` (database and key file, 0600 as Parley
    makes them); its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("parley.db", "parley.master.key"):
        if (template / name).exists():
            shutil.copy2(template / name, directory / name)
    return f"sqlite:///{directory / 'parley.db'}"


@pytest.fixture
def migrated_sqlite(migrated_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite database of this test's own (its key file beside it); its URL."""
    return migrated_copy(migrated_template, tmp_path)
