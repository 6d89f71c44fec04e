"""In a real browser (Chromium) against `parley serve`: the paper's kinds through their pages —
a process design with its design elements ticked, a demand with the paper's warnings, a breach
of a retention condition and the owner's revocation decision."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.domain.account import SYSTEM
from tests.support import build, served, server_env, user
from tests.web.conftest import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("kinds-browser")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    user(app, "rosa")
    ws = app.workspaces.create(SYSTEM, "Diálogo", owner="rosa").id
    try:
        with served(server_env(url, tmp)) as server:
            yield server.url, ws
    finally:
        app.close()


def test_design_demand_and_revocation_through_the_pages(browser: Any,
                                                        server: tuple[str, str]) -> None:
    base, ws = server
    page = browser_sign_in(browser, base, "rosa")
    page.goto(f"/workspaces/{ws}")
    page.get_by_role("link", name="process-design").click()
    page.fill("#f-objective", "A truce in two prisons")
    page.select_option("#f-secrecy", "secret")
    page.get_by_role("checkbox", name="clear-objective").check()
    page.get_by_role("checkbox", name="confidence-building").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("checkbox", name="confidence-building")).to_be_checked()
    page.fill("#f-objective", "A truce in three prisons")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#log-revisions")).to_contain_text("Version 1")

    page.goto(f"/workspaces/{ws}/new?kind=demand")
    page.select_option("#f-code", "end-extradition")
    page.fill("#f-text", "No extradition of the leaders")
    page.select_option("#f-position", "redline")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#demand-warnings")).to_contain_text("extradition")

    page.goto(f"/workspaces/{ws}/new?kind=leniency-condition")
    page.fill("#f-beneficiaries", "Clique X")
    page.fill("#f-eligibility", "Register and hand in a weapon")
    page.fill("#f-retention", "No new crime")
    page.get_by_role("button", name="Create").click()
    condition_url = page.url
    page.goto(f"/workspaces/{ws}/new?kind=breach")
    page.fill("#f-date", "2026-05-01")
    page.select_option("#f-leniency_condition", label="Leniency: Clique X")
    page.fill("#f-description", "Extortion of a bus line")
    page.get_by_role("button", name="Create").click()
    page.goto(condition_url)
    log = page.locator("#log-revocations")
    log.locator("select[name=decision]").select_option("retain")
    log.locator("textarea[name=reason]").fill("Isolated act, disowned by the leadership")
    log.get_by_role("button", name="Decide").click()
    expect(page.locator("#log-revocations")).to_contain_text("Isolated act")
    expect(page.locator("#log-revocations")).to_contain_text("rosa")
