"""Every route of the app × every role (and curator, admin, outsider, anonymous) × every
classification.

Each route must either carry a guard (its action is read from the route's dependencies) or be
listed in `PUBLIC_ROUTES`; a new route that is neither fails here. For guarded routes the
real request is made and the outcome must match `is_allowed` for the actor's workspace role,
or, outside workspaces (accounts, the case base), for its account role. A route that acts on
nothing classified (no item, no create at a classification) sends the same request at every
classification, so its cells are made once per actor (`classified`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import (
    AccountRole,
    Action,
    Classification,
    Role,
    Visibility,
    is_allowed,
    visible,
)
from parley.domain.account import SYSTEM, Principal
from parley.domain.monitoring import MonitorSettings
from parley.domain.scenario import parse_scenario
from parley.domain.workspace import ItemKind
from parley.interchange.documents import parse_document
from parley.interchange.indicator_csv import parse_indicator_text
from parley.knowledge.loader import load_codebook
from parley.web.app import create_app
from parley.web.auth import (
    CSRF_COOKIE,
    PUBLIC_ROUTES,
    SESSION_COOKIE,
    Guard,
    csrf_serializer,
)
from tests.support import PASSWORD, build, user

SCENARIO = parse_scenario({"title": "matrix", "cohesion": "low"}, load_codebook())
ACTORS = ["owner", "negotiator", "analyst", "observer", "curator", "admin", "outsider",
          "anonymous"]
ACCOUNT_ROLES = {"curator": AccountRole.CURATOR, "admin": AccountRole.ADMIN}
PDF = b"%PDF-1.4 test"
CASE = (Path(__file__).resolve().parents[1] / "data" / "cases" / "good"
        / "my-august-town-case.yaml").read_text()
_case_ids = count(1)


def case_file(case_id: str) -> bytes:
    """A valid case file (a user's case) under a new id."""
    return CASE.replace("id: my-august-town-case", f"id: {case_id}", 1).encode()


def fresh_case(app: Parley) -> str:
    """A published user case without an owner: any curator may change it."""
    case_id = f"matrix-case-{next(_case_ids)}"
    app.curation.import_documents(SYSTEM, [(f"{case_id}.yaml", parse_document(
        case_file(case_id), f"{case_id}.yaml"))], visibility=Visibility.PUBLIC)
    return case_id


def guard_action(route: APIRoute) -> Action | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Guard):
            return dep.call.action
        stack.extend(dep.dependencies)
    return None


def routes(app: Any) -> Iterator[tuple[str, str, Action | None]]:
    for ctx in iter_route_contexts(app.routes):
        original = ctx.original_route
        for method in sorted(ctx.methods or ["GET"]):
            if method == "HEAD":
                continue
            action = guard_action(original) if isinstance(original, APIRoute) else None
            yield method, str(ctx.path), action


@dataclass
class World:
    app: Parley
    clients: dict[str, TestClient]
    tokens: dict[str, str]
    csrf: dict[str, str]


@pytest.fixture(scope="module")
def world(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    app = build(web_database, tmp)
    web = create_app(app)
    clients: dict[str, TestClient] = {}
    tokens: dict[str, str] = {}
    csrf: dict[str, str] = {}
    for name in ACTORS:
        client = TestClient(web, follow_redirects=False)
        clients[name] = client
        raw = f"csrf-{name}"
        client.cookies.set(CSRF_COOKIE, raw)
        csrf[name] = csrf_serializer(app).dumps(raw)
        if name == "anonymous":
            continue
        user(app, name, admin=name == "admin")
        if name == "curator":
            app.accounts.set_curator(SYSTEM, name, True)
        tokens[name] = app.accounts.create_token(SYSTEM, name).secret
        client.cookies.set(SESSION_COOKIE, app.accounts.login(name, PASSWORD))
    yield World(app, clients, tokens, csrf)
    for c in clients.values():
        c.close()
    app.close()


def fresh_workspace(app: Parley, only: Classification | None = None, series: bool = True
                    ) -> tuple[str, dict[Classification, str]]:
    """A workspace with its members, a document at each classification (or at `only`: a
    destructive route's cell needs its own) and, if `series`, an indicator series."""
    ws = app.workspaces.create(SYSTEM, "Matrix", owner="owner")
    for role in (Role.NEGOTIATOR, Role.ANALYST, Role.OBSERVER):
        app.workspaces.set_member(SYSTEM, ws.id, role.value, role)
    docs = {c: app.workspaces.upload_document(SYSTEM, ws.id, c, {"title": f"doc {c.value}"},
                                              "d.pdf", "application/pdf", PDF).id
            for c in Classification if only in (None, c)}
    if series:
        table = parse_indicator_text(SERIES, "m.csv")
        SERIES_OF[ws.id] = app.monitoring.import_table(
            SYSTEM, ws.id, table, Classification.PUBLIC, MonitorSettings("2020-07")).created[0]
    return ws.id, docs


SERIES = "date,locality,indicator,value\n" + "".join(
    f"2020-{m:02d},Town,homicides,{10 + m % 3}\n" for m in range(1, 13))
UPLOAD = SERIES.replace("Town", "Upload")
SERIES_OF: dict[str, str] = {}


FIRST = next(iter(Classification))
"""The classification a cell is checked at when the route acts on nothing classified."""

DESTRUCTIVE = re.compile(r"(DELETE .*|POST .*/delete|POST .*/revoke|POST .*/remove)$")


def request_for(w: World, method: str, path: str, actor: str, c: Classification,
                shared: tuple[str, dict[Classification, str]]) -> tuple[str, dict[str, Any]]:
    ws, docs = (fresh_workspace(w.app, c, "{series_id}" in path)
                if DESTRUCTIVE.match(f"{method} {path}") else shared)
    item = docs[c]
    # each an audited read: only where the route sends a version
    version = (w.app.workspaces.item(SYSTEM, ws, item).version
               if "{item_id}" in path or path.endswith("/revocations") else 1)
    ws_version = (w.app.workspaces.get(SYSTEM, ws).workspace.version
                  if path.endswith(("{workspace_id}", "/edit", "/delete")) else 1)
    token_id = "none"
    if "{token_id}" in path and actor in w.tokens:
        token_id = w.app.accounts.create_token(SYSTEM, actor).info.id
    invitation_id = "none"
    if "{invitation_id}" in path and actor in w.tokens:
        invitation_id = _invitation_for(w.app, actor)
    scenario_id = "none"
    if "{scenario_id}" in path and actor in w.tokens:  # the actor's own saved assessment
        scenario_id = w.app.scenarios.save(Principal(actor), SCENARIO).id
    case_id = fresh_case(w.app) if "{case_id}" in path else "none"
    breach = "none"
    if path.endswith("/revocations"):  # a condition at `c` with a revocation to decide
        item = w.app.workspaces.create_item(SYSTEM, ws, ItemKind.LENIENCY_CONDITION, c, {
            "beneficiaries": "clique", "eligibility": "register", "retention": "no crime"}).id
        breach = w.app.workspaces.create_item(SYSTEM, ws, ItemKind.BREACH, c, {
            "date": "2026-01-01", "description": "extortion", "leniency_condition": item}).id
        version = w.app.workspaces.item(SYSTEM, ws, item).version
    url = (path.replace("{workspace_id}", ws).replace("{item_id}", item)
           .replace("{case_id}", case_id)
           .replace("{user}", "observer").replace("{token_id}", token_id)
           .replace("{invitation_id}", invitation_id).replace("{scenario_id}", scenario_id)
           .replace("{series_id}", SERIES_OF.get(ws, "none"))
           .replace("{guideline}", "rigorous-preparation"))
    kw: dict[str, Any] = {}
    api = path.startswith("/api/")
    if api and actor in w.tokens:
        kw["headers"] = {"Authorization": f"Bearer {w.tokens[actor]}"}
    form: dict[str, Any] = {"csrf_token": w.csrf[actor]}
    if not api and method == "POST" and DESTRUCTIVE.match(f"{method} {path}"):
        form["confirm"] = "yes"  # the confirmed step of a delete
    if "{case_id}" in path:
        version = 1  # a fresh case
        if api and method == "DELETE":
            url += "?version=1"
        elif api and path.endswith("{case_id}"):
            url += "?version=1"
            kw["content"] = json.dumps(yaml.safe_load(case_file(case_id)))
            kw["headers"] = {**kw.get("headers", {}), "Content-Type": "application/json"}
        elif api:
            kw["json"] = {"visibility": "public"}
        else:
            form["version"] = "1"
            form["visibility"] = "public"
            kw["data"] = form
        return url, kw
    if path.endswith("/cases/import"):
        if method == "POST":
            new = f"matrix-import-{next(_case_ids)}"
            kw["files"] = {"files": (f"{new}.yaml", case_file(new), "text/yaml")}
            if not api:
                kw["data"] = form
        return url, kw
    if method in ("DELETE",) or url.endswith("/delete"):
        if api and "{item_id}" in path:
            url += f"?version={version}"
        elif api and path.endswith("{workspace_id}"):
            url += f"?version={ws_version}"
        form["version"] = str(version)
    if method == "POST" and path.endswith(("/indicators", "/monitoring")):
        kw["files"] = {"file": ("m.csv", UPLOAD.encode(), "text/csv")}
        kw["data"] = {**({} if api else form), "classification": c.value, "replace": "true"}
        return url, kw
    if path.endswith(("/assessment/situation", "/assessment/findings/{guideline}")):
        situation = next((i for i in w.app.workspaces.items(SYSTEM, ws)
                          if i.kind is ItemKind.SITUATION), None)
        body: dict[str, Any] = (
            {"values": {"cohesion": "low"}, "classification": "public",
             "version": situation.version if situation else None}
            if path.endswith("/situation") else
            {"status": "accepted", "reason": "matrix", "classification": "public"})
        if api:
            kw["json"] = body
        else:
            form.update(classification="public", status="accepted", reason="matrix",
                        values="cohesion: low",
                        version=str(situation.version) if situation else "")
            kw["data"] = form
        return url, kw
    if path.endswith("/revocations"):
        decision = {"breach": breach, "decision": "retain", "reason": "matrix",
                    "version": version}
        if api:
            kw["json"] = decision
        else:
            kw["data"] = {**form, **{k: str(v) for k, v in decision.items()}}
        return url, kw
    if path.endswith("/documents"):
        kw["files"] = {"file": ("d.pdf", PDF, "application/pdf")}
        kw["data"] = {**form, "title": "up", "classification": c.value}
    elif api and method in ("POST", "PUT", "PATCH"):
        if path == "/api/workspaces":
            kw["json"] = {"name": "new"}
        elif path.endswith("{workspace_id}"):
            kw["json"] = {"name": "renamed", "version": ws_version}
        elif path.endswith("/items"):
            kw["json"] = {"kind": "note", "classification": c.value, "fields": {"title": "n"}}
        elif path.endswith("{item_id}"):
            kw["json"] = {"classification": c.value, "fields": {"title": "t"},
                          "version": version}
        elif "/members/" in path:
            kw["json"] = {"role": "observer"}
        elif path == "/api/tokens":
            kw["json"] = {"label": "x"}
        elif path.endswith("/password"):
            kw["json"] = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        elif path == "/api/account/language":
            kw["json"] = {"language": "es"}
        elif path == "/api/assessments/saved":
            kw["json"] = {"title": "matrix", "cohesion": "low"}
        elif path.endswith("{scenario_id}") and method == "PATCH":
            kw["json"] = {"title": "renamed"}
    elif not api and method == "POST":
        if path == "/workspaces":
            form["name"] = "new"
        elif path.endswith("/edit"):
            form.update(name="renamed", version=str(ws_version))
        elif path.endswith("{workspace_id}/delete"):
            form["version"] = str(ws_version)
        elif path.endswith("/items"):
            form.update(kind="note", classification=c.value, title="n")
        elif path.endswith("{item_id}"):
            form.update(classification=c.value, title="t", version=str(version))
        elif path.endswith("/members"):
            form.update(user="observer", role="observer")
        elif path.endswith("/password"):
            form.update(current_password=PASSWORD, new_password=NEW_PASSWORD)
        elif path.endswith("/rename"):
            form["title"] = "renamed"
        kw["data"] = form
    if path.endswith("/new"):
        url += "?kind=note"
    if path.endswith("/download"):
        url += "?format=md"  # the guard is the format's; a PDF per cell was a third of the run
    return url, kw


NEW_PASSWORD = "matrix passphrase 2026 x"


def _invitation_for(app: Parley, actor: str) -> str:
    """A pending invitation for `actor` to a workspace of someone else."""
    if all(u.name != "inviter" for u in app.accounts.users()):
        user(app, "inviter")
    ws = app.workspaces.create(SYSTEM, "Invitation", owner="inviter").id
    invitation = app.invitations.invite(SYSTEM, ws, actor, Role.OBSERVER)
    assert invitation is not None
    return invitation.id


def restore_session(w: World, method: str, path: str, actor: str) -> None:
    """Password changes and "sign out everywhere" end the actor's sessions: sign in again."""
    if actor in w.tokens and path.endswith(("/password", "/sessions/revoke")):
        w.app.accounts.set_password(SYSTEM, actor, PASSWORD)
        jar = w.clients[actor].cookies
        jar.delete(SESSION_COOKIE)  # also the one the password page set, ended just now
        jar.set(SESSION_COOKIE, w.app.accounts.login(actor, PASSWORD))


def expected(action: Action, path: str, actor: str, c: Classification) -> bool:
    if actor == "anonymous":
        return False
    if "{workspace_id}" not in path:
        return is_allowed(None, action, account=ACCOUNT_ROLES.get(actor, AccountRole.USER))
    if actor in ("outsider", "curator", "admin"):  # members of no workspace here
        return False
    role = Role(actor)
    if classified(action, path):
        return is_allowed(role, action, c)
    return is_allowed(role, action)


def classified(action: Action, path: str) -> bool:
    """Whether the route acts on something of a classification: an item, or what a create
    makes at the classification it is sent. Elsewhere a cell's request and its expected
    answer are the same at every classification, so it is made once, not four times."""
    creates = action is Action.ITEM_CREATE and path.endswith(
        ("/items", "/documents", "/indicators", "/monitoring"))
    return "{item_id}" in path or creates


def test_every_route_is_guarded_or_declared_public(world: World) -> None:
    web = world.clients["owner"].app
    unguarded = [(m, p) for m, p, a in routes(web)
                 if a is None and (m, p) not in PUBLIC_ROUTES and p != "/static"]
    assert unguarded == [], "routes with neither a guard nor a PUBLIC_ROUTES entry"
    existing = {(m, p) for m, p, _ in routes(web)} | {("GET", "/static")}
    assert set(PUBLIC_ROUTES) - existing == set(), "PUBLIC_ROUTES names routes that do not exist"


@pytest.mark.slow
def test_route_role_classification_matrix(world: World) -> None:
    web = world.clients["owner"].app
    shared = fresh_workspace(world.app)
    guarded = [(m, p, a) for m, p, a in routes(web) if a is not None]
    assert len(guarded) >= 30
    wrong = []
    checked = 0
    expected_cells = 0
    for (method, path, action), actor, c in itertools.product(guarded, ACTORS, Classification):
        if c is not FIRST and not classified(action, path):
            continue  # the same request, with the same expected answer, as at FIRST
        expected_cells += 1
        url, kw = request_for(world, method, path, actor, c, shared)
        response = world.clients[actor].request(method, url, **kw)
        restore_session(world, method, path, actor)
        allowed = expected(action, path, actor, c)
        status = response.status_code
        to_login = status == 303 and "/login" in response.headers.get("location", "")
        signs_out = path == "/account/sessions/revoke"  # success is the sign-in page
        if to_login and actor != "anonymous" and not signs_out:
            ok = False  # a signed-in actor sent to sign in lost its session: never a pass
        else:
            ok = status < 400 if allowed else status in (401, 403, 404)
        if ("{item_id}" in path and actor in {r.value for r in Role}
                and not visible(Role(actor), c)):
            ok = status == 404  # above clearance: answered like a missing item (issue 8, 13)
        if actor == "anonymous" and not path.startswith("/api/"):
            ok = status == 303 and response.headers["location"].startswith("/login")
        if not ok:
            wrong.append(f"{method} {path} as {actor} on {c.value}: {status} "
                         f"(expected {'allow' if allowed else 'deny'}) "
                         f"{response.headers.get('location', '')} {response.text[:160]}")
        checked += 1
    assert not wrong, "\n".join(wrong[:40])
    print(f"\naccess matrix: {len(guarded)} guarded routes × {len(ACTORS)} actors × "
          f"{len(Classification)} classifications where the route acts on a classified "
          f"thing, else one: {checked} requests checked")
    assert checked == expected_cells == sum(
        len(ACTORS) * (len(Classification) if classified(a, p) else 1) for _, p, a in guarded)
    assert any(classified(a, p) for _, p, a in guarded)


def test_public_cases_can_require_sign_in(fresh_database: str, tmp_path: Path) -> None:
    app = build(fresh_database, tmp_path, public_cases=False)
    with TestClient(create_app(app), follow_redirects=False) as client:
        assert client.get("/api/cases").status_code == 401
        assert client.get("/cases").headers["location"].startswith("/login")
        user(app, "ana")
        token = app.accounts.create_token(SYSTEM, "ana").secret
        assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 200
    app.close()
