"""Issue 8, item 9: rows forged by someone with write access to the database but not the key.

Each attack is performed as the issue writes it, on SQLite and PostgreSQL, by editing the
database directly; each now fails closed for that item only, and `parley db check` names it.
Also: rows of the old, unbound format are re-sealed once (audited, idempotent) at start-up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from parley.bootstrap import Parley
from parley.cli.main import app as cli
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM, Principal
from parley.domain.errors import ParleyError
from parley.domain.workspace import ItemKind
from parley.storage.keys import seal
from tests.support import build, user

C = Classification


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


@pytest.fixture
def team(app: Parley) -> tuple[str, Principal, Principal]:
    owner, observer = user(app, "olga"), user(app, "oscar")
    ws = app.workspaces.create(owner, "Talks")
    app.workspaces.set_member(owner, ws.id, "oscar", Role.OBSERVER)
    return ws.id, owner, observer


def sql(app: Parley, statement: str, **params: Any) -> Any:
    """Edit the database directly, as someone with write access but not the key would."""
    with app.db.engine.begin() as conn:
        return conn.execute(text(statement), params)


def body_of(app: Parley, item_id: str) -> bytes:
    return bytes(sql(app, "SELECT body FROM workspace_items WHERE id = :i", i=item_id
                     ).scalar_one())


def note(app: Parley, owner: Principal, ws: str, c: Classification, title: str) -> str:
    return app.workspaces.create_item(owner, ws, ItemKind.NOTE, c, {"title": title}).id


def test_a_secret_item_set_to_public_is_not_served_to_an_observer(
        app: Parley, team: tuple[str, Principal, Principal]) -> None:
    ws, owner, observer = team
    secret = note(app, owner, ws, C.SECRET, "Safe house at Calle 9")
    public = note(app, owner, ws, C.PUBLIC, "Agenda")
    sql(app, "UPDATE workspace_items SET classification = 'public' WHERE id = :i", i=secret)
    assert [i.title for i in app.workspaces.items(observer, ws)] == ["Agenda"]
    listing = app.workspaces.listing(observer, ws)
    assert [i.id for i in listing.items] == [public]  # the rest of the list still serves
    assert listing.unreadable == (secret,)
    with pytest.raises(ParleyError, match="unreadable"):
        app.workspaces.item(observer, ws, secret)
    assert "Calle 9" not in json.dumps(app.workspaces.export(owner, ws))


def test_a_plaintext_body_on_a_secret_row_is_refused(
        app: Parley, team: tuple[str, Principal, Principal]) -> None:
    ws, owner, _ = team
    secret = note(app, owner, ws, C.SECRET, "real")
    forged = b"\x00" + json.dumps({"fields": {"title": "forged order: pay 10,000",
                                              "text": None}, "attachment": None}).encode()
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=forged, i=secret)
    with pytest.raises(ParleyError, match="unreadable"):
        app.workspaces.item(owner, ws, secret)
    assert app.workspaces.listing(owner, ws).unreadable == (secret,)


def test_an_older_ciphertext_is_not_accepted_as_the_new_version(
        app: Parley, team: tuple[str, Principal, Principal]) -> None:
    ws, owner, _ = team
    item = note(app, owner, ws, C.SECRET, "offer: 5 years")
    old = body_of(app, item)
    app.workspaces.update_item(owner, ws, item, C.SECRET, {"title": "offer: 8 years"}, 1)
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=old, i=item)
    with pytest.raises(ParleyError, match="unreadable"):
        app.workspaces.item(owner, ws, item)


def test_swapped_and_corrupted_rows_fail_alone_and_db_check_names_them(
        app: Parley, team: tuple[str, Principal, Principal], tmp_path: Path) -> None:
    ws, owner, _ = team
    a = note(app, owner, ws, C.SECRET, "a")
    b = note(app, owner, ws, C.SECRET, "b")
    good = note(app, owner, ws, C.RESTRICTED, "good")
    doc = app.workspaces.upload_document(owner, ws, C.PUBLIC, {"title": "minutes"},
                                         "minutes.txt", "text/plain", b"Minutes")
    other = app.workspaces.upload_document(owner, ws, C.PUBLIC, {"title": "other"},
                                           "other.txt", "text/plain", b"Other")
    body_a, body_b = body_of(app, a), body_of(app, b)
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=body_b, i=a)
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=body_a, i=b)
    # one corrupted row: a byte of the attachment flipped; another attachment swapped in
    sql(app, "UPDATE attachments SET content = (SELECT content FROM attachments a2 JOIN "
             "workspace_items i2 ON a2.item_pk = i2.pk WHERE i2.id = :o) WHERE item_pk = "
             "(SELECT pk FROM workspace_items WHERE id = :d)", o=other.id, d=doc.id)
    assert {i.id for i in app.workspaces.items(owner, ws)} == {good, doc.id, other.id}
    listing = app.workspaces.listing(owner, ws)
    assert {i.id for i in listing.items} == {good, doc.id, other.id}
    assert set(listing.unreadable) == {a, b}
    with pytest.raises(ParleyError, match="attachment"):
        app.workspaces.attachment(owner, ws, doc.id)
    exported = app.workspaces.export(owner, ws)
    assert set(exported["unreadable"]) == {a, b}
    assert {i["id"] for i in exported["items"]} == {good, doc.id, other.id}

    env = {"PARLEY_DATABASE_URL": app.settings.resolved_database_url(),
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}
    clean = {k: None for k in os.environ if k.startswith("PARLEY_") and k != "PARLEY_SOURCES"}
    result = CliRunner().invoke(cli, ["db", "check"], env={**clean, **env, "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    for bad in (a, b, doc.id):
        assert f"workspace {ws} item {bad}:" in result.stdout
    assert good not in result.stdout and other.id not in result.stdout
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=body_a, i=a)
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", b=body_b, i=b)
    sql(app, "DELETE FROM workspace_items WHERE id = :i", i=doc.id)
    result = CliRunner().invoke(cli, ["db", "check"], env={**clean, **env, "COLUMNS": "200"})
    assert result.exit_code == 0 and result.stdout.startswith("ok"), result.output


def test_old_format_rows_are_resealed_once_and_forged_ones_refused(
        app: Parley, team: tuple[str, Principal, Principal]) -> None:
    """Rows written before row binding: 0x00 JSON (public) and 0x01 sealed under the old
    associated data (restricted, secret). A 0x00 body on a secret row was never written by
    Parley: refused. After the start-up re-seal no old-format row is accepted."""
    ws, owner, _ = team
    pub = note(app, owner, ws, C.PUBLIC, "public one")
    sec = note(app, owner, ws, C.SECRET, "secret one")
    doc = app.workspaces.upload_document(owner, ws, C.SECRET, {"title": "file"}, "f.txt",
                                         "text/plain", b"file bytes").id
    forged = note(app, owner, ws, C.SECRET, "to be forged")
    row = sql(app, "SELECT data_key, key_version FROM workspaces WHERE id = :w", w=ws).one()
    key = app.vault.data_key(ws, bytes(row[0]), row[1])

    def legacy(item_id: str, fields: dict[str, Any], attachment: Any = None) -> bytes:
        return json.dumps({"fields": fields, "attachment": attachment}).encode()

    doc_meta = app.workspaces.item(owner, ws, doc).attachment
    assert doc_meta is not None
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", i=pub,
        b=b"\x00" + legacy(pub, {"title": "public one", "text": None}))
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", i=sec,
        b=seal(key, legacy(sec, {"title": "secret one", "text": None}), f"item|{ws}|{sec}"))
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", i=doc,
        b=seal(key, legacy(doc, {"title": "file", "description": None}, doc_meta.__dict__),
               f"item|{ws}|{doc}"))
    sql(app, "UPDATE attachments SET content = :c WHERE item_pk = (SELECT pk FROM "
             "workspace_items WHERE id = :i)", i=doc,
        c=seal(key, b"file bytes", f"attachment|{ws}|{doc}"))
    sql(app, "UPDATE workspace_items SET body = :b WHERE id = :i", i=forged,
        b=b"\x00" + legacy(forged, {"title": "forged", "text": None}))
    with pytest.raises(ParleyError, match="old, unbound format"):
        app.workspaces.item(owner, ws, sec)

    app.upgrade()  # what every start-up (`parley serve`, any command) and `db upgrade` run
    assert app.workspaces.item(owner, ws, pub).fields["title"] == "public one"
    assert app.workspaces.item(owner, ws, sec).fields["title"] == "secret one"
    assert app.workspaces.attachment(owner, ws, doc)[1] == b"file bytes"
    with pytest.raises(ParleyError, match="unreadable"):
        app.workspaces.item(owner, ws, forged)
    assert [(b.workspace_id, b.item_id) for b in app.workspaces.check()] == [(ws, forged)]
    with app.vault.read() as tx:
        resealed = [e for e in tx.audit.iter_audit() if e.event == "items.resealed"]
    assert len(resealed) == 1 and resealed[0].details == {
        "items": 3, "refused": [f"{ws}/{forged}"]}
    assert resealed[0].actor == SYSTEM.name
    app.upgrade()  # idempotent: the refused row stays refused, and is reported again
    with app.vault.read() as tx:
        again = [e for e in tx.audit.iter_audit() if e.event == "items.resealed"]
    assert len(again) == 2 and again[1].details == {"items": 0,
                                                    "refused": [f"{ws}/{forged}"]}
