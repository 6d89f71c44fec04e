"""Issue 11, item 2, through the web app: the API's living assessment and the page's forms."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from parley.web.app import create_app
from tests.support import build, user
from tests.web.test_workspaces_web import csrf, signed_in


@pytest.fixture(scope="module")
def app(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    a = build(web_database, tmp_path_factory.mktemp("living"))
    for name in ("lia", "oscar"):
        user(a, name)
    yield a
    a.close()


def test_the_api_runs_the_engine_on_the_workspace(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Living", owner="lia").id
    app.workspaces.set_member(SYSTEM, ws, "oscar", Role.OBSERVER)
    app.workspaces.create_item(SYSTEM, ws, ItemKind.DEMAND, Classification.PUBLIC, {
        "code": "weaken-anti-crime-laws", "text": "Fewer raids", "position": "redline"})
    h = {"Authorization": f"Bearer {app.accounts.create_token(SYSTEM, 'lia').secret}"}
    o = {"Authorization": f"Bearer {app.accounts.create_token(SYSTEM, 'oscar').secret}"}
    with TestClient(create_app(app)) as client:
        url = f"/api/workspaces/{ws}/assessment"
        bad = client.put(f"{url}/situation", headers=h, json={"values": {"cohesion": "huge"}})
        assert bad.status_code == 400 and "cohesion" in bad.text
        assert client.put(f"{url}/situation", headers=h,
                          json={"values": {"cohesion": "low"}}).status_code == 200
        body = client.get(url, headers=h).json()
        variables = {v["variable"]: v for v in body["profile"]}
        assert variables["group_demands"]["source"] == "items"
        assert variables["cohesion"] == {"variable": "cohesion", "value": "low",
                                         "source": "hand", "items": []}
        ids = [f["guideline"] for f in body["findings"]]
        assert "unsanctioned-talks-legal-risk" in ids
        assert body["history"] and body["counts"]["open"] == len(ids)
        marked = client.put(f"{url}/findings/unsanctioned-talks-legal-risk", headers=h,
                            json={"status": "accepted", "reason": "Mandate is written"})
        assert marked.status_code == 200, marked.text
        again = client.get(url, headers=h).json()
        state = next(f for f in again["findings"]
                     if f["guideline"] == "unsanctioned-talks-legal-risk")
        assert (state["status"], state["by"], state["reason"]) == (
            "accepted", "lia", "Mandate is written")
        assert len(again["history"]) == 2
        report = client.get(f"/api/workspaces/{ws}/report", headers=h)
        assert report.status_code == 200 and 'id="open-risks"' in report.text
        # an observer reads it, cannot mark it, and its restricted parts stay hidden
        seen = client.get(url, headers=o)
        assert seen.status_code == 200
        assert client.put(f"{url}/findings/unsanctioned-talks-legal-risk", headers=o,
                          json={"status": "open"}).status_code == 403


def test_the_page_sets_the_situation_and_marks_a_finding(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Page", owner="lia").id
    client = signed_in(app, "lia")
    url = f"/workspaces/{ws}/assessment"
    token = csrf(client, url)
    wrong = client.post(f"{url}/situation", data={"csrf_token": token,
                                                  "values": "cohesion low"})
    assert wrong.status_code == 400 and "line 1" in wrong.text
    token = csrf(client, url)  # a page rendered again carries a fresh form token
    done = client.post(f"{url}/situation", data={"csrf_token": token,
                                                 "values": "cohesion: low\nspoilers: political"})
    assert done.status_code == 303
    page = client.get(url)
    assert "set by hand" in page.text and 'id="checklist"' in page.text
    first = re.search(r'<article class="finding[^"]*" id="f-([a-z0-9-]+)"', page.text)
    assert first
    r = client.post(f"{url}/findings/{first.group(1)}", data={
        "csrf_token": token, "status": "accepted", "reason": ""})
    assert r.status_code == 400 and "say why" in r.text
    token = csrf(client, url)
    kept = client.post(f"{url}/findings/{first.group(1)}", data={  # refused: what was typed stays
        "csrf_token": token, "status": "addressed", "reason": "Typed with care"})
    assert kept.status_code == 400 and "addresses it" in kept.text
    assert "Typed with care</textarea>" in kept.text
    token = csrf(client, url)
    r = client.post(f"{url}/findings/{first.group(1)}", data={
        "csrf_token": token, "status": "accepted", "reason": "A known cost"})
    assert r.status_code == 303
    assert "A known cost" in client.get(url).text


def test_in_spanish_the_findings_and_warnings_are_parleys_spanish(app: Parley) -> None:
    ws = app.workspaces.create(SYSTEM, "Español", owner="lia").id
    demand = app.workspaces.create_item(SYSTEM, ws, ItemKind.DEMAND, Classification.PUBLIC, {
        "code": "end-extradition", "text": "Sin extradición", "position": "redline"})
    client = signed_in(app, "lia")
    spanish = {"Accept-Language": "es-HN,es;q=0.9"}
    page = client.get(f"/workspaces/{ws}/assessment", headers=spanish).text
    assert "Evaluación viva" in page
    assert "Fijar líneas rojas sobre la extradición" in page
    assert 'lang="en"' in page  # the paper's quotes stay English, marked as such
    item = client.get(f"/workspaces/{ws}/items/{demand.id}", headers=spanish).text
    assert "Lo que el estudio advierte sobre esta demanda" in item
    assert "Fijar líneas rojas sobre la extradición" in item
