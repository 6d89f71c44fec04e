"""The stdlib reader of the cold command line reads what the SQLAlchemy store reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.cli.context import operator
from parley.config import Settings
from parley.storage.sqlite_reader import ReadOnlyCaseBase, SqliteCaseBase


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    path = tmp_path_factory.mktemp("reader") / "parley.db"
    app = Parley.build(Settings(database_url=f"sqlite:///{path}"))
    app.background = False
    app.upgrade(operator())
    app.assessments.evaluate()
    yield app
    app.close()


@pytest.fixture
def reader(app: Parley) -> Iterator[SqliteCaseBase]:
    path = Path(app.db.url.removeprefix("sqlite:///"))
    with SqliteCaseBase(path, app.codebook) as reader:
        yield reader


def test_the_reader_sees_what_the_store_sees(app: Parley, reader: SqliteCaseBase) -> None:
    store = app.case_base
    assert reader.revision() == store.revision()
    assert reader.snapshot() == store.snapshot()
    assert reader.public_digest() == store.public_digest()
    assert reader.public_cases() == store.public_cases()
    digest = app.assessments.digest
    assert reader.latest_evaluation_revision(digest) == store.latest_evaluation_revision(digest)
    ours, theirs = reader.latest_evaluation(digest), store.latest_evaluation(digest)
    assert ours is not None and theirs is not None
    assert (ours.revision, ours.result, ours.public_digest, ours.n_public) == \
        (theirs.revision, theirs.result, theirs.public_digest, theirs.n_public)
    assert ours.computed_at.replace(tzinfo=None) == theirs.computed_at.replace(tzinfo=None)
    assert reader.evaluation_of(digest, ours.public_digest) is not None
    assert reader.evaluation_of(digest, "no such digest") is None
    assert reader.bundled_synced("no such digest") is False


def test_the_reader_keeps_one_snapshot_while_the_store_changes(
        app: Parley, reader: SqliteCaseBase) -> None:
    from sqlalchemy import text

    before = reader.revision()
    titles = {row.id: row.title for row in reader.snapshot().cases}
    with app.db.write() as s:
        s.execute(text("UPDATE cases SET title = title || '!' "
                       "WHERE id = (SELECT min(id) FROM cases)"))
    assert app.case_base.revision() == before + 1
    assert reader.revision() == before  # its read transaction began before the change
    assert {row.id: row.title for row in reader.snapshot().cases} == titles


def test_the_reader_opens_read_only(app: Parley, reader: SqliteCaseBase) -> None:
    import sqlite3

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._conn.execute("DELETE FROM cases")
    stored = reader.latest_evaluation(app.assessments.digest)
    assert stored is not None
    with pytest.raises(ReadOnlyCaseBase):
        reader.store_evaluation(stored)
