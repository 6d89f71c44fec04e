"""Issue 8, item 3: key handling never loses data (SQLite and PostgreSQL).

Rotation by another process while a vault holds the old ring, a missing key file, a key file
holding another key, backups of a database rotated since, and legacy rows without key-check
values. The CLI and live-server versions of these are in tests/cli/test_keys.py.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from parley.bootstrap import Parley
from parley.domain.account import SYSTEM
from parley.domain.errors import KeyUnavailable
from parley.storage.backup import backup, backup_key_usage, keys_file, restore
from parley.storage.database import alembic_config
from parley.storage.key_store import KeyRepository
from parley.storage.keys import KeyRing, check_value
from parley.storage.workspace_tables import WorkspaceRow
from tests.support import build, built, user


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    with built(database_url, tmp_path) as a:
        yield a


def versions(app: Parley) -> dict[str, int]:
    with app.db.read() as s:
        return dict(s.execute(select(WorkspaceRow.id, WorkspaceRow.key_version)).all())


def count(app: Parley) -> int:
    with app.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(WorkspaceRow)) or 0)


def test_rotation_by_another_process_is_picked_up(app: Parley, tmp_path: Path) -> None:
    """The running server (here: `app`) caches ring and data keys; the CLI (`other`) rotates."""
    owner = user(app, "olga")
    old = app.workspaces.create(owner, "Before", "")
    assert app.workspaces.get(owner, old.id).workspace.name == "Before"  # ring + key cached
    other = build(app.settings.resolved_database_url(), tmp_path)
    assert other.keys.rotate() == (2, 1)
    other.close()
    assert app.workspaces.get(owner, old.id).workspace.name == "Before"
    new = app.workspaces.create(owner, "After", "")
    assert versions(app) == {old.id: 2, new.id: 2}  # never wrapped with the retired version
    restarted = build(app.settings.resolved_database_url(), tmp_path)
    restarted.check_keys()
    assert sorted(ws.name for ws, _ in restarted.workspaces.mine(owner)) == ["After", "Before"]
    restarted.close()


def test_a_ring_without_the_active_version_refuses_and_writes_nothing(
        database_url: str, tmp_path: Path) -> None:
    """PARLEY_MASTER_KEY cannot be reloaded: after a rotation elsewhere, a clear 503 error."""
    ring = "1:" + base64.b64encode(os.urandom(32)).decode()
    server = build(database_url, tmp_path, master_key=ring)
    owner = user(server, "olga")
    old = server.workspaces.create(owner, "Before", "")
    cli = build(database_url, tmp_path, master_key=ring)
    cli.keys.rotate()
    cli.close()
    with pytest.raises(KeyUnavailable, match=r"active master key version is 2.*nothing was"):
        server.workspaces.create(owner, "After", "")
    assert count(server) == 1
    with pytest.raises(KeyUnavailable, match="version 2, which PARLEY_MASTER_KEY does not"):
        server.workspaces.get(owner, old.id)
    server.close()


def test_a_missing_key_file_is_never_replaced(app: Parley, tmp_path: Path) -> None:
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks", "")
    key_file = tmp_path / "master.key"
    key_file.unlink()
    fresh = build(app.settings.resolved_database_url(), tmp_path)
    with pytest.raises(KeyUnavailable, match=f"{key_file} does not exist.*Restore the key file"):
        fresh.check_keys()
    with pytest.raises(KeyUnavailable, match="does not exist"):
        fresh.workspaces.get(owner, ws.id)
    with pytest.raises(KeyUnavailable, match="does not exist"):
        fresh.workspaces.create(owner, "New secrets", "")
    assert not key_file.exists() and count(fresh) == 1
    fresh.close()


def test_a_new_database_still_gets_its_key_file_on_first_use(app: Parley,
                                                             tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    assert not key_file.exists()
    app.check_keys()  # nothing encrypted yet: no key needed, none created
    assert not key_file.exists()
    app.workspaces.create(user(app, "olga"), "First", "")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with app.db.read() as s:
        assert KeyRepository(s).active_version() == (1, check_value(
            KeyRing.from_file(key_file).keys[1]))


def test_rows_from_before_key_check_values_are_checked_by_unwrapping(app: Parley,
                                                                     tmp_path: Path) -> None:
    owner = user(app, "olga")
    app.workspaces.create(owner, "Talks", "")
    with app.db.engine.begin() as conn:  # as migration 0008 leaves an existing database
        conn.execute(text("UPDATE key_versions SET check_value = NULL"))
    app.check_keys()
    with app.db.read() as s:
        assert KeyRepository(s).active_version() == (1, app.vault.keyring().check(1))
    other = tmp_path / "other"
    KeyRing.from_file(other / "master.key")
    with app.db.engine.begin() as conn:
        conn.execute(text("UPDATE key_versions SET check_value = NULL"))
    wrong = build(app.settings.resolved_database_url(), other)
    with pytest.raises(KeyUnavailable, match="does not open it"):
        wrong.check_keys()
    wrong.close()


def test_backup_of_a_rotated_database_restores_readable(app: Parley, tmp_path: Path) -> None:
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Kept", "")
    target = tmp_path / "before-rotation.bak"
    backup(app.db, target)
    for f in (target, keys_file(target)):
        assert oct(f.stat().st_mode & 0o777) == "0o600"
    doc = json.loads(keys_file(target).read_text())
    ring = KeyRing.from_file(tmp_path / "master.key")
    assert doc["versions"] == [{"version": 1, "check": ring.check(1), "workspaces": 1,
                                "scenarios": 0, "audit": True}]
    assert base64.b64encode(ring.keys[1]).decode() not in keys_file(target).read_text()
    app.keys.rotate()
    retired = tmp_path / "master.key.retired"
    assert oct(retired.stat().st_mode & 0o777) == "0o600"
    usage = backup_key_usage(app.db, target)
    assert usage is not None and app.vault.restore_problems(usage) == []
    restore(app.db, target)
    app.vault.rewrap_all()
    assert versions(app) == {ws.id: 2}
    fresh = build(app.settings.resolved_database_url(), tmp_path)
    fresh.check_keys()
    assert fresh.workspaces.get(owner, ws.id).workspace.name == "Kept"
    fresh.close()
    retired.unlink()  # no escrow of the old version: the restore must refuse
    problems = app.vault.restore_problems(usage)
    assert problems and "master key version 1" in problems[0]


def test_rotation_keeps_every_workspace_readable_and_retires_old_versions(
        app: Parley, tmp_path: Path) -> None:
    owner = user(app, "olga")
    ids = [app.workspaces.create(owner, f"W{i}", "").id for i in range(3)]
    first = KeyRing.from_file(tmp_path / "master.key").keys
    assert app.keys.rotate() == (2, 3)
    assert app.keys.rotate() == (3, 3)
    assert set(KeyRing.from_file(tmp_path / "master.key").keys) == {3}
    retired = KeyRing.from_file(tmp_path / "master.key.retired").keys
    assert set(retired) == {1, 2} and retired[1] == first[1]
    assert set(versions(app).values()) == {3}
    fresh = build(app.settings.resolved_database_url(), tmp_path)
    assert [fresh.workspaces.get(SYSTEM, i).workspace.name for i in ids] == ["W0", "W1", "W2"]
    fresh.close()


def test_after_a_rotation_elsewhere_audit_only_writes_and_saved_assessments_follow(
        app: Parley, tmp_path: Path) -> None:
    """The first request after `parley keys rotate` may touch only the audit key (a sign-in,
    a new user) or a saved assessment's key: they too reload the ring, never 500, and nothing
    is wrapped with the retired version."""
    from parley.domain.scenario import parse_scenario

    owner = user(app, "olga")
    app.workspaces.create(owner, "Before", "")
    scenario = parse_scenario({"title": "T", "secrecy": "secret"}, app.codebook)
    before = app.scenarios.save(owner, scenario)
    other = build(app.settings.resolved_database_url(), tmp_path)
    other.keys.rotate()
    other.close()
    user(app, "bob")  # an audit append first: the audit key is now wrapped with version 2
    after = app.scenarios.save(owner, scenario)
    assert app.scenarios.get(owner, before.id).scenario == scenario
    with app.db.read() as s:
        assert KeyRepository(s).key_versions_in_use() == {2}
    restarted = build(app.settings.resolved_database_url(), tmp_path)
    restarted.check_keys()
    assert restarted.scenarios.get(owner, after.id).scenario == scenario
    assert restarted.audit.verify().ok
    restarted.close()


def test_a_database_migrated_to_0009_before_key_versions_existed(app: Parley,
                                                                 tmp_path: Path) -> None:
    """Main's schema had no key_versions table at 0009: upgrading records every version in
    use (workspaces, audit key) without a check value; the start-up check then learns it."""
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks", "")
    with app.db.engine.begin() as conn:  # back to main's 0009: later migrations undone
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
        assert "key_versions" not in inspect(conn).get_table_names()
    app.db.upgrade()
    with app.db.engine.connect() as conn:
        assert conn.execute(text("SELECT version, check_value FROM key_versions")).all() == [
            (1, None)]
    fresh = build(app.settings.resolved_database_url(), tmp_path)
    fresh.check_keys()
    with fresh.db.read() as s:
        assert KeyRepository(s).active_version() == (1, fresh.vault.keyring().check(1))
    assert fresh.workspaces.get(owner, ws.id).workspace.name == "Talks"
    fresh.close()
