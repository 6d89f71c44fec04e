"""Commands that only read open the database as it is (cli/context.py, `open_reader`): never
migrated, no write lock taken; a missing, foreign or behind database is refused naming
`parley db upgrade`, and left exactly as it was. Writing commands and `serve` still migrate."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from parley.storage.migration_head import head_revision, sqlite_revision
from tests.conftest import DATA
from tests.support import PARLEY, Ran, built, migrate, run_cli

SCENARIO = DATA / "scenarios" / "good" / "gang-truce.yaml"
READS = {
    "cases list": ["cases", "list", "--format", "ids"],
    "cases show": ["cases", "show", "el-salvador-mara-truce-2012"],
    "cases search": ["cases", "search", "pirates"],
    "cases export": ["cases", "export", "--format", "csv"],
    "qca cases": ["qca", "cases", "--conditions", "MED,GOV", "--outcome", "LASTING"],
    "assess": ["assess", str(SCENARIO), "--format", "json"],
}
"""Every command that only reads the database, by name."""


def run(args: list[str], url: str, directory: Path, *, process: bool = False) -> Ran:
    """`parley ARGS` with its settings all in `directory` (never the user's data dir):
    in-process, or with `process` through the installed entry point."""
    env = {"PARLEY_DATABASE_URL": url, "PARLEY_DATA_DIR": str(directory / "data"),
           "PARLEY_MASTER_KEY_FILE": str(directory / "master.key")}
    if not process:
        return run_cli(args, env)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")
                 or k == "PARLEY_SOURCES"}
    done = subprocess.run([PARLEY, *args], capture_output=True, text=True,
                          env=inherited | env, timeout=120, check=False)
    return Ran(done.returncode, done.stdout, done.stderr)


def files(directory: Path) -> dict[str, str]:
    """Every file under `directory` with the SHA-256 of its bytes."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", list(READS))
def test_a_missing_database_is_refused_and_nothing_is_created(command: str,
                                                              tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "parley.db"
    out = run(READS[command], f"sqlite:///{db}", tmp_path)
    assert out.returncode == 2, out.stderr
    assert f"no database file {db}: create one with `parley db upgrade`" in out.stderr
    assert "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []  # no file, folder, key or data dir


def test_an_empty_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "parley.db"
    db.touch()
    out = run(READS["cases list"], f"sqlite:///{db}", tmp_path)
    assert out.returncode == 1
    assert (f"sqlite:///{db} is not a Parley database; this Parley needs migration "
            f"{head_revision()}: run `parley db upgrade`") in out.stderr
    assert files(tmp_path) == {"parley.db": hashlib.sha256(b"").hexdigest()}


def _behind(url: str, directory: Path) -> str:
    """Make `url` a Parley database one migration behind this version; its revision."""
    with built(url, directory, upgrade=True) as app:
        migrate(app.db, "-1", down=True)
        revision = app.db.current_revision()
    assert revision is not None and revision != head_revision()
    return revision


def _postgres_revision(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("command", ["cases list", "assess"])
def test_a_database_behind_is_refused_and_left_as_it_was(command: str, database_url: str,
                                                         tmp_path: Path) -> None:
    revision = _behind(database_url, tmp_path)
    before = files(tmp_path) if database_url.startswith("sqlite") else {}
    out = run(READS[command], database_url, tmp_path)
    assert out.returncode == 1, out.stderr
    assert (f"is at migration {revision}; this Parley needs migration {head_revision()}: run "
            "`parley db upgrade`") in out.stderr
    if database_url.startswith("sqlite"):
        assert files(tmp_path) == before
    else:
        assert _postgres_revision(database_url) == revision
    assert run(["db", "upgrade"], database_url, tmp_path).returncode == 0  # what it says fixes it
    again = run(READS[command], database_url, tmp_path)
    assert again.returncode == 0, again.stderr


def test_reads_take_no_write_lock(migrated_sqlite: str, tmp_path: Path) -> None:
    """While another process holds the database's write lock, every read still answers: none
    migrates, syncs or writes (a write would wait for the lock, then fail)."""
    url = migrated_sqlite
    assert run(["evaluate", "--format", "json"], url, tmp_path).returncode == 0  # stored now
    writer = sqlite3.connect(tmp_path / "parley.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        for command, args in READS.items():
            out = run(args, url, tmp_path)
            assert out.returncode == 0, (command, out.stderr)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_writing_command_still_migrates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    made = run(["cases", "import", str(DATA / "cases" / "good" / "my-august-town-case.yaml")],
               url, tmp_path, process=True)
    assert made.returncode == 0, made.stderr
    assert sqlite_revision(tmp_path / "parley.db") == head_revision()
    assert run(["cases", "show", "my-august-town-case"], url, tmp_path).returncode == 0


def connections_to(url: str) -> int:
    """Connections this process holds open to the database at `url`: file descriptors on the
    SQLite file, sessions in PostgreSQL's view of its own activity."""
    if url.startswith("sqlite:///"):
        db = Path(url[len("sqlite:///"):]).resolve()
        fds = Path("/proc/self/fd")
        return sum(1 for fd in fds.iterdir() if _target(fd) == str(db))
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                           "AND pid <> pg_backend_pid() AND client_port IS NOT NULL",
                           (name,)).fetchone()
    return int(row[0]) if row else 0


def _target(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except OSError:  # closed since it was listed
        return ""


@pytest.mark.parametrize("args", [["users", "create", "ana", "--password-stdin"],
                                  ["cases", "list", "--format", "ids"],
                                  ["keys", "status"]])
def test_a_command_run_in_process_leaves_no_connection_open(args: list[str], database_url: str,
                                                            tmp_path: Path) -> None:
    """cli/closing.py: whatever a command opened is closed when it ends (it was left to the
    process's exit, so a script or test calling the CLI in-process kept every connection)."""
    assert run(["db", "upgrade"], database_url, tmp_path).returncode == 0
    assert connections_to(database_url) == 0
    done = run_cli(args, {"PARLEY_DATABASE_URL": database_url,
                          "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")},
                   "a long enough password\n")
    assert done.returncode == 0, done.stderr
    assert connections_to(database_url) == 0
