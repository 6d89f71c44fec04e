"""Issue 8, item 8: saved assessments were stored in plaintext (DB, WAL, backup, pg_dump),
readable by anyone with the link without signing in, and listed nowhere.

Each test performs the attack as the issue writes it, on SQLite and PostgreSQL, through the real
web app (TestClient) over a real database.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.account import SYSTEM
from parley.storage.backup import backup
from parley.web.app import create_app
from parley.web.auth import CSRF_COOKIE, SESSION_COOKIE, csrf_serializer
from tests.support import PASSWORD, build, user

MARKERS = ["Venue-Quetzal-Harbour-4471", "Broker-Ines-Carvalho-9902", "Cell-Leader-Tomas-3318"]


@dataclass
class World:
    app: Parley
    web: object
    tmp: Path

    def client(self, who: str | None) -> TestClient:
        """A browser: signed in as `who` (None: anonymous), with a CSRF cookie."""
        c = TestClient(self.web, follow_redirects=False)  # type: ignore[arg-type]
        c.cookies.set(CSRF_COOKIE, f"csrf-{who}")
        if who is not None:
            c.cookies.set(SESSION_COOKIE, self.app.accounts.login(who, PASSWORD))
        return c

    def csrf(self, who: str | None) -> str:
        return str(csrf_serializer(self.app).dumps(f"csrf-{who}"))


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    app = build(database_url, tmp_path)
    app.upgrade()
    for name in ("ana", "bob"):
        user(app, name)
    user(app, "root", admin=True)
    yield World(app, create_app(app), tmp_path)
    app.close()


def _form(w: World, who: str | None, **extra: str) -> dict[str, object]:
    return {"title": f"Talks at {MARKERS[0]}", "notes": f"via {MARKERS[1]}",
            "groups": MARKERS[2], "cohesion": "low", "secrecy": "secret",
            "csrf_token": w.csrf(who), **extra}


def _save(w: World, who: str) -> str:
    r = w.client(who).post("/assess", data=_form(w, who, action="save"))
    assert r.status_code == 303, r.text[:300]
    return str(r.headers["location"])


def _stored_bytes(w: World) -> bytes:
    """Everything at rest: the SQLite file and its WAL/SHM (before and after a checkpoint) and a
    backup; on PostgreSQL, pg_dump and a backup."""
    app = w.app
    chunks: list[bytes] = []
    if app.db.is_sqlite:
        path = Path(app.db.engine.url.database or "")
        chunks += [p.read_bytes() for p in path.parent.glob(path.name + "*")]
        with app.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        chunks += [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    else:
        url = app.db.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False)
        if shutil.which("pg_dump"):
            chunks.append(subprocess.run(["pg_dump", url], capture_output=True, check=True
                                         ).stdout)
        with app.db.engine.connect() as conn:  # every column of every table, as text
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE "
                                       "schemaname='public'")).scalars().all()
            for t in tables:
                chunks.extend(str(r).encode() for r in conn.execute(text(f'SELECT * FROM "{t}"')))
    if app.db.is_sqlite or shutil.which("pg_dump"):
        target = w.tmp / "backup.bin"
        backup(app.db, target)
        chunks.append(target.read_bytes())
    return b"\n".join(chunks)


def _forms(marker: str) -> list[bytes]:
    utf8 = marker.encode()
    return [utf8, marker.encode("utf-16-le"), utf8.hex().encode()]


def test_saved_assessment_is_not_stored_in_plaintext(world: World) -> None:
    """Issue: 'stored in plaintext (found in the DB, WAL, backup and pg_dump)'."""
    url = _save(world, "ana")
    assert world.client("ana").get(url).status_code == 200
    raw = _stored_bytes(world)
    assert b"saved_scenarios" in raw  # the scan sees the table
    for marker in MARKERS:
        assert not any(f in raw for f in _forms(marker)), f"{marker} stored in plaintext"


def test_saved_link_is_not_readable_without_signing_in(world: World) -> None:
    """Issue: 'readable by anyone with the link without signing in'."""
    url = _save(world, "ana")
    anonymous = world.client(None).get(url)
    assert MARKERS[0] not in anonymous.text
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    api_id = url.rsplit("/", 1)[1]
    assert world.client(None).get(f"/api/assessments/saved/{api_id}").status_code == 401
    # another account: exactly like a missing one
    other = world.client("bob").get(url)
    assert other.status_code == 404 and MARKERS[0] not in other.text
    missing = world.client("bob").get("/assess/saved/doesnotexist")
    assert missing.status_code == 404
    assert world.client("bob").post(f"{url}/delete", data={
        "csrf_token": world.csrf("bob"), "confirm": "yes"}).status_code == 404
    # the author and an administrator read it
    assert MARKERS[0] in world.client("ana").get(url).text
    assert MARKERS[0] in world.client("root").get(url).text


def test_saving_needs_an_account_and_keeps_the_brief(world: World) -> None:
    """Anonymous: the assessment is shown (input kept), nothing is saved, sign-in is offered."""
    r = world.client(None).post("/assess", data=_form(world, None, action="save"))
    assert r.status_code == 200
    assert "Saving needs an account" in r.text and 'id="brief"' in r.text
    assert f'value="Talks at {MARKERS[0]}"' in r.text
    with world.app.db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM saved_scenarios")).scalar() == 0
    assert "Save and assess" not in world.client(None).get("/assess").text


def test_my_saved_assessments_are_listed_for_their_author_only(world: World) -> None:
    """Issue: 'listed nowhere'. Now: on /assess and GET /api/assessments/saved, author only."""
    url = _save(world, "ana")
    scenario_id = url.rsplit("/", 1)[1]
    page = world.client("ana").get("/assess").text
    assert "My saved assessments" in page and f'href="{url}"' in page
    assert f"Talks at {MARKERS[0]}" in page
    assert scenario_id not in world.client("bob").get("/assess").text
    token = world.app.accounts.create_token(SYSTEM, "ana").secret
    api = world.client(None)
    listed = api.get("/api/assessments/saved", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()] == [scenario_id]
    bob = world.app.accounts.create_token(SYSTEM, "bob").secret
    assert api.get("/api/assessments/saved",
                   headers={"Authorization": f"Bearer {bob}"}).json() == []


def test_api_save_read_delete_are_audited(world: World) -> None:
    ana = {"Authorization": f"Bearer {world.app.accounts.create_token(SYSTEM, 'ana').secret}"}
    bob = {"Authorization": f"Bearer {world.app.accounts.create_token(SYSTEM, 'bob').secret}"}
    c = world.client(None)
    created = c.post("/api/assessments/saved", headers=ana,
                     json={"title": MARKERS[0], "cohesion": "low"})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert created.json()["assessment"]["findings"]
    assert c.get(f"/api/assessments/saved/{sid}", headers=bob).status_code == 404
    assert c.delete(f"/api/assessments/saved/{sid}", headers=bob).status_code == 404
    got = c.get(f"/api/assessments/saved/{sid}", headers=ana)
    assert got.status_code == 200 and got.json()["scenario"]["title"] == MARKERS[0]
    assert c.delete(f"/api/assessments/saved/{sid}", headers=ana).status_code == 204
    assert c.get(f"/api/assessments/saved/{sid}", headers=ana).status_code == 404
    with world.app.vault.read() as tx:
        events = [(e.actor, e.event, e.details.get("assessment")) for e in
                  tx.audit.audit_entries() if e.event.startswith("assessment.")]
    assert events == [("ana", "assessment.saved", sid), ("ana", "assessment.read", sid),
                      ("ana", "assessment.deleted", sid)]
    with world.app.vault.read() as tx:
        assert MARKERS[0] not in str([e.details for e in tx.audit.audit_entries()])
    assert world.app.audit.verify().ok


def test_page_delete_asks_for_confirmation_first(world: World) -> None:
    url = _save(world, "ana")
    c = world.client("ana")
    ask = c.post(f"{url}/delete", data={"csrf_token": world.csrf("ana")})
    assert ask.status_code == 200 and "Are you sure?" in ask.text
    assert c.get(url).status_code == 200  # still there
    done = c.post(f"{url}/delete", data={"csrf_token": world.csrf("ana"), "confirm": "yes"})
    assert done.status_code == 303
    assert c.get(url).status_code == 404


def test_read_only_token_cannot_save(world: World) -> None:
    from parley.domain.access import Scope

    token = world.app.accounts.create_token(SYSTEM, "ana", scope=Scope.READ).secret
    r = world.client(None).post("/api/assessments/saved", json={"title": "x"},
                                headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


def test_key_rotation_keeps_saved_assessments_readable(world: World) -> None:
    url = _save(world, "ana")
    world.app.keys.rotate()
    world.app.vault._keys.clear()  # a restarted server has no cached data keys
    assert MARKERS[0] in world.client("ana").get(url).text
    with world.app.vault.read() as tx:
        assert tx.keys.scenario_key_versions_in_use() == {world.app.vault.keyring()
                                                          .active_version}


def test_a_row_moved_to_another_author_does_not_open(world: World) -> None:
    """Someone with database access gives Ana's row to Bob: it fails closed, not shown."""
    url = _save(world, "ana")
    with world.app.db.engine.begin() as conn:
        bob_pk = conn.execute(text("SELECT pk FROM users WHERE name='bob'")).scalar()
        conn.execute(text("UPDATE saved_scenarios SET author_pk=:b"), {"b": bob_pk})
    r = world.client("bob").get(url)
    assert r.status_code == 500 and "cannot decrypt" in r.text and MARKERS[0] not in r.text


def test_old_plaintext_rows_are_removed_by_the_migration(tmp_path: Path,
                                                          capfd: pytest.CaptureFixture[str]
                                                          ) -> None:
    """Rows saved by 0.x (plaintext, no author) are removed, with a notice, and overwritten."""
    from alembic import command

    from parley.storage.database import Database, alembic_config

    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO saved_scenarios (id, title, document) VALUES "
                          "('old1', :t, :d)"), {"t": MARKERS[0], "d": f'{{"title": "{MARKERS[0]}"}}'})
    db.upgrade()
    assert "removed 1 saved assessment(s) stored in plaintext" in capfd.readouterr().err
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM saved_scenarios")).scalar() == 0
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("old.db*"))
    assert MARKERS[0].encode() not in raw
    assert re.search(rb"saved_scenarios", raw)
