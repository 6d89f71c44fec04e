"""The cold `parley assess` path (`parley.quick`): taken only when the database needs nothing,
read-only, and giving the same brief as the full path."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from parley.bootstrap import Parley
from parley.cli.context import operator
from parley.cli.main import full_app
from parley.config import Settings
from parley.domain.access import OPERATOR
from parley.domain.assessment import assessment_to_dict
from parley.interchange.scenario_file import read_scenario
from parley.locale import current_language, set_language
from parley.quick import ReadOnlyCaseBase, quick_assessments
from parley.storage.migration_head import head_revision

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "data" / "scenarios"
SCENARIO_FILES = [SCENARIOS / "good" / "gang-truce.yaml",
                  SCENARIOS / "good" / "national-dialogue.json",
                  SCENARIOS / "good" / "empty.yaml",
                  SCENARIOS / "realistic" / "honduras-church-truce.yaml"]


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """`--lang es` through CliRunner sets the process's language: put it back."""
    before = current_language()
    yield
    set_language(before)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated file with the bundled cases and the evaluation of its revision stored."""
    path = tmp_path_factory.mktemp("quick") / "parley.db"
    app = Parley.build(Settings(database_url=f"sqlite:///{path}"))
    app.background = False
    app.upgrade(operator())
    app.assessments.evaluate()
    app.close()
    yield path


@pytest.fixture
def copy(evaluated: Path, tmp_path: Path) -> Path:
    """A copy of the evaluated file that a test may change."""
    target = tmp_path / "parley.db"
    with sqlite3.connect(evaluated) as source, sqlite3.connect(target) as out:
        source.backup(out)
    return target


def env(path: Path, **more: str) -> dict[str, str]:
    return {"PARLEY_DATABASE_URL": f"sqlite:///{path}", **more}


def test_the_quick_path_serves_an_evaluated_database_and_writes_nothing(evaluated: Path
                                                                        ) -> None:
    before = digest(evaluated)
    quick = quick_assessments(env(evaluated))
    assert quick is not None
    with quick:
        scenario = read_scenario(SCENARIO_FILES[0], quick.codebook)
        assessment = quick.assessments.assess(scenario, OPERATOR)
        assert assessment.similar_cases
        assert len(quick.assessments.titles(OPERATOR)) > 20
    assert digest(evaluated) == before


@pytest.mark.parametrize("file", SCENARIO_FILES, ids=lambda p: p.name)
def test_the_quick_path_assesses_as_the_full_path_does(evaluated: Path, file: Path) -> None:
    app = Parley.build(Settings(database_url=f"sqlite:///{evaluated}"))
    app.background = False
    try:
        full = assessment_to_dict(app.assessments.assess(read_scenario(file, app.codebook),
                                                         OPERATOR))
    finally:
        app.close()
    quick = quick_assessments(env(evaluated))
    assert quick is not None
    with quick:
        fast = assessment_to_dict(quick.assessments.assess(
            read_scenario(file, quick.codebook), OPERATOR))
    assert fast == full


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_command_prints_the_same_bytes_either_way(evaluated: Path, fmt: str, lang: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    args = ["--lang", lang, "assess", str(SCENARIO_FILES[3]), "--format", fmt]
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{evaluated}")
    assert quick_assessments({"PARLEY_DATABASE_URL": f"sqlite:///{evaluated}"}) is not None
    fast = runner.invoke(full_app(), args)
    monkeypatch.setenv("PARLEY_MAX_BODY_BYTES", "4096")  # a setting only Settings validates
    full = runner.invoke(full_app(), args)
    assert fast.exit_code == full.exit_code == 0, (fast.output, full.output)
    assert fast.stdout == full.stdout


def test_no_stored_evaluation_for_this_revision_takes_the_full_path(copy: Path) -> None:
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE case_base_evaluations SET revision = revision - 1")
    assert quick_assessments(env(copy)) is None


def test_a_case_change_since_the_evaluation_takes_the_full_path(copy: Path) -> None:
    app = Parley.build(Settings(database_url=f"sqlite:///{copy}"))
    try:
        with app.db.write() as s:  # any change of `cases` raises the revision (trigger)
            s.execute(text("UPDATE cases SET title = title || ' ' "
                           "WHERE id = (SELECT min(id) FROM cases)"))
    finally:
        app.close()
    assert quick_assessments(env(copy)) is None


def test_an_older_migration_takes_the_full_path(copy: Path) -> None:
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            head_revision()
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert quick_assessments(env(copy)) is None


def test_unsynced_bundled_cases_take_the_full_path(copy: Path) -> None:
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE case_base_state SET bundled_digest = 'other'")
    assert quick_assessments(env(copy)) is None


@pytest.mark.parametrize("environ", [
    {"PARLEY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    {"PARLEY_DATABASE_URL": "sqlite://"},
    {"PARLEY_DATABASE_URL": "sqlite:///:memory:"},
], ids=["postgresql", "memory", "memory-path"])
def test_other_databases_take_the_full_path(environ: dict[str, str]) -> None:
    assert quick_assessments(environ) is None


def test_a_missing_file_takes_the_full_path_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    assert quick_assessments(env(path)) is None
    assert not path.exists()


def test_a_file_that_is_not_a_database_takes_the_full_path(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all" * 100)
    assert quick_assessments(env(path)) is None


@pytest.mark.parametrize("extra", [{"PARLEY_MAX_BODY_BYTES": "4096"},
                                   {"parley_database_url": "sqlite:///x.db"},
                                   {"PARLEY_SOURCES": ""}])
def test_settings_only_pydantic_validates_take_the_full_path(evaluated: Path,
                                                             extra: dict[str, str]) -> None:
    assert quick_assessments(env(evaluated, **extra)) is None


def test_the_reader_refuses_to_store(evaluated: Path) -> None:
    quick = quick_assessments(env(evaluated))
    assert quick is not None
    with quick:
        stored = quick.reader.latest_evaluation(quick.assessments.digest)
        assert stored is not None
        with pytest.raises(ReadOnlyCaseBase):
            quick.reader.store_evaluation(stored, replace=True)
