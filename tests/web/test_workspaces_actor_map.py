"""The actor map through the API (SVG) and the page (SVG and table), on both databases: only
what the reader's clearance allows, filters checked, names never ids."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.workspace import ItemKind
from parley.web.app import create_app
from tests.support import build, user
from tests.web.test_workspaces_web import signed_in

SECRET_PARTY = "Informant inside Barrio 18"


@pytest.fixture(scope="module")
def app(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    a = build(web_database, tmp_path_factory.mktemp("actors"))
    yield a
    a.close()


@pytest.fixture(scope="module")
def ws(app: Parley) -> str:
    ana = user(app, "ana")
    user(app, "obs")
    ws = app.workspaces.create(ana, "Mesa de diálogo").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    add = app.workspaces.create_item
    ms = add(ana, ws, ItemKind.ACTOR, Classification.PUBLIC,
             {"name": "MS-13", "type": "criminal-group", "stance": "open", "influence": 5})
    b18 = add(ana, ws, ItemKind.ACTOR, Classification.PUBLIC,
              {"name": "Barrio 18", "type": "criminal-group", "stance": "sceptical"})
    church = add(ana, ws, ItemKind.ACTOR, Classification.PUBLIC,
                 {"name": "Pastoral penitenciaria", "type": "church", "stance": "supportive"})
    spy = add(ana, ws, ItemKind.ACTOR, Classification.SECRET,
              {"name": SECRET_PARTY, "type": "person", "stance": "opposed",
               "spoiler_type": "internal-factions"})
    add(ana, ws, ItemKind.RELATIONSHIP, Classification.PUBLIC,
        {"source": ms.id, "target": b18.id, "type": "rivalry"})
    add(ana, ws, ItemKind.RELATIONSHIP, Classification.PUBLIC,
        {"source": church.id, "target": ms.id, "type": "communication-channel"})
    add(ana, ws, ItemKind.RELATIONSHIP, Classification.SECRET,
        {"source": spy.id, "target": b18.id, "type": "control"})
    return ws


def svg(app: Parley, name: str, ws: str, **params: str) -> tuple[int, str]:
    token = app.accounts.create_token(Principal(name), name).secret
    with TestClient(create_app(app)) as client:
        r = client.get(f"/api/workspaces/{ws}/actor-map.svg", params=params,
                       headers={"Authorization": f"Bearer {token}"})
    return r.status_code, r.text


def test_the_owner_sees_every_party_and_relationship(app: Parley, ws: str) -> None:
    status, text = svg(app, "ana", ws)
    assert status == 200
    root = ET.fromstring(text)  # well-formed SVG
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle[@class='node']")) == 4
    assert len(root.findall(f"{ns}line[@class]")) >= 3
    assert SECRET_PARTY in text and "spoiler-ring" in text
    assert "data-spoiler='internal-factions'" in text  # marked by spoiler type
    assert "MS-13 — rivalry — Barrio 18" in text  # names on edges, never ids


def test_the_observer_sees_no_secret_party_nor_its_edges(app: Parley, ws: str) -> None:
    status, text = svg(app, "obs", ws)
    assert status == 200
    assert SECRET_PARTY not in text and "control" not in text.split("<text", 1)[0]
    root = ET.fromstring(text)
    assert len(root.findall("{http://www.w3.org/2000/svg}circle[@class='node']")) == 3


def test_filters_and_bad_filters(app: Parley, ws: str) -> None:
    status, text = svg(app, "ana", ws, type="church")
    assert status == 200 and "Pastoral penitenciaria" in text and "MS-13" not in text
    status, text = svg(app, "ana", ws, stance="angry")
    assert status == 400
    assert "stance: 'angry'; allowed: supportive, open, neutral" in text


def test_outsiders_get_nothing(app: Parley, ws: str) -> None:
    user(app, "eve")
    assert svg(app, "eve", ws)[0] == 404
    with TestClient(create_app(app)) as client:
        assert client.get(f"/api/workspaces/{ws}/actor-map.svg").status_code == 401


def test_the_page_has_the_map_and_the_same_content_as_a_table(app: Parley, ws: str) -> None:
    client = signed_in(app, "obs")
    page = client.get(f"/workspaces/{ws}/actors")
    assert page.status_code == 200
    assert "class='actor-map'" in page.text and "<table class=\"actors\">" in page.text
    assert "rivalry: Barrio 18" in page.text and SECRET_PARTY not in page.text
    filtered = client.get(f"/workspaces/{ws}/actors", params={"stance": ["supportive"]})
    assert "Pastoral penitenciaria" in filtered.text and "MS-13</a>" not in filtered.text
    bad = client.get(f"/workspaces/{ws}/actors", params={"type": "alien"})
    assert bad.status_code == 400 and "type: &#39;alien&#39;; allowed:" in bad.text
