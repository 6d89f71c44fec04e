"""Workspace use cases: permissions by role and clearance, audit of secret reads, export; on
the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from parley.domain.access import Classification
from parley.domain.anonymise import pseudonym
from parley.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from parley.domain.workspace import ItemKind, parse_filter
from tests.services.conftest import Backend, Team

C = Classification


def test_each_role_sees_up_to_its_clearance(backend: Backend, team: Team
                                            ) -> None:
    ws, p = team
    for c in C:
        backend.service.create_item(p["owner"], ws, ItemKind.NOTE, c, {"title": c.value})
    seen = {r: sorted(i.title for i in backend.service.items(p[r], ws))
            for r in ("owner", "negotiator", "analyst", "observer")}
    assert seen == {"owner": ["public", "restricted", "secret"],
                    "negotiator": ["public", "restricted", "secret"],
                    "analyst": ["public", "restricted"], "observer": ["public"]}
    with pytest.raises(NotFound):
        backend.service.items(p["outsider"], ws)
    with pytest.raises(Forbidden):
        backend.service.create_item(p["observer"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "x"})
    with pytest.raises(Forbidden):
        backend.service.create_item(p["analyst"], ws, ItemKind.NOTE, C.SECRET, {"title": "x"})
    with pytest.raises(Forbidden):
        backend.service.audit_log(p["negotiator"], ws)


def test_secret_reads_are_audited(backend: Backend, team: Team) -> None:
    ws, p = team
    secret = backend.service.create_item(p["owner"], ws, ItemKind.NOTE, C.SECRET,
                                        {"title": "Secret-Title-991"})
    backend.service.item(p["negotiator"], ws, secret.id)
    log = backend.service.audit_log(p["owner"], ws)
    reads = [e for e in log if e.event == "secret.read"]
    assert reads and reads[-1].actor == "negotiator" and reads[-1].details["items"] == [secret.id]
    assert "Secret-Title-991" not in json.dumps([e.details for e in log])


def test_references_and_stale_versions(backend: Backend, team: Team
                                       ) -> None:
    ws, p = team
    with pytest.raises(ValidationFailed, match="source"):
        backend.service.create_item(p["owner"], ws, ItemKind.RELATIONSHIP, C.PUBLIC,
                                   {"source": "nope", "target": "nope", "type": "rivalry"})
    note = backend.service.create_item(p["owner"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "a"})
    backend.service.update_item(p["negotiator"], ws, note.id, C.PUBLIC, {"title": "b"}, 1)
    with pytest.raises(Conflict):
        backend.service.delete_item(p["owner"], ws, note.id, 1)
    with pytest.raises(Conflict, match="at least one owner"):
        backend.service.remove_member(p["owner"], ws, "owner")


def test_links_must_point_to_the_kind_they_name(backend: Backend,
                                                team: Team) -> None:
    """Issue 11, bad input: a link to an item of the wrong kind, or a relationship from a party
    to itself, is refused naming the field and what is allowed; nothing is written."""
    ws, p = team
    note = backend.service.create_item(p["owner"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "n"})
    gang = backend.service.create_item(p["owner"], ws, ItemKind.ACTOR, C.PUBLIC,
                                      {"name": "MS-13", "type": "criminal-group"})
    before = len(backend.service.items(p["owner"], ws))
    with pytest.raises(ValidationFailed) as wrong:
        backend.service.create_item(p["owner"], ws, ItemKind.RELATIONSHIP, C.PUBLIC,
                                   {"source": gang.id, "target": note.id, "type": "rivalry"})
    assert [(x.field, x.message) for x in wrong.value.problems] == [
        ("target", f"'{note.id}' is a note, not an actor: a target must be an actor of this "
                   "workspace")]
    with pytest.raises(ValidationFailed, match="not an actor to itself"):
        backend.service.create_item(p["owner"], ws, ItemKind.RELATIONSHIP, C.PUBLIC,
                                   {"source": gang.id, "target": gang.id, "type": "alliance"})
    with pytest.raises(ValidationFailed, match="not a commitment"):
        backend.service.create_item(p["owner"], ws, ItemKind.BREACH, C.PUBLIC, {
            "date": "2026-01-02", "description": "x", "commitment": gang.id})
    with pytest.raises(ValidationFailed, match="not an actor"):
        backend.service.create_item(p["owner"], ws, ItemKind.COMMITMENT, C.PUBLIC,
                                   {"text": "t", "status": "agreed", "actor": note.id})
    assert len(backend.service.items(p["owner"], ws)) == before


def test_filters(backend: Backend, team: Team) -> None:
    ws, p = team
    backend.service.create_item(p["owner"], ws, ItemKind.COMMITMENT, C.RESTRICTED,
                               {"text": "Stop recruiting minors", "status": "agreed"})
    backend.service.create_item(p["owner"], ws, ItemKind.COMMITMENT, C.PUBLIC,
                               {"text": "Open a corridor", "status": "breached"})
    found = backend.service.items(p["owner"], ws, parse_filter("commitment", None, "agreed", None))
    assert [i.fields["text"] for i in found] == ["Stop recruiting minors"]
    assert backend.service.items(p["owner"], ws, parse_filter(None, None, None, "CORRIDOR"))


def test_anonymised_export_uses_stable_pseudonyms(backend: Backend,
                                                  team: Team) -> None:
    ws, p = team
    backend.service.create_item(p["owner"], ws, ItemKind.ACTOR, C.SECRET,
                               {"name": "Ana Ruiz", "type": "person"})
    backend.service.create_item(p["owner"], ws, ItemKind.SESSION, C.RESTRICTED, {
        "date": "2026-02-01", "participants": ["Luis Mora", "Ana Ruiz"],
        "summary": "Ana Ruiz and Luis Mora met the MS-13 spokesman."})
    plain = backend.service.export(p["owner"], ws)
    assert "Ana Ruiz" in json.dumps(plain)
    first = backend.service.export(p["owner"], ws, anonymise=True)
    second = backend.service.export(p["owner"], ws, anonymise=True)
    text_ = json.dumps(first)
    assert "Ana Ruiz" not in text_ and "Luis Mora" not in text_ and "MS-13" in text_
    assert first["items"] == second["items"]  # stable
    names = [i["fields"].get("name") for i in first["items"] if i["kind"] == "actor"]
    assert names[0].startswith("Person-") and names[0] != pseudonym("Ana Ruiz", b"")
    assert {m["user"] for m in first["members"]}.isdisjoint({"owner", "analyst"})
    assert {m["role"] for m in first["members"]} == {"owner", "negotiator", "analyst",
                                                     "observer"}  # codes are not names
    assert all(i["kind"] in ("actor", "session") for i in first["items"])
    analyst = backend.service.export(p["analyst"], ws)
    assert [i["kind"] for i in analyst["items"]] == ["session"]  # secret party left out
