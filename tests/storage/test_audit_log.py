"""The stored audit chain on SQLite and PostgreSQL: every tamper of issue 8 item 10, performed
with SQL as an attacker with write access to the database (but not the master key) would,
is detected; and the keyed chain survives appends, upgrades from the unkeyed chain and key
rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, inspect, text

from parley.bootstrap import Parley
from parley.domain.access import Classification
from parley.domain.audit import (
    ItemCreated,
    ItemUpdated,
    LoginFailed,
    SecretRead,
    WorkspaceExported,
    chain_hash,
)
from parley.domain.errors import ConfigurationError
from parley.domain.workspace import ItemKind
from parley.storage.keys import KeyRing
from tests.support import build, user

# -- the attacker's tools: plain SQL and the published (unkeyed) hash function ------------------


def drop_triggers(conn: Connection) -> None:
    """What an attacker with write access does first: remove the append-only triggers."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log"))


def rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_log ORDER BY seq"))]


def recompute(conn: Connection, from_seq: int) -> None:
    """Recompute every hash from `from_seq` on and relink, as the attacker can (no key)."""
    prev = "0" * 64
    for row in rows(conn):
        if row["seq"] >= from_seq:
            content = {"seq": row["seq"], "at": row["at"], "actor": row["actor"],
                       "event": row["event"], "workspace": row["workspace"],
                       "details": json.loads(row["details"])}
            new = chain_hash(prev, content)
            conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": new, "s": row["seq"]})
            prev = new
        else:
            prev = row["hash"]
    move_head(conn)


def move_head(conn: Connection) -> None:
    """Point the recorded head (if the schema has one) at the newest row, as the attacker can."""
    if not inspect(conn).has_table("audit_chain"):
        return
    last = rows(conn)[-1] if rows(conn) else {"seq": 0, "hash": "0" * 64}
    conn.execute(text("UPDATE audit_chain SET head_seq = :s, head_mac = :h"),
                 {"s": last["seq"], "h": last["hash"]})


def delete_newest(conn: Connection) -> None:
    newest = rows(conn)[-1]["seq"]
    conn.execute(text("DELETE FROM audit_log WHERE seq > :s"), {"s": newest - 2})


def delete_all(conn: Connection) -> None:
    conn.execute(text("DELETE FROM audit_log"))


def edit_newest(conn: Connection) -> None:
    newest = rows(conn)[-1]["seq"]
    conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = :s"), {"s": newest})
    recompute(conn, newest)


def edit_middle(conn: Connection) -> None:
    conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"))
    recompute(conn, 4)


def delete_and_renumber(conn: Connection) -> None:
    conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    for row in rows(conn):
        if row["seq"] > 4:
            conn.execute(text("UPDATE audit_log SET seq = :n WHERE seq = :s"),
                         {"n": row["seq"] - 1, "s": row["seq"]})
    recompute(conn, 4)


def append_forged(conn: Connection) -> None:
    last = rows(conn)[-1]
    content = {"seq": last["seq"] + 1, "at": datetime.now(UTC).isoformat(), "actor": "olga",
               "event": "item.deleted", "workspace": last["workspace"],
               "details": {"item": "forged", "kind": "note"}}
    conn.execute(text("INSERT INTO audit_log (seq, at, actor, event, workspace, details, "
                      "prev_hash, hash) VALUES (:seq, :at, :actor, :event, :workspace, "
                      ":details, :prev, :hash)"),
                 {**content, "details": json.dumps(content["details"]), "prev": last["hash"],
                  "hash": chain_hash(last["hash"], content)})
    move_head(conn)


TAMPERS = {
    "delete the newest rows": delete_newest,
    "delete all rows": delete_all,
    "edit the newest row and recompute its hash": edit_newest,
    "edit a middle row and recompute the rest": edit_middle,
    "delete a row and renumber": delete_and_renumber,
    "append a forged entry": append_forged,
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def populate(app: Parley) -> str:
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks", "about things").id
    for n in range(3):
        app.workspaces.create_item(owner, ws, ItemKind.NOTE, Classification.SECRET,
                                   {"title": f"note {n}", "text": "secret"})
    return ws


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_every_tamper_of_the_log_is_detected(app: Parley, tamper: str) -> None:
    populate(app)
    before = app.audit.verify()
    assert before.ok and before.count >= 6
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        TAMPERS[tamper](conn)
    after = app.audit.verify()
    assert not after.ok, f"undetected: {tamper}"
    assert after.reason


def test_a_renamed_audit_table_is_a_clear_error(app: Parley) -> None:
    populate(app)
    with app.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log RENAME TO audit_log_old"))
    with pytest.raises(ConfigurationError, match=r"audit_log .*missing.*renamed or dropped"):
        app.audit.verify()


def test_the_detections_name_what_is_wrong(app: Parley) -> None:
    populate(app)
    count = app.audit.verify().count
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        delete_newest(conn)
    report = app.audit.verify()
    assert report.reason == (f"the log ends at seq {count - 2}, but the signed head is seq "
                             f"{count}: the newest 2 entries were deleted")
    with app.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    report = app.audit.verify()
    assert (report.bad, report.bad_seq) == (3, 3) and "MAC does not verify" in report.reason
    assert len(report.problems) == 2  # every problem, not only the first


def test_deleting_the_key_row_and_every_entry_is_detected(app: Parley) -> None:
    ws = populate(app)
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        delete_all(conn)
        conn.execute(text("DELETE FROM audit_chain"))
    report = app.audit.verify()
    assert not report.ok and ws in report.reason and "workspace.created" in report.reason


def test_appends_refuse_when_the_key_row_of_a_keyed_log_is_gone(app: Parley) -> None:
    populate(app)
    with app.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_chain"))
    with pytest.raises(ConfigurationError, match=r"key .*is gone"):
        user(app, "ana")
    assert not app.audit.verify().ok


def test_a_rollback_is_found_only_against_a_checkpoint(app: Parley) -> None:
    """An attacker who kept an old copy of the head row can truncate consistently: the
    in-database head cannot tell, an external checkpoint taken later can."""
    populate(app)
    with app.db.engine.connect() as conn:
        old_head = dict(conn.execute(text("SELECT * FROM audit_chain")).one()._mapping)
    user(app, "ana")
    checkpoint = app.audit.verify().checkpoint
    assert checkpoint is not None
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        conn.execute(text("DELETE FROM audit_log WHERE seq > :s"), {"s": old_head["head_seq"]})
        conn.execute(text("DELETE FROM users WHERE name = 'ana'"))
        conn.execute(text("UPDATE audit_chain SET head_seq = :head_seq, head_mac = :head_mac, "
                          "head_tag = :head_tag"), old_head)
    assert app.audit.verify().ok  # consistent without outside evidence
    report = app.audit.verify([checkpoint])
    assert not report.ok and "rolled back" in report.reason


def test_checkpoints_are_signed(app: Parley) -> None:
    from dataclasses import replace

    populate(app)
    checkpoint = app.audit.verify().checkpoint
    assert checkpoint is not None and app.audit.verify([checkpoint]).ok
    forged = replace(checkpoint, count=checkpoint.count - 1)
    assert "not signed" in app.audit.verify([forged]).reason


def test_without_the_key_only_the_structure_is_checked(app: Parley, database_url: str,
                                                       tmp_path: Path) -> None:
    populate(app)
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        edit_middle(conn)  # consistent to anyone without the key
    structure = app.audit.verify(use_key=False)
    assert not structure.keyed and "structure only" in structure.note
    other = tmp_path / "other"
    KeyRing.from_file(other / "master.key")  # a different master key ring (never made silently)
    stranger = build(database_url, other)
    report = stranger.audit.verify()
    assert not report.keyed and "cannot be opened" in report.note
    stranger.close()
    keyless = build(database_url, tmp_path / "none")  # no ring at all: structure, no new key
    report = keyless.audit.verify()
    assert not report.keyed and "does not exist" in report.note
    assert not (tmp_path / "none" / "master.key").exists()
    keyless.close()
    assert not app.audit.verify().ok


def test_rotation_rewraps_the_audit_key(app: Parley) -> None:
    populate(app)
    with app.db.engine.connect() as conn:
        before = conn.execute(text("SELECT wrapped_key, key_version FROM audit_chain")).one()
    app.keys.rotate()
    with app.db.engine.connect() as conn:
        after = conn.execute(text("SELECT wrapped_key, key_version FROM audit_chain")).one()
    assert after.key_version == before.key_version + 1 and after.wrapped_key != before.wrapped_key
    assert list(app.vault.keyring().keys) == [after.key_version]  # the old version is retired
    report = app.audit.verify()
    assert report.ok and report.keyed


def test_an_upgraded_unkeyed_log_is_anchored_by_chain_rekeyed(database_url: str,
                                                             tmp_path: Path) -> None:
    """A database written before migration 0007: its unkeyed entries are pinned by the
    `chain.rekeyed` anchor of the first keyed write; editing them afterwards is detected."""
    from alembic import command

    from parley.domain.audit import LoginFailed, make_unkeyed_entry
    from parley.storage.database import Database, alembic_config

    db = Database(database_url)
    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        prev = None
        for n in range(3):
            prev = make_unkeyed_entry(prev, datetime(2026, 1, 1, tzinfo=UTC), "old",
                                      LoginFailed(user=f"u{n}", reason="password"))
            conn.execute(text("INSERT INTO audit_log VALUES (:seq, :at, :actor, :event, "
                              ":workspace, :details, :prev_hash, :hash)"),
                         {**prev.__dict__, "details": json.dumps(prev.details)})
    db.dispose()
    app = build(database_url, tmp_path)  # migrates to 0007 over the data
    unkeyed = app.audit.verify()
    assert unkeyed.ok and not unkeyed.keyed and unkeyed.count == 3
    user(app, "ana")
    entries = _entries(app)
    assert entries[3].event == "chain.rekeyed"
    assert entries[3].details == {"legacy_entries": 3, "legacy_head": entries[2].hash}
    report = app.audit.verify()
    assert report.ok and report.keyed and report.legacy == 3 and report.anchor == 4
    with app.db.engine.begin() as conn:
        drop_triggers(conn)
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
        recompute(conn, 2)  # the whole chain, as the attacker can compute it
    bad = app.audit.verify()
    assert not bad.ok and bad.bad == 4  # the anchor no longer links
    app.close()


def _entries(app: Parley) -> list[Any]:
    with app.vault.read() as tx:
        return tx.audit.audit_entries()


text_ = st.text(max_size=12)
events = st.one_of(
    st.builds(ItemCreated, workspace=text_, item=text_, kind=text_, classification=text_),
    st.builds(ItemUpdated, workspace=text_, item=text_, version=st.integers(0, 10**6),
              changed=st.lists(text_, max_size=3).map(tuple)),
    st.builds(LoginFailed, user=text_, reason=text_),
    st.builds(SecretRead, workspace=st.none() | text_,
              items=st.lists(text_, max_size=3).map(tuple)),
    st.builds(WorkspaceExported, workspace=text_, anonymised=st.booleans(),
              items=st.integers(0, 100)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(st.tuples(text_, events), max_size=6), max_size=4))
def test_random_appends_verify(tmp_path: Path, batches: list[list[tuple[str, object]]]) -> None:
    app = build(f"sqlite:///{tmp_path / 'audit.db'}", tmp_path)
    before = app.audit.verify().count
    for batch in batches:  # each batch is one transaction
        with app.vault.write() as tx:
            for actor, event in batch:
                tx.audit.append(actor[:64] or "-", event)  # type: ignore[arg-type]
    report = app.audit.verify()
    assert report.ok, report.reason
    appended = sum(len(b) for b in batches)
    assert report.count == before + appended + (1 if appended and not before else 0)
    assert report.keyed or not appended
    app.close()


def test_start_keys_the_chain_once(app: Parley) -> None:
    assert app.audit.start() is True
    report = app.audit.verify()
    assert report.ok and report.keyed and report.count == 1
    assert app.audit.start() is False


def test_a_checkpoint_every_n_entries_after_commit_only(database_url: str,
                                                         tmp_path: Path) -> None:
    from parley.domain.audit import parse_checkpoints

    cps = tmp_path / "auto.checkpoints"
    app = build(database_url, tmp_path, audit_checkpoint_file=cps, audit_checkpoint_every=3)
    populate(app)  # 7 entries with the anchor: checkpoints of seq 3 and 6
    with pytest.raises(RuntimeError), app.vault.write() as tx:
        tx.audit.append("x", LoginFailed(user="x"))
        tx.audit.append("x", LoginFailed(user="y"))  # seq 9: rolled back, never checkpointed
        raise RuntimeError("abort")
    found = parse_checkpoints(cps.read_text(), str(cps))
    assert [c.count for c in found] == [3, 6]
    assert oct(cps.stat().st_mode & 0o777) == "0o600"
    assert app.audit.verify(found).ok
    app.close()


def test_every_n_needs_the_file() -> None:
    from pydantic import ValidationError

    from parley.config import Settings

    with pytest.raises(ValidationError, match="PARLEY_AUDIT_CHECKPOINT_EVERY needs"):
        Settings(audit_checkpoint_every=10)
