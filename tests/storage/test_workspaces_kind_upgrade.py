"""Issue 11, item 1: items written before the paper's framework (`party`, an `incident` of type
`breach`, a commitment with `party` and conditions) are read in today's shape and re-sealed in
it at start-up, with no value lost, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import Classification
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from parley.storage.keys import seal
from tests.support import build, user

C = Classification


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    parley = build(database_url, tmp_path)
    yield parley
    parley.close()


def _old_row(app: Parley, ws: str, item_id: str, kind: str, c: Classification,
             fields: dict[str, Any]) -> None:
    """Rewrite a row as the code before actors wrote it: its old kind, bound to it."""
    with app.db.engine.begin() as conn:
        key_row = conn.execute(text("SELECT data_key, key_version FROM workspaces WHERE id = :w"),
                               {"w": ws}).one()
        version = conn.execute(text("SELECT version FROM workspace_items WHERE id = :i"),
                               {"i": item_id}).scalar_one()
        key = app.vault.data_key(ws, bytes(key_row[0]), key_row[1])
        body = b"\x02" + seal(key, json.dumps({"fields": fields, "attachment": None}).encode(),
                              f"item/2|{ws}|{item_id}|{version}|{kind}|{c.value}")
        conn.execute(text("UPDATE workspace_items SET kind = :k, body = :b WHERE id = :i"),
                     {"k": kind, "b": body, "i": item_id})


def _kinds(app: Parley) -> dict[str, str]:
    with app.db.engine.begin() as conn:
        return {r[0]: r[1] for r in conn.execute(text("SELECT id, kind FROM workspace_items"))}


def test_parties_incidents_and_commitments_move_to_todays_kinds_with_nothing_lost(
        app: Parley) -> None:
    owner = user(app, "ana")
    ws = app.workspaces.create(owner, "Old talks").id
    note = {"title": "placeholder"}
    ids = [app.workspaces.create_item(owner, ws, ItemKind.NOTE, c, note).id
           for c in (C.SECRET, C.RESTRICTED, C.PUBLIC, C.PUBLIC)]
    party, commitment, breach, incident = ids
    _old_row(app, ws, party, "party", C.SECRET, {
        "name": "Don Pedro", "type": "person", "role": "leader", "stance": "spoiler",
        "influence": 0, "interests": ["prison transfers"], "notes": "Met twice."})
    _old_row(app, ws, commitment, "commitment", C.RESTRICTED, {
        "party": party, "text": "Hand over weapons", "eligibility_conditions": "Members only",
        "retention_conditions": "No new killings", "due_date": "2026-05-01",
        "status": "agreed", "verification": "Church"})
    _old_row(app, ws, breach, "incident", C.PUBLIC, {
        "date": "2026-05-03", "type": "breach", "description": "Shots fired",
        "commitment": commitment, "status": "open", "resolution": None})
    _old_row(app, ws, incident, "incident", C.PUBLIC, {
        "date": "2026-05-04", "type": "incident", "description": "A fight",
        "commitment": None, "status": None, "resolution": None})

    # read before the start-up upgrade: already in today's shape
    read = app.workspaces.item(owner, ws, party)
    assert read.kind is ItemKind.ACTOR and read.fields["stance"] == "opposed"

    app.upgrade()  # every start-up and `parley db upgrade`
    assert _kinds(app) == {party: "actor", commitment: "commitment", breach: "breach",
                           incident: "incident"}
    actor = app.workspaces.item(owner, ws, party)
    assert actor.fields["name"] == "Don Pedro" and actor.fields["role"] == "leader"
    assert actor.fields["spoiler_type"] == "unspecified" and actor.fields["influence"] is None
    assert "Met twice." in actor.fields["notes"] and "recorded as 0" in actor.fields["notes"]
    kept = app.workspaces.item(owner, ws, commitment).fields
    assert (kept["actor"], kept["deadline"], kept["verification"]) == (
        party, "2026-05-01", "Church")
    assert "Members only" in kept["notes"] and "No new killings" in kept["notes"]
    b = app.workspaces.item(owner, ws, breach)
    assert b.kind is ItemKind.BREACH and b.fields["commitment"] == commitment
    assert b.fields["description"] == "Shots fired" and b.fields["status"] == "open"
    assert app.workspaces.item(owner, ws, incident).fields["type"] == "other"
    assert app.workspaces.check() == []
    # an edit of an upgraded item works, links check against today's kinds
    app.workspaces.update_item(owner, ws, commitment, C.RESTRICTED,
                               {"text": "Hand over weapons", "status": "fulfilled",
                                "actor": party}, app.workspaces.item(owner, ws, commitment).version)
    with app.vault.read() as tx:
        events = [e for e in tx.audit.iter_audit() if e.event == "items.resealed"]
    assert events and events[-1].details["items"] == 4  # the plain incident too: type "other"
    before = _kinds(app)
    app.upgrade()  # idempotent
    assert _kinds(app) == before
    assert SYSTEM.name == events[-1].actor
