"""Empty SQLite databases at the head migration: migrated once per worker, copied per test.

Migrating a brand-new SQLite file costs about 40 ms here; copying a migrated one costs well
under 1 ms. `tests/support.build` gives a brand-new file its schema this way, so the test starts
from exactly the database `upgrade` would have left. The migrations still run in full: once per
worker to make the template, step by step in tests/storage/test_migration_*.py, on every
PostgreSQL leg, and wherever a test or a command calls `upgrade` itself on a file it made.

PostgreSQL is not copied: `CREATE DATABASE … TEMPLATE` took as long as migrating (about 0.1 s
each, measured on this machine), so the copy would only add a path to maintain.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

from parley.storage.database import Database

SQLITE = "sqlite:///"


def give_schema(url: str) -> None:
    """Make `url` a copy of the migrated template if it names an SQLite file not yet made;
    leave any other database for `upgrade` to migrate."""
    if not url.startswith(SQLITE):
        return
    path = Path(url.removeprefix(SQLITE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(_template(), path)


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="parley-head-schema-"))
    db = Database(f"{SQLITE}{folder / 'parley.db'}")
    try:
        db.upgrade()
        db.checkpoint()  # all in the file itself: no WAL to copy
    finally:
        db.dispose()
    return folder / "parley.db"


def remove_template() -> None:
    """Delete this worker's template (at the end of its session)."""
    if _template.cache_info().currsize:
        shutil.rmtree(_template().parent, ignore_errors=True)
