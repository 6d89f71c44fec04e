"""In a real browser against `parley serve`: the setup link printed at first start creates the
first administrator, who creates a workspace, adds a secret commitment and signs out."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD, served

pytestmark = pytest.mark.browser
SETUP_LINK = re.compile(r"(http://\S+/setup/\S+)")


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A first start: no accounts. Yields (base url, setup link)."""
    db = tmp_path_factory.mktemp("fresh") / "parley.db"
    with served({**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{db}"}) as server:
        link = SETUP_LINK.search(server.wait_for(SETUP_LINK))
        assert link is not None
        yield server.url, link.group(1)


def test_first_admin_workspace_and_secret_commitment(browser: Any,
                                                     fresh_server: tuple[str, str]) -> None:
    base, link = fresh_server
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Create the first administrator")
    page.fill("#username", "mediator")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create administrator").click()
    page.wait_for_url("**/workspaces")
    cookie = next(c for c in context.cookies() if c["name"] == "parley_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.fill("#name", "Prison truce talks")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_have_text("Prison truce talks")
    page.get_by_role("link", name="commitment", exact=True).click()
    page.select_option("#f-classification", "secret")
    page.fill("#f-text", "Stop recruitment of minors <b>now</b>")
    page.select_option("#f-status", "agreed")
    page.fill("#f-deadline", "2026-06-30")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_have_text("Stop recruitment of minors <b>now</b>")
    page.get_by_role("link", name="← Workspace").click()
    expect(page.locator("td.cls-secret")).to_have_text("secret")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit")).to_contain_text("item.created")
    expect(page.locator("table.audit")).to_contain_text("secret.read")

    page.goto(link)  # the setup link worked once
    page.wait_for_url("**/login**")
    page.goto("/workspaces")
    page.get_by_role("button", name="Sign out mediator").first.click()
    page.wait_for_url("**/login")
    page.goto("/workspaces")
    page.wait_for_url("**/login?next=/workspaces")
    context.close()
