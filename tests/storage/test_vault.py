"""The confidential store on SQLite and PostgreSQL: sealing, no plaintext at rest, append-only
audit, optimistic concurrency, key rotation and backups."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.errors import ConfigurationError, Conflict, KeyUnavailable
from parley.domain.workspace import ItemKind
from parley.storage.backup import backup, restore
from parley.storage.keys import KeyRing
from tests.support import build, user

SECRETS = ["Zorro-Meeting-Venue-7781", "Amnesty-Offer-Quetzal-5521", "Informant-Lucia-Verde"]
C = Classification


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def populate(app: Parley) -> tuple[str, dict[str, str]]:
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks " + SECRETS[0], "about " + SECRETS[1])
    ids = {}
    ids["actor"] = app.workspaces.create_item(owner, ws.id, ItemKind.ACTOR, C.SECRET, {
        "name": SECRETS[2], "type": "person", "interests": [SECRETS[1]]}).id
    ids["note"] = app.workspaces.create_item(owner, ws.id, ItemKind.NOTE, C.RESTRICTED, {
        "title": "venue", "text": "We meet at " + SECRETS[0]}).id
    ids["public"] = app.workspaces.create_item(owner, ws.id, ItemKind.NOTE, C.PUBLIC, {
        "title": "public-note-visible", "text": "nothing secret"}).id
    ids["doc"] = app.workspaces.upload_document(
        owner, ws.id, C.SECRET, {"title": "minutes"}, "../../etc/minutes.txt", "text/plain",
        ("Minutes: " + SECRETS[1]).encode()).id
    return ws.id, ids


def test_round_trip_of_every_classification(app: Parley) -> None:
    ws, ids = populate(app)
    owner = SYSTEM
    items = {i.id: i for i in app.workspaces.items(owner, ws)}
    assert items[ids["actor"]].fields["name"] == SECRETS[2]
    assert items[ids["note"]].fields["text"].endswith(SECRETS[0])
    meta, data = app.workspaces.attachment(owner, ws, ids["doc"])
    assert data == ("Minutes: " + SECRETS[1]).encode()
    assert meta.filename == "minutes.txt"  # no path traversal in stored names
    assert app.workspaces.get(owner, ws).workspace.name == "Talks " + SECRETS[0]


def _scan_sqlite(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_no_plaintext_at_rest(app: Parley, database_url: str, tmp_path: Path) -> None:
    populate(app)
    if app.db.is_sqlite:
        with app.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = _scan_sqlite(Path(database_url[len("sqlite:///"):]))
    elif shutil.which("pg_dump"):
        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        raw = subprocess.run(["pg_dump", url], capture_output=True, check=True).stdout
    else:  # every column of every table, as text
        chunks: list[str] = []
        with app.db.engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname="
                                       "'public'")).scalars().all()
            for t in tables:
                chunks.extend(str(r) for r in conn.execute(text(f'SELECT * FROM "{t}"')))
        raw = "\n".join(chunks).encode()
    assert any(f in raw for f in _forms("olga"))  # the scan sees stored text (a user name)
    # public items are sealed too since row binding (issue 8, item 9)
    assert not any(f in raw for f in _forms("public-note-visible"))
    for secret in SECRETS:
        assert not any(f in raw for f in _forms(secret)), f"{secret} stored in plaintext"


def _postgres_leftovers(app: Parley, table: str, wal_from: str) -> tuple[bytes, bytes]:
    """Every raw page of `table` and its TOAST table (dead tuples included: pageinspect reads
    the page, not the visible rows), and the WAL segments written since `wal_from`."""
    chunks: list[bytes] = []
    with app.db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        toast = conn.execute(text("SELECT reltoastrelid::regclass::text FROM pg_class WHERE "
                                  "oid = CAST(:t AS regclass)"), {"t": table}).scalar()
        for rel in (table, toast):
            if rel in (None, "-"):
                continue
            blocks = conn.execute(text("SELECT pg_relation_size(CAST(:r AS regclass)) / "
                                       "current_setting('block_size')::int"), {"r": rel}).scalar_one()
            chunks += [bytes(conn.execute(text("SELECT get_raw_page(:r, :n)"),
                                          {"r": rel, "n": n}).scalar_one()) for n in range(blocks)]
        until = conn.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())")).scalar()
        segments = conn.execute(text("SELECT name FROM pg_ls_waldir() WHERE name >= :a AND "
                                     "name <= :b AND length(name) = 24 ORDER BY name"),
                                {"a": wal_from, "b": until}).scalars().all()
        assert segments, "no WAL segment to read"
        wal = [bytes(conn.execute(text("SELECT pg_read_binary_file('pg_wal/' || :f)"),
                                  {"f": f}).scalar_one()) for f in segments]
    return b"".join(chunks), b"".join(wal)


def test_raising_an_item_to_secret_leaves_no_old_plaintext(app: Parley, database_url: str
                                                           ) -> None:
    """Issue 8, item 13: "the old plaintext of an item raised from public to secret stays in
    the WAL / dead tuples". The note is written public, then raised to secret unchanged; the
    SQLite file and its WAL as the app leaves them, or PostgreSQL's raw pages of the items table
    (dead row versions included) and the WAL written meanwhile, hold no copy of its text."""
    marker = "Informant-Raised-Later-6620"
    owner = user(app, "olga")
    ws = app.workspaces.create(owner, "Talks").id
    wal_from = ""
    if not app.db.is_sqlite:
        with app.db.engine.connect() as conn:
            wal_from = str(conn.execute(text("SELECT pg_walfile_name(pg_current_wal_lsn())"))
                           .scalar())
    fields = {"title": "informant", "text": f"Meets {marker} on Fridays"}
    item = app.workspaces.create_item(owner, ws, ItemKind.NOTE, C.PUBLIC, fields)
    raised = app.workspaces.update_item(owner, ws, item.id, C.SECRET, fields, item.version)
    assert raised.classification is C.SECRET and raised.version == item.version + 1
    if app.db.is_sqlite:  # the file, WAL and SHM as the app leaves them (no checkpoint of ours)
        scans = [_scan_sqlite(Path(database_url[len("sqlite:///"):]))]
    else:
        scans = list(_postgres_leftovers(app, "workspace_items", wal_from))
    for raw in scans:
        assert item.id.encode() in raw  # the scan sees the item's row (pages; WAL records)
        assert not any(f in raw for f in _forms(marker)), "the public version's text is stored"


def _forms(text_: str) -> list[bytes]:
    """The ways a string can appear in a file or dump: UTF-8, UTF-16, bytea hex."""
    utf8 = text_.encode()
    return [utf8, text_.encode("utf-16-le"), utf8.hex().encode()]


def test_audit_log_rejects_update_and_delete(app: Parley) -> None:
    populate(app)
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), app.db.engine.begin() as conn:
            conn.execute(text(sql))
    assert app.audit.verify().ok


def _drop_triggers(app: Parley) -> None:
    with app.db.engine.begin() as conn:
        if app.db.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))


@pytest.mark.parametrize("tamper", ["edit", "remove", "reorder"])
def test_verify_names_the_first_bad_entry(app: Parley, tamper: str) -> None:
    populate(app)
    report = app.audit.verify()
    assert report.ok and report.count >= 6
    _drop_triggers(app)  # an attacker with database access
    with app.db.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"))
        elif tamper == "remove":
            conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
        else:
            conn.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 4"))
            conn.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 5"))
            conn.execute(text("UPDATE audit_log SET seq = 5 WHERE seq = -1"))
    bad = app.audit.verify()
    assert not bad.ok
    assert bad.bad == 4


def test_stale_update_conflicts_between_two_threads(database_url: str, tmp_path: Path) -> None:
    """Two writers (separate connections pools, as two processes) edit the same item from the
    same version: exactly one wins, the other gets Conflict and changes nothing."""
    first = build(database_url, tmp_path)
    ws, ids = populate(first)
    second = build(database_url, tmp_path)
    item = first.workspaces.item(SYSTEM, ws, ids["note"])
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def edit(app: Parley, who: str) -> None:
        barrier.wait()
        try:
            app.workspaces.update_item(SYSTEM, ws, item.id, C.RESTRICTED,
                                       {"title": who, "text": who}, item.version)
            results[who] = "ok"
        except Conflict as exc:
            results[who] = exc

    threads = [threading.Thread(target=edit, args=(a, w))
               for a, w in ((first, "alice"), (second, "bob"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [w for w, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    loser = next(w for w in results if w not in winners)
    assert isinstance(results[loser], Conflict)
    final = first.workspaces.item(SYSTEM, ws, item.id)
    assert final.fields["title"] == winners[0] and final.version == item.version + 1
    with pytest.raises(Conflict, match="changed by someone else"):
        first.workspaces.update_item(SYSTEM, ws, item.id, C.RESTRICTED, {"title": "late"},
                                     item.version)
    first.close()
    second.close()


def test_key_rotation_rewraps_and_retires_the_old_key(app: Parley, tmp_path: Path) -> None:
    ws, ids = populate(app)
    key_file = tmp_path / "master.key"
    old = KeyRing.from_file(key_file).keys
    version, count = app.keys.rotate()
    assert (version, count) == (2, 1)
    ring = KeyRing.from_file(key_file)
    assert set(ring.keys) == {2} and ring.keys[2] != old[1]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    fresh = build(app.settings.resolved_database_url(), tmp_path)  # new process, new ring
    assert fresh.workspaces.item(SYSTEM, ws, ids["actor"]).fields["name"] == SECRETS[2]
    assert fresh.audit.verify().ok
    fresh.close()


def test_a_wrong_master_key_is_a_clear_error(app: Parley, tmp_path: Path) -> None:
    ws, ids = populate(app)
    other = tmp_path / "other"
    KeyRing.from_file(other / "master.key")  # another key under the same version
    wrong = build(app.settings.resolved_database_url(), other)
    with pytest.raises(KeyUnavailable, match="another key"):
        wrong.check_keys()
    with pytest.raises(KeyUnavailable, match="does not open the data key"):
        wrong.workspaces.item(SYSTEM, ws, ids["actor"])
    wrong.close()


def test_key_file_is_created_private_and_refused_when_readable(tmp_path: Path) -> None:
    path = tmp_path / "k" / "master.key"
    ring = KeyRing.from_file(path)
    assert ring.created and oct(path.stat().st_mode & 0o777) == "0o600"
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        KeyRing.from_file(path)


def test_backup_and_restore_round_trip(app: Parley, tmp_path: Path) -> None:
    ws, _ = populate(app)
    target = tmp_path / "backup.db"
    assert backup(app.db, target) > 0
    app.workspaces.create_item(SYSTEM, ws, ItemKind.NOTE, C.SECRET, {"title": "after"})
    app.workspaces.set_member(SYSTEM, ws, "olga", Role.OWNER)
    restore(app.db, target)
    titles = [i.title for i in app.workspaces.items(SYSTEM, ws)]
    assert "after" not in titles and "venue" in titles
    assert app.audit.verify().ok
    assert app.db.integrity_ok()


def test_ids_never_look_like_command_line_options() -> None:
    from parley.storage.records import new_id

    assert all(new_id()[0].isalnum() for _ in range(2000))
