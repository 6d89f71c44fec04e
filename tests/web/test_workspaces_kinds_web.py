"""Issue 11, item 1, through the web app: the kinds listed with their fields, a demand with the
paper's warnings, a revocation decided by an owner (API and page), codes ticked in a form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.workspace import KINDS, ItemKind
from parley.web.app import create_app
from tests.support import build, user
from tests.web.test_workspaces_web import csrf, signed_in


@pytest.fixture(scope="module")
def app(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    a = build(web_database, tmp_path_factory.mktemp("kinds"))
    for name in ("olga", "nico"):
        user(a, name)
    yield a
    a.close()


KINDS_ORDER = [k.value for k in KINDS]


def bearer(app: Parley, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.accounts.create_token(SYSTEM, name).secret}"}


def test_workspace_kinds_lists_every_kind_with_its_fields(app: Parley) -> None:
    with TestClient(create_app(app)) as client:
        assert client.get("/api/workspace-kinds").status_code == 401
        kinds = client.get("/api/workspace-kinds", headers=bearer(app, "olga")).json()
    by = {k["kind"]: k for k in kinds}
    assert list(by) == list(KINDS_ORDER)
    actor = {f["name"]: f for f in by["actor"]["fields"]}
    assert actor["spoiler_type"]["codebook"] == "spoilers"
    assert (actor["influence"]["minimum"], actor["influence"]["maximum"]) == (1, 5)
    rel = {f["name"]: f for f in by["relationship"]["fields"]}
    assert rel["source"]["refers_to"] == "actor"
    assert by["process-design"]["single"] and by["document"]["written_by"]
    assert "living assessment" in by["situation"]["written_by"]
    assert {f["name"]: f["type"] for f in by["commitment"]["fields"]}["status_history"] == "log"


def test_a_demand_shows_the_papers_warnings_and_party_is_refused(app: Parley) -> None:
    h = bearer(app, "olga")
    with TestClient(create_app(app)) as client:
        ws = client.post("/api/workspaces", json={"name": "Demands"}, headers=h).json()["id"]
        old = client.post(f"/api/workspaces/{ws}/items", headers=h, json={
            "kind": "party", "classification": "public", "fields": {"name": "x"}})
        assert old.status_code == 422 and "actor" in old.text
        forged = client.post(f"/api/workspaces/{ws}/items", headers=h, json={
            "kind": "situation", "classification": "public",
            "fields": {"values": {"cohesion": "not-a-code"}}})
        assert forged.status_code == 400 and "living assessment" in forged.text
        made = client.post(f"/api/workspaces/{ws}/items", headers=h, json={
            "kind": "demand", "classification": "restricted",
            "fields": {"code": "end-extradition", "text": "No extradition of our leaders",
                       "position": "redline"}})
        assert made.status_code == 201, made.text
        got = client.get(f"/api/workspaces/{ws}/items/{made.json()['id']}", headers=h).json()
    ids = [w["guideline"] for w in got["warnings"]]
    assert "redlines-on-legal-demands" in ids
    assert all(w["citations"] for w in got["warnings"])
    page = signed_in(app, "olga").get(f"/workspaces/{ws}/items/{made.json()['id']}")
    assert page.status_code == 200 and 'id="demand-warnings"' in page.text


def test_an_owner_decides_a_revocation_a_negotiator_cannot(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Leniency", owner="olga").id
    app.workspaces.set_member(SYSTEM, ws, "nico", Role.NEGOTIATOR)
    nico, olga = bearer(app, "nico"), bearer(app, "olga")
    with TestClient(create_app(app)) as client:
        cond = client.post(f"/api/workspaces/{ws}/items", headers=nico, json={
            "kind": "leniency-condition", "classification": "restricted", "fields": {
                "beneficiaries": "Clique X", "eligibility": "register",
                "retention": "no new crime"}}).json()
        breach = client.post(f"/api/workspaces/{ws}/items", headers=nico, json={
            "kind": "breach", "classification": "restricted", "fields": {
                "date": "2026-03-01", "description": "extortion", "evidence": "report",
                "leniency_condition": cond["id"]}}).json()
        url = f"/api/workspaces/{ws}/items/{cond['id']}/revocations"
        current = client.get(f"/api/workspaces/{ws}/items/{cond['id']}", headers=olga).json()
        body = {"breach": breach["id"], "decision": "revoke", "reason": "Repeated",
                "version": current["version"]}
        assert client.post(url, headers=nico, json=body).status_code == 403
        bad = client.post(url, headers=olga, json={**body, "decision": "perhaps"})
        assert bad.status_code == 422 and "revoke" in bad.text
        done = client.post(url, headers=olga, json=body)
        assert done.status_code == 200, done.text
        assert done.json()["fields"]["revocations"][0]["decision"] == "revoke"
        again = client.post(url, headers=olga, json={**body, "version": done.json()["version"]})
        assert again.status_code == 409


def test_the_page_form_ticks_codes_and_decides(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Design", owner="olga").id
    client = signed_in(app, "olga")
    token = csrf(client, f"/workspaces/{ws}/new?kind=process-design")
    r = client.post(f"/workspaces/{ws}/items", data={
        "csrf_token": token, "kind": "process-design", "classification": "restricted",
        "objective": "A truce in two prisons", "secrecy": "secret",
        "design_elements": ["clear-objective", "confidence-building"]})
    assert r.status_code == 303, r.text[:500]
    design = next(i for i in app.workspaces.items(SYSTEM, ws)
                  if i.kind is ItemKind.PROCESS_DESIGN)
    assert design.fields["design_elements"] == ["clear-objective", "confidence-building"]
    second = client.post(f"/workspaces/{ws}/items", data={
        "csrf_token": token, "kind": "process-design", "classification": "restricted",
        "objective": "Another"})
    assert second.status_code == 409 and "already has its process design" in second.text
    cond = app.workspaces.create_item(SYSTEM, ws, ItemKind.LENIENCY_CONDITION,
                                      Classification.PUBLIC, {
                                          "beneficiaries": "B", "eligibility": "e",
                                          "retention": "r"})
    breach = app.workspaces.create_item(SYSTEM, ws, ItemKind.BREACH, Classification.PUBLIC, {
        "date": "2026-01-01", "description": "d", "leniency_condition": cond.id})
    page = client.get(f"/workspaces/{ws}/items/{cond.id}")
    assert "Decide" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    decided = client.post(f"/workspaces/{ws}/items/{cond.id}/revocations", data={
        "csrf_token": token, "version": version.group(1), "breach": breach.id,
        "decision": "retain", "reason": "isolated"})
    assert decided.status_code == 303
    assert app.workspaces.item(SYSTEM, ws, cond.id).fields["revocations"][0][
        "decision"] == "retain"


def test_the_living_assessments_items_are_edited_only_through_it(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Managed", owner="olga").id
    situation = app.living_assessments.set_situation(SYSTEM, ws, {"cohesion": "low"})
    h = bearer(app, "olga")
    with TestClient(create_app(app)) as client:
        forged = client.put(f"/api/workspaces/{ws}/items/{situation.id}", headers=h, json={
            "classification": "restricted", "version": situation.version,
            "fields": {"values": {"cohesion": "not-a-code"}}})
        assert forged.status_code == 400 and "living assessment" in forged.text
    assert app.workspaces.item(SYSTEM, ws, situation.id).fields["values"] == {"cohesion": "low"}
