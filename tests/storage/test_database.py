"""`Database`: the migration it needs, and an in-memory database shared by every thread."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from sqlalchemy import text

from parley.storage.database import Database

VERSIONS = Path(__file__).resolve().parents[2] / "src" / "parley" / "storage" / "migrations" / "versions"


def test_head_revision_is_the_newest_migration(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        revisions, parents = set(), set()
        for path in VERSIONS.glob("[0-9]*.py"):
            found = dict(re.findall(r'^(revision|down_revision) = "?(\w+)"?$',
                                    path.read_text(encoding="utf-8"), flags=re.MULTILINE))
            revisions.add(found["revision"])
            parents.add(found["down_revision"])
        assert [db.head_revision()] == sorted(revisions - parents)  # the one nothing follows
        assert db.current_revision() is None
        db.upgrade()
        assert db.current_revision() == db.head_revision()
    finally:
        db.dispose()


def test_an_in_memory_database_is_one_database_for_every_thread() -> None:
    db = Database("sqlite://")
    try:
        db.upgrade()
        seen: list[str | None] = []
        worker = threading.Thread(target=lambda: seen.append(db.current_revision()))
        worker.start()
        worker.join()
        assert seen == [db.head_revision()]
        with db.write() as session:
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
            session.execute(text("INSERT INTO probe VALUES (7)"))
        found: list[object] = []

        def read() -> None:
            with db.read() as session:
                found.append(session.execute(text("SELECT x FROM probe")).scalar())

        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        assert found == [7]
    finally:
        db.dispose()
