"""The migrations' head and an SQLite file's migration, read without SQLAlchemy or Alembic.

Importing Alembic costs about a tenth of a second of every command's start, and the cold
`parley assess` path (`parley.quick`) must know whether a file is at the head without it; the
commands that only read (`Parley.open_current`) ask a file without writing to it.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from importlib import resources
from pathlib import Path

from parley.domain.errors import ConfigurationError

_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


@cache
def head_revision() -> str:
    """The newest migration's id: the one no other revises."""
    versions = resources.files("parley.storage").joinpath("migrations", "versions")
    ids: set[str] = set()
    revised: set[str] = set()
    for entry in versions.iterdir():
        if not entry.name.endswith(".py"):
            continue
        found = dict(_REVISION.findall(entry.read_text(encoding="utf-8")))
        ids.add(found["revision"])
        if found.get("down_revision"):
            revised.add(found["down_revision"])
    heads = ids - revised
    if len(heads) != 1:
        raise ConfigurationError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def sqlite_revision(path: Path) -> str | None:
    """The migration an SQLite file is at (None: not a Parley database), read through the
    standard library in read-only mode: no pragma runs and nothing is written, so asking a file
    that is empty, foreign or behind leaves it exactly as it was.

    Without a `-wal` file beside it no connection is open and the file holds everything, so it
    is read as immutable: a read-only connection would otherwise leave `-wal` and `-shm` files
    it may not remove. With one, it is read as any reader does (those files exist already)."""
    live = path.with_name(path.name + "-wal").exists()
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'' if live else '&immutable=1'}",
                               uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:  # no such table, or not a database at all
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])
