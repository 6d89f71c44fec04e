"""The migrated copy `tests/support.build` starts from is the database `upgrade` makes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from parley.storage.database import Database
from tests.head_schema import give_schema

Schema = tuple[list[tuple[str, str, list[str], list[tuple[object, ...]]]], list[tuple[str]], int]


def _schema(path: Path) -> Schema:
    """Every object with its definition's lines as a sorted list (Alembic's batch mode writes a
    rebuilt table's constraints in set order, which varies from run to run) and its columns in
    order; the revision; the number of rows."""
    with sqlite3.connect(path) as conn:
        objects = [(kind, name, sorted(line.strip().rstrip(",").strip()
                                       for line in (sql or "").splitlines()),
                    conn.execute(f'PRAGMA table_info("{name}")').fetchall())
                   for kind, name, sql in conn.execute(
                       "SELECT type, name, sql FROM sqlite_master ORDER BY name")]
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        rows = sum(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                   for kind, name, _, _ in objects
                   if kind == "table" and not name.startswith("sqlite_"))
    return objects, version, rows


def test_a_copy_has_the_schema_and_revision_a_fresh_upgrade_makes(tmp_path: Path) -> None:
    migrated = Database(f"sqlite:///{tmp_path / 'migrated.db'}")
    try:
        migrated.upgrade()
        migrated.checkpoint()
    finally:
        migrated.dispose()
    give_schema(f"sqlite:///{tmp_path / 'copy' / 'parley.db'}")

    copied, expected = _schema(tmp_path / "copy" / "parley.db"), _schema(tmp_path / "migrated.db")
    assert len(expected[0]) > 50 and expected[1]  # a real schema, at a revision
    assert copied == expected


def test_an_existing_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "parley.db"
    path.write_bytes(b"")
    give_schema(f"sqlite:///{path}")
    assert path.read_bytes() == b""
