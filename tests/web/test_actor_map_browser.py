"""In a real browser (Chromium) against `parley serve`: the actor map page on a phone-sized
screen — the SVG map, the table with names, and the stance filter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from tests.support import build, served, server_env, user
from tests.web.conftest import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("actors-browser")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    user(app, "olga")
    user(app, "otto")
    ws = app.workspaces.create(SYSTEM, "Mesa de diálogo", owner="olga").id
    app.workspaces.set_member(SYSTEM, ws, "otto", Role.OBSERVER)
    add = app.workspaces.create_item
    ms = add(SYSTEM, ws, ItemKind.ACTOR, Classification.PUBLIC,
             {"name": "MS-13", "type": "criminal-group", "stance": "open", "influence": 5})
    b18 = add(SYSTEM, ws, ItemKind.ACTOR, Classification.PUBLIC,
              {"name": "Barrio 18", "type": "criminal-group", "stance": "opposed",
               "spoiler_type": "internal-factions"})
    add(SYSTEM, ws, ItemKind.ACTOR, Classification.SECRET,
        {"name": "Secret go-between", "type": "person", "stance": "supportive"})
    add(SYSTEM, ws, ItemKind.RELATIONSHIP, Classification.PUBLIC,
        {"source": ms.id, "target": b18.id, "type": "rivalry"})
    try:
        with served(server_env(url, tmp)) as server:
            yield server.url, ws
    finally:
        app.close()


def _sign_in(browser: Any, base: str, name: str) -> Any:
    return browser_sign_in(browser, base, name, viewport={"width": 390, "height": 844})


def test_the_map_on_a_phone_with_its_table_and_filter(browser: Any,
                                                       server: tuple[str, str]) -> None:
    base, ws = server
    page = _sign_in(browser, base, "otto")
    page.goto(f"/workspaces/{ws}")
    page.get_by_role("link", name="Actor map").click()
    expect(page.locator("h1")).to_have_text("Actor map: Mesa de diálogo")
    figure = page.locator("svg.actor-map")
    expect(figure).to_have_count(1)
    box = figure.bounding_box()
    assert box is not None and box["width"] <= 390  # fits the phone's width
    expect(page.locator("svg.actor-map circle.node")).to_have_count(2)
    rows = page.locator("table.actors tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.actors")).to_contain_text("rivalry: Barrio 18")
    expect(page.locator("table.actors")).to_contain_text("spoiler (internal-factions)")
    expect(page.locator("body")).not_to_contain_text("Secret go-between")
    page.get_by_label("open", exact=True).check()
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("MS-13")
