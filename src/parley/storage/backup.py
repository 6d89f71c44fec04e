"""Online, consistent backup and restore of the whole database.

SQLite: the backup API copies a consistent snapshot while the app keeps running (readers and
the WAL are respected); restore copies a checked backup file back the same way, inside the
database's write lock. PostgreSQL: `pg_dump --format=custom` (a consistent snapshot) and
`pg_restore --clean --single-transaction`; without those tools, a clear error.
The master key is never in a backup: keep the key file's own backup (or escrow, `parley keys
export`) apart from it. Beside each backup, `<backup>.keys.json` names the master key versions
its data keys are wrapped with and their key-check values (never a key), so that a restore can
tell, before it replaces anything, whether the current key ring opens the backup. Both files
are created with mode 0600.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from parley.domain.errors import ConfigurationError, InvalidInput
from parley.private_files import write_private
from parley.storage.audit_log import CHAIN_ROW, audit_key_aad
from parley.storage.database import Database
from parley.storage.key_store import KeyRepository, KeyUse, fingerprint
from parley.storage.keys import data_key_aad
from parley.storage.scenarios import key_owner
from parley.storage.vault import Vault

KEYS_FORMAT = "parley-backup-keys/1"


def keys_file(backup_file: Path) -> Path:
    """The key-ring fingerprint file beside a backup."""
    return backup_file.with_name(backup_file.name + ".keys.json")


def _key_doc(usage: list[KeyUse]) -> dict[str, Any]:
    checks = {u.version: u.check_value for u in usage if u.check_value}
    return {"format": KEYS_FORMAT,
            "fingerprint": fingerprint(checks),
            "versions": [{"version": u.version, "check": u.check_value,
                          "workspaces": u.workspaces, "scenarios": u.scenarios,
                          "audit": u.audit} for u in usage]}


def _create_private(target: Path) -> None:
    """Create `target` empty with mode 0600, refusing an existing file."""
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise InvalidInput(f"{target} already exists; choose a new file") from None


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
    if keys_file(target).exists():
        raise InvalidInput(f"{keys_file(target)} already exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    _create_private(target)
    try:
        with db.read() as session:
            repo = KeyRepository(session)
            usage = repo.usage() if repo.holds_wrapped_keys() else []
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
                raise ConfigurationError(f"pg_dump failed: {done.stderr.strip()}")
        target.chmod(0o600)
        write_private(keys_file(target), json.dumps(_key_doc(usage), indent=2) + "\n")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target.stat().st_size


def backup_key_usage(db: Database, source: Path) -> list[KeyUse] | None:
    """The master key versions a backup's data keys need; None when nothing says.

    A SQLite backup is read directly (with one wrapped data key per version to test-unwrap);
    otherwise the `.keys.json` file written beside the backup.
    """
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput(f"{source}: no such backup file")
    if db.is_sqlite:
        _check_sqlite_backup(source)  # a bad file is named as such, before any key question
        return _sqlite_usage(source)
    doc_path = keys_file(source)
    if not doc_path.is_file():
        return None
    try:
        doc = json.loads(doc_path.read_text(encoding="utf-8"))
        if doc.get("format") != KEYS_FORMAT:
            raise ValueError(doc.get("format"))
        return [KeyUse(int(v["version"]), v.get("check"), int(v.get("workspaces", 0)), None,
                       int(v.get("scenarios", 0)), bool(v.get("audit", False)))
                for v in doc["versions"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{doc_path} is not a Parley backup key file ({exc})") from None


def _sqlite_usage(source: Path) -> list[KeyUse]:
    """Key versions of a SQLite backup, with one wrapped key per version to test-unwrap."""
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

        def columns(table: str) -> set[str]:
            return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}

        checks: dict[int, str | None] = {}
        if "key_versions" in tables:
            checks = dict(conn.execute("SELECT version, check_value FROM key_versions"))
        counts: dict[int, int] = {}
        scenarios: dict[int, int] = {}
        samples: dict[int, tuple[str, bytes]] = {}
        if "workspaces" in tables:
            for version, ws_id, wrapped in conn.execute(
                    "SELECT key_version, id, data_key FROM workspaces ORDER BY pk"):
                counts[version] = counts.get(version, 0) + 1
                samples.setdefault(version, (data_key_aad(ws_id), bytes(wrapped)))
        if "saved_scenarios" in tables and "key_version" in columns("saved_scenarios"):
            for version, sc_id, wrapped in conn.execute(
                    "SELECT key_version, id, data_key FROM saved_scenarios ORDER BY pk"):
                scenarios[version] = scenarios.get(version, 0) + 1
                samples.setdefault(version, (data_key_aad(key_owner(sc_id)), bytes(wrapped)))
        audit: int | None = None
        if "audit_chain" in tables:
            row = conn.execute("SELECT key_version, wrapped_key, anchor_seq FROM audit_chain "
                               "WHERE id = ?", (CHAIN_ROW,)).fetchone()
            if row is not None:
                audit = row[0]
                samples.setdefault(audit, (audit_key_aad(row[2]), bytes(row[1])))
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{source} is not a Parley SQLite backup: {exc}") from None
    finally:
        conn.close()
    versions = (set(counts) | set(scenarios) | ({audit} if audit is not None else set())
                | ({max(checks)} if checks else set()))
    return [KeyUse(v, checks.get(v), counts.get(v, 0), samples.get(v), scenarios.get(v, 0),
                   v == audit) for v in sorted(versions)]


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


class BackupFiles:
    """The backups port (`services.ports.BackupStore`) over one database and its vault."""

    def __init__(self, db: Database, vault: Vault) -> None:
        self.db, self.vault = db, vault

    def write(self, target: Path) -> int:
        return backup(self.db, target)

    def keys_file(self, backup_file: Path) -> Path:
        return keys_file(backup_file)

    def unreadable_keys(self, source: Path) -> list[str]:
        usage = backup_key_usage(self.db, source)
        if usage is None:
            return [f"{keys_file(source)} (the key versions the backup needs) is missing"]
        return self.vault.restore_problems(usage)

    def ring(self) -> str:
        return self.vault.source.describe()

    def replace_database(self, source: Path) -> None:
        restore(self.db, source)

    def rewrap_all(self) -> int:
        return self.vault.rewrap_all()
