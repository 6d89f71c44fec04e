"""Online, consistent backup and restore of the whole database.

SQLite: the backup API copies a consistent snapshot while the app keeps running (readers and
the WAL are respected); restore copies a checked backup file back the same way, inside the
database's write lock. PostgreSQL: `pg_dump --format=custom` (a consistent snapshot) and
`pg_restore --clean --single-transaction`; without those tools, a clear error.
The master key is never in a backup: keep the key file's own backup apart from it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from parley.domain.errors import ConfigurationError, InvalidInput
from parley.storage.database import Database


def _pg_url(db: Database) -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigurationError(
            f"{name} was not found on the PATH; install PostgreSQL's client tools "
            f"(Debian: apt-get install postgresql-client) to back up or restore PostgreSQL")
    return path


def backup(db: Database, target: Path) -> int:
    """Write a consistent copy of the database to `target`; returns its size in bytes."""
    target = target.expanduser()
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # owner-only
    if db.is_sqlite:
        raw: Any = db.engine.raw_connection()
        try:
            dst = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(dst)
            finally:
                dst.close()
        finally:
            raw.close()
    else:
        done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner",
                               "--file", str(target), _pg_url(db)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            target.unlink(missing_ok=True)
            raise ConfigurationError(f"pg_dump failed: {done.stderr.strip()}")
    return target.stat().st_size


def _check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{source} is not a Parley SQLite backup: {exc}") from None
    if not ok or ok[0] != "ok":
        raise InvalidInput(f"{source} fails SQLite's integrity check: {ok}")
    if not rev:
        raise InvalidInput(f"{source} is not a Parley backup (no schema revision)")


def restore(db: Database, source: Path) -> None:
    """Replace the database's content with the backup at `source` (all or nothing)."""
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput(f"{source}: no such backup file")
    if db.is_sqlite:
        _check_sqlite_backup(source)
        with db._write_lock:  # nobody in this process writes meanwhile
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            raw: Any = db.engine.raw_connection()
            try:
                src.backup(raw.driver_connection)
            finally:
                raw.close()
                src.close()
        db.engine.dispose()
    else:
        done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", "--dbname", _pg_url(db), str(source)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InvalidInput(f"pg_restore failed: {done.stderr.strip()[:2000]}")
        db.engine.dispose()
