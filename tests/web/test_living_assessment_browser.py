"""In a real browser (Chromium) against `parley serve`: a mediator opens the living assessment
from the workspace, sets the situation, sees a finding appear, and marks it addressed by a
contingency; the history shows the move."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.domain.access import Classification
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from tests.support import build, served, server_env, user
from tests.web.conftest import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("living-browser")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    user(app, "mara")
    ws = app.workspaces.create(SYSTEM, "Tregua en las cárceles", owner="mara").id
    app.workspaces.create_item(SYSTEM, ws, ItemKind.DEMAND, Classification.RESTRICTED, {
        "code": "end-extradition", "text": "Que no extraditen a los líderes",
        "position": "redline"})
    app.workspaces.create_item(SYSTEM, ws, ItemKind.CONTINGENCY, Classification.RESTRICTED, {
        "trigger": "leak", "title": "The talks leak", "response": "Agreed statement"})
    try:
        with served(server_env(url, tmp)) as server:
            yield server.url, ws
    finally:
        app.close()


def test_set_the_situation_then_address_a_finding(browser: Any,
                                                   server: tuple[str, str]) -> None:
    base, ws = server
    page = browser_sign_in(browser, base, "mara")
    page.goto(f"/workspaces/{ws}")
    page.get_by_role("link", name="Living assessment").click()
    expect(page.locator("h1")).to_have_text("Living assessment")
    expect(page.locator("table.profile")).to_contain_text("group_demands")
    page.fill("#f-values", "cohesion: low")
    page.get_by_role("button", name="Save the situation").click()
    expect(page.locator("table.profile")).to_contain_text("set by hand")
    finding = page.locator("#f-redlines-on-legal-demands")
    expect(finding).to_contain_text("open")
    finding.locator("summary").click()
    finding.locator("select[name=status]").select_option("addressed")
    finding.locator("select[name=addressed_by]").select_option(label="The talks leak")
    finding.get_by_role("button", name="Save").click()
    finding = page.locator("#f-redlines-on-legal-demands")
    expect(finding.locator(".badge")).to_have_text("addressed")
    expect(finding).to_contain_text("The talks leak")
    expect(page.locator("#history + table tbody tr")).to_have_count(2)
