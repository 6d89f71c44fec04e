"""Who sees which case, through every read of the web app and API (SQLite and PostgreSQL), and
the case-base pages a curator changes it with (confirmation before delete, controls shown only
to those who may use them, a refused import keeps what was chosen)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Role
from parley.domain.account import SYSTEM
from parley.domain.scenario import scenario_from_case
from parley.knowledge.loader import bundled_case_files
from parley.web.app import create_app
from parley.web.auth import CSRF_COOKIE, SESSION_COOKIE, csrf_serializer
from tests.support import PASSWORD, build, user

TWIN = "cora-august-town-twin"
BUNDLED = "jamaica-august-town-truce-2008"
TWIN_FILE = next(f for f in bundled_case_files() if f.name == f"{BUNDLED}.yaml").read_text(
    encoding="utf-8").replace(f"id: {BUNDLED}", f"id: {TWIN}", 1).replace(
    "title: Jamaica – August Town Truce", "title: Kiwano twin of August Town", 1)


@dataclass
class World:
    app: Parley
    client: TestClient
    tokens: dict[str, str]
    workspace: str
    scenario: dict[str, Any]


@pytest.fixture(scope="module")
def world(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = build(web_database, tmp_path_factory.mktemp("visibility"))
    app.upgrade()
    for name in ("cora", "mia", "otto", "carl"):
        user(app, name)
    app.accounts.set_curator(SYSTEM, "cora", True)
    app.accounts.set_curator(SYSTEM, "carl", True)
    ws = app.workspaces.create(SYSTEM, "Talks", owner="cora")
    app.workspaces.set_member(SYSTEM, ws.id, "mia", Role.OBSERVER)
    tokens = {n: app.accounts.create_token(SYSTEM, n).secret for n in ("cora", "mia", "otto",
                                                                        "carl")}
    case = app.cases.get(BUNDLED).case
    scenario = {k: (list(v) if isinstance(v, tuple) else v)
                for k, v in scenario_from_case(case, app.codebook).values.items()
                if str(v) != "unknown"}
    with TestClient(create_app(app), follow_redirects=False) as client:
        yield World(app, client, tokens, ws.id, scenario)
    app.close()


def api(w: World, who: str | None, method: str, url: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {w.tokens[who]}"} if who else {}
    return w.client.request(method, url, headers=headers, **kw)


def seen(w: World, who: str | None) -> dict[str, Any]:
    """What `who` is shown of the twin through every read."""
    qca = {"conditions": ["MED"], "outcome": "LASTING", "unknown_as_absent": True,
           "leaves_only": False}
    similar = api(w, who, "POST", "/api/assess", json=w.scenario).json()["similar_cases"]
    return {
        "get": api(w, who, "GET", f"/api/cases/{TWIN}").status_code,
        "search": api(w, who, "GET", "/api/cases", params={"q": "kiwano"}).json()["total"],
        "list": TWIN in [c["id"] for c in api(w, who, "GET", "/api/cases",
                                              params={"limit": 1000}).json()["cases"]],
        "compare": api(w, who, "GET", "/api/compare",
                       params={"ids": [TWIN, BUNDLED]}).status_code,
        "similar": TWIN in [s["id"] for s in similar],
        "crosstab": api(w, who, "GET", "/api/crosstab", params={
            "row": "region", "col": "outcome_class", "leaves_only": "false"}).json()["n_cases"],
        "qca": api(w, who, "POST", "/api/qca/cases", json=qca).json()["n_cases"],
    }


def test_private_then_shared_then_published(world: World) -> None:
    w = world
    base = seen(w, None)
    r = api(w, "cora", "POST", "/api/cases/import",
            files=[("files", (f"{TWIN}.yaml", TWIN_FILE.encode(), "text/yaml"))])
    assert r.status_code == 201, r.text
    shown = {"get": 200, "search": 1, "list": True, "compare": 200, "similar": True,
             "crosstab": base["crosstab"] + 1, "qca": base["qca"] + 1}
    hidden = {"get": 404, "search": 0, "list": False, "compare": 404, "similar": False,
              "crosstab": base["crosstab"], "qca": base["qca"]}
    assert base == hidden
    assert seen(w, "cora") == shown
    for who in (None, "mia", "otto", "carl"):
        assert seen(w, who) == hidden, who
    detail = api(w, "cora", "GET", f"/api/cases/{TWIN}").json()
    assert (detail["visibility"], detail["owner"], detail["origin"]) == ("private", "cora", "user")
    # shared with cora's workspace: mia (an observer there) sees it, otto and carl do not
    r = api(w, "cora", "PUT", f"/api/cases/{TWIN}/visibility",
            json={"visibility": "workspace", "workspace": w.workspace})
    assert r.status_code == 200 and r.json()["workspace"] == w.workspace
    assert seen(w, "mia") == shown
    assert seen(w, "otto") == hidden and seen(w, None) == hidden
    # carl, a curator who cannot see it: 404 for every change, as for a missing case
    for method, url, kw in (("PUT", f"/api/cases/{TWIN}/visibility",
                             {"json": {"visibility": "public"}}),
                            ("DELETE", f"/api/cases/{TWIN}?version=2", {})):
        assert api(w, "carl", method, url, **kw).status_code == 404
    # published: everyone; anonymous readers are not told the owner
    assert api(w, "cora", "PUT", f"/api/cases/{TWIN}/visibility",
               json={"visibility": "public"}).status_code == 200
    for who in (None, "mia", "otto", "carl"):
        assert seen(w, who) == shown, who
    assert api(w, None, "GET", f"/api/cases/{TWIN}").json()["owner"] is None
    # withdrawn again, then deleted by its owner (at its current version)
    assert api(w, "cora", "PUT", f"/api/cases/{TWIN}/visibility",
               json={"visibility": "private"}).status_code == 200
    assert seen(w, None) == hidden
    version = api(w, "cora", "GET", f"/api/cases/{TWIN}").json()["version"]
    assert api(w, "cora", "DELETE", f"/api/cases/{TWIN}?version={version - 1}"
               ).status_code == 409
    assert api(w, "cora", "DELETE", f"/api/cases/{TWIN}?version={version}").status_code == 204
    assert seen(w, "cora") == hidden


def test_edit_through_the_api(world: World) -> None:
    import yaml

    w = world
    doc = yaml.safe_load(TWIN_FILE.replace(TWIN, "cora-edit"))
    assert api(w, "cora", "POST", "/api/cases/import", files=[(
        "files", ("e.yaml", TWIN_FILE.replace(TWIN, "cora-edit").encode()))]).status_code == 201
    doc["summary"] = "Edited through the API."
    r = api(w, "cora", "PUT", "/api/cases/cora-edit?version=1", json=doc)
    assert r.status_code == 200 and r.json()["summary"] == "Edited through the API."
    assert r.json()["version"] == 2
    stale = api(w, "cora", "PUT", "/api/cases/cora-edit?version=1", json=doc)
    assert stale.status_code == 409
    wrong_id = api(w, "cora", "PUT", "/api/cases/cora-edit?version=2", json={**doc, "id": "x"})
    assert wrong_id.status_code == 400 and "the case being edited" in wrong_id.text
    assert api(w, "otto", "PUT", "/api/cases/cora-edit?version=2", json=doc).status_code == 403


# -- pages ---------------------------------------------------------------------------------------


def signed_in(w: World, name: str | None) -> tuple[TestClient, str]:
    client = TestClient(w.client.app, follow_redirects=False)
    client.cookies.set(CSRF_COOKIE, f"c-{name}")
    if name:
        client.cookies.set(SESSION_COOKIE, w.app.accounts.login(name, PASSWORD))
    return client, csrf_serializer(w.app).dumps(f"c-{name}")


def test_pages_import_publish_and_delete_with_confirmation(world: World) -> None:
    w = world
    cora, csrf = signed_in(w, "cora")
    assert 'href="/cases/import"' in cora.get("/cases").text
    form = cora.get("/cases/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    body = TWIN_FILE.replace(TWIN, "page-case").encode()
    # refused (the workspace is not one of cora's): nothing stored, the choices kept
    refused = cora.post("/cases/import", files={"files": ("p.yaml", body, "text/yaml")},
                        data={"csrf_token": csrf, "visibility": "workspace",
                              "workspace": "nope", "replace": "yes"})
    assert refused.status_code == 404 and "no workspace" in refused.text
    assert '<option value="workspace" selected>' in refused.text
    assert 'name="replace" value="yes" checked' in refused.text
    assert api(w, "cora", "GET", "/api/cases/page-case").status_code == 404
    made = cora.post("/cases/import", files={"files": ("p.yaml", body, "text/yaml")},
                     data={"csrf_token": csrf, "visibility": "private"})
    assert made.status_code == 303 and made.headers["location"] == "/cases/page-case"
    page = cora.get("/cases/page-case").text
    assert 'id="visibility-form"' in page and 'id="delete-form"' in page
    assert cora.post("/cases/page-case/visibility", data={
        "csrf_token": csrf, "visibility": "public"}).status_code == 303
    assert w.client.get("/cases/page-case").status_code == 200  # anonymous: published
    # a user who is no curator sees no controls; anonymous sees no import link
    otto, _ = signed_in(w, "otto")
    assert 'id="delete-form"' not in otto.get("/cases/page-case").text
    assert 'href="/cases/import"' not in otto.get("/cases").text
    assert "delete-form" not in cora.get(f"/cases/{BUNDLED}").text  # bundled: no controls
    # delete: the first post only asks
    version = api(w, "cora", "GET", "/api/cases/page-case").json()["version"]
    asked = cora.post("/cases/page-case/delete", data={"csrf_token": csrf,
                                                       "version": str(version)})
    assert asked.status_code == 200 and "Are you sure?" in asked.text
    assert api(w, "cora", "GET", "/api/cases/page-case").status_code == 200
    assert re.search(r'name="confirm" value="yes"', asked.text)
    done = cora.post("/cases/page-case/delete", data={"csrf_token": csrf, "confirm": "yes",
                                                      "version": str(version)})
    assert done.status_code == 303
    assert api(w, "cora", "GET", "/api/cases/page-case").status_code == 404


def test_pages_need_a_curator_and_the_csrf_token(world: World) -> None:
    w = world
    anonymous, _ = signed_in(w, None)
    assert anonymous.get("/cases/import").headers["location"].startswith("/login")
    otto, _ = signed_in(w, "otto")
    assert otto.get("/cases/import").status_code == 403
    cora, _ = signed_in(w, "cora")
    no_csrf = cora.post("/cases/import", files={"files": ("p.yaml", b"id: x", "text/yaml")},
                        data={"visibility": "private"})
    assert no_csrf.status_code == 400 and "CSRF" in no_csrf.text
