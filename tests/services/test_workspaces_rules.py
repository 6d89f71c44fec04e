"""The workspace service's rules, each run against the in-memory fakes AND the real SQLite and
PostgreSQL stores: hidden links kept on edit (issue 8 item 6), 404 above clearance (item 13),
audited reads (item 10), items that fail their check left out alone (item 9), last owner."""

from __future__ import annotations

import json

import pytest

from parley.domain.access import Classification, Role
from parley.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from parley.domain.workspace import ItemKind
from tests.services.conftest import Backend, Team

C = Classification


def test_an_edit_keeps_the_party_link_the_editor_cannot_see(
        backend: Backend, team: Team) -> None:
    """Issue 8, item 6, as written: an analyst opens a restricted commitment whose party is a
    secret party (the box shows blank), changes another field and saves."""
    ws, p = team
    s = backend.service
    party = s.create_item(p["owner"], ws, ItemKind.ACTOR, C.SECRET,
                          {"name": "Comandante X", "type": "person"})
    commitment = s.create_item(p["owner"], ws, ItemKind.COMMITMENT, C.RESTRICTED, {
        "actor": party.id, "text": "Release two hostages", "status": "proposed"})
    seen = s.item(p["analyst"], ws, commitment.id)
    form = {k: ("" if v is None else v) for k, v in seen.fields.items()}
    form["actor"] = ""  # the box lists only parties the analyst may see: it shows blank
    form["status"] = "agreed"
    saved = s.update_item(p["analyst"], ws, commitment.id, C.RESTRICTED, form, seen.version)
    assert saved.fields["status"] == "agreed"
    assert s.item(p["owner"], ws, commitment.id).fields["actor"] == party.id
    updated = [e for e in s.audit_log(p["owner"], ws) if e.event == "item.updated"]
    assert list(updated[-1].details["changed"]) == ["status"]
    # what the analyst is shown does not name the secret party's id either
    assert seen.fields["actor"] is None and saved.fields["actor"] is None
    # the analyst cannot link to the secret party either (answered like a missing item)
    with pytest.raises(ValidationFailed, match="no item"):
        s.create_item(p["analyst"], ws, ItemKind.COMMITMENT, C.RESTRICTED,
                      {"actor": party.id, "text": "x", "status": "proposed"})


def test_items_above_clearance_are_not_found_like_missing_ones(
        backend: Backend, team: Team) -> None:
    """Issue 8, item 13: members got 403 (confirming the item exists), now 404."""
    ws, p = team
    s = backend.service
    secret = s.create_item(p["owner"], ws, ItemKind.NOTE, C.SECRET, {"title": "s"})
    restricted = s.create_item(p["owner"], ws, ItemKind.NOTE, C.RESTRICTED, {"title": "r"})
    for who, item_id in (("analyst", secret.id), ("observer", secret.id),
                         ("observer", restricted.id)):
        for call in (lambda: s.item(p[who], ws, item_id),  # noqa: B023
                     lambda: s.update_item(p[who], ws, item_id, C.PUBLIC, {"title": "x"}, 1),  # noqa: B023
                     lambda: s.delete_item(p[who], ws, item_id, 1),  # noqa: B023
                     lambda: s.attachment(p[who], ws, item_id)):  # noqa: B023
            with pytest.raises(NotFound) as missing:
                call()
            with pytest.raises(NotFound) as absent:
                s.item(p[who], ws, "no-such-item")
            assert str(missing.value).replace(item_id, "?") == str(absent.value).replace(
                "no-such-item", "?")
    with pytest.raises(Forbidden):  # visible, but the role may not: still 403
        s.update_item(p["observer"], ws, s.create_item(
            p["owner"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "p"}).id, C.PUBLIC,
            {"title": "y"}, 1)


def test_a_list_view_writes_one_audit_entry_and_reads_of_the_log_are_audited(
        backend: Backend, team: Team) -> None:
    """Issue 8, item 10: one entry per list (not per item); `audit.read` is written."""
    ws, p = team
    s = backend.service
    ids = [s.create_item(p["owner"], ws, ItemKind.NOTE, C.SECRET, {"title": f"n{i}"}).id
           for i in range(5)]
    s.create_item(p["owner"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "public"})
    before = len(s.audit_log(p["owner"], ws, limit=10_000))
    s.items(p["negotiator"], ws)
    log = s.audit_log(p["owner"], ws, limit=10_000)
    new = log[before:]
    assert [e.event for e in new] == ["audit.read", "secret.read"]  # the previous read, the list
    assert sorted(new[1].details["items"]) == sorted(ids) and new[1].details["purpose"] == "list"
    s.items(p["analyst"], ws)  # no secret shown: nothing to audit
    s.item(p["negotiator"], ws, ids[0])
    s.export(p["negotiator"], ws)
    tail = [(e.event, e.details.get("purpose")) for e in s.audit_log(p["owner"], ws)][-4:]
    assert tail == [("audit.read", None), ("secret.read", "view"),
                    ("workspace.exported", None), ("secret.read", "export")]


def test_a_bad_item_fails_alone(backend: Backend, team: Team
                                ) -> None:
    """Issue 8, item 9: one corrupted row no longer breaks the whole list and the export."""
    ws, p = team
    s = backend.service
    good = s.create_item(p["owner"], ws, ItemKind.NOTE, C.SECRET, {"title": "good"})
    bad = s.create_item(p["owner"], ws, ItemKind.NOTE, C.SECRET, {"title": "bad"})
    backend.corrupt(bad.id)
    listing = s.listing(p["owner"], ws)
    assert [i.id for i in listing.items] == [good.id] and listing.unreadable == (bad.id,)
    doc = s.export(p["owner"], ws)
    assert [i["id"] for i in doc["items"]] == [good.id] and doc["unreadable"] == [bad.id]
    with pytest.raises(Exception, match="unreadable"):
        s.item(p["owner"], ws, bad.id)
    assert [(b.workspace_id, b.item_id) for b in s.check()] == [(ws, bad.id)]


def test_last_owner_and_removed_members(backend: Backend,
                                        team: Team) -> None:
    ws, p = team
    s = backend.service
    with pytest.raises(Conflict, match="at least one owner"):
        s.set_member(p["owner"], ws, "owner", Role.ANALYST)
    with pytest.raises(Conflict, match="at least one owner"):
        s.remove_member(p["owner"], ws, "owner")
    s.remove_member(p["owner"], ws, "analyst")
    with pytest.raises(NotFound):
        s.create_item(p["analyst"], ws, ItemKind.NOTE, C.PUBLIC, {"title": "late"})
    assert {i.fields["title"] for i in s.items(p["owner"], ws)} == set()
    assert "late" not in json.dumps(s.export(p["owner"], ws))


def test_anonymised_export_replaces_attachment_file_names(
        backend: Backend, team: Team) -> None:
    """Issue 8, item 11: attachment file names were kept in anonymised exports."""
    ws, p = team
    s = backend.service
    s.create_item(p["owner"], ws, ItemKind.ACTOR, C.SECRET, {"name": "Ana Ruiz",
                                                           "type": "person"})
    doc = s.upload_document(p["owner"], ws, C.SECRET, {"title": "Ruiz minutes"},
                            "Ana_Ruiz minutes.txt", "text/plain", b"x")
    out = s.export(p["owner"], ws, anonymise=True)
    text_ = json.dumps(out)
    assert "Ruiz" not in text_ and "Ana" not in text_
    att = next(i["attachment"] for i in out["items"] if i["id"] == doc.id)
    assert att["filename"] == f"document-{doc.id}.txt"
