"""Issue 8, item 13 (web) in a real browser: Chromium, driven by Playwright, against
`parley serve` on its own SQLite database.

Deletes of a workspace or an item ask first (cancel keeps, confirm deletes; with and without
JavaScript); a form refused for a missing field or for the user's role (demoted while typing)
comes back with what was typed; controls a role cannot use are not on the page; an item above a
member's clearance is a 404 page, the same as an item that does not exist.

The accounts, the workspace and its members are made in-process on the server's database (the
same master key file), as an administrator would with the CLI; everything a user does goes
through the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.errors import NotFound
from parley.domain.workspace import ItemKind
from tests.support import PASSWORD, build, served, server_env, user

pytestmark = pytest.mark.browser

MEMBERS = {"nina": Role.NEGOTIATOR, "anton": Role.ANALYST, "otto": Role.OBSERVER}


@dataclass(frozen=True)
class Server:
    """The running server's base URL and an in-process Parley on the same database."""

    url: str
    app: Parley


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("safety")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    for name in ("olga", *MEMBERS):
        user(app, name)
    try:
        with served(server_env(url, tmp)) as server:
            yield Server(server.url, app)
    finally:
        app.close()


def _workspace(app: Parley, name: str) -> str:
    """A workspace owned by olga with one member of each other role; returns its id."""
    ws = app.workspaces.create(SYSTEM, name, owner="olga")
    for member, role in MEMBERS.items():
        app.workspaces.set_member(SYSTEM, ws.id, member, role)
    return ws.id


def _note(app: Parley, ws: str, title: str,
          classification: Classification = Classification.PUBLIC) -> str:
    return app.workspaces.create_item(SYSTEM, ws, ItemKind.NOTE, classification,
                                      {"title": title, "text": f"text of {title}"}).id


@pytest.fixture
def sign_in(browser: Any, server: Server) -> Iterator[Any]:
    """`sign_in(name, javascript=True)`: a fresh browser context signed in through /login."""
    contexts: list[Any] = []

    def _sign_in(name: str, *, javascript: bool = True) -> Any:
        context = browser.new_context(base_url=server.url, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", name)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/workspaces")
        return page

    yield _sign_in
    for context in contexts:
        context.close()


def _buttons(page: Any) -> list[str]:
    """The labels of the buttons on the page (a file chooser has none)."""
    return [b for b in page.get_by_role("button").all_inner_texts() if b]


# -- (a) confirm before delete -------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_item_delete_asks_first_cancel_keeps_confirm_deletes(
        server: Server, sign_in: Any, javascript: bool) -> None:
    app = server.app
    ws = _workspace(app, f"Item delete {javascript}")
    item = _note(app, ws, "Ceasefire minutes")
    page = sign_in("olga", javascript=javascript)
    page.goto(f"/workspaces/{ws}/items/{item}")

    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("h1")).to_have_text("Are you sure?")
    expect(page.locator("#confirm-question")).to_contain_text("“Ceasefire minutes”")
    assert app.workspaces.item(SYSTEM, ws, item).title == "Ceasefire minutes"  # one click: kept
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/workspaces/{ws}/items/{item}")
    expect(page.locator("h1")).to_have_text("Ceasefire minutes")
    assert app.workspaces.item(SYSTEM, ws, item).title == "Ceasefire minutes"  # cancel: kept

    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("h1")).to_have_text("Are you sure?")
    page.locator("#confirm-form").get_by_role("button", name="Delete").click()
    page.wait_for_url(f"**/workspaces/{ws}")
    expect(page.locator("table.items")).not_to_contain_text("Ceasefire minutes")
    with pytest.raises(NotFound):
        app.workspaces.item(SYSTEM, ws, item)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_workspace_delete_asks_first_cancel_keeps_confirm_deletes(
        server: Server, sign_in: Any, javascript: bool) -> None:
    app = server.app
    name = f"Prison truce {'js' if javascript else 'no-js'}"
    ws = _workspace(app, name)
    _note(app, ws, "agenda")
    page = sign_in("olga", javascript=javascript)
    page.goto(f"/workspaces/{ws}")
    delete = page.get_by_role("button", name="Delete this workspace and everything in it")

    delete.click()
    expect(page.locator("h1")).to_have_text("Are you sure?")
    expect(page.locator("#confirm-question")).to_contain_text(f"“{name}”")
    assert app.workspaces.get(SYSTEM, ws).workspace.name == name
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/workspaces/{ws}")
    expect(page.locator("h1")).to_have_text(name)
    assert len(app.workspaces.items(SYSTEM, ws)) == 1  # cancel: the workspace and its item kept

    delete.click()
    page.locator("#confirm-form").get_by_role("button", name="Delete").click()
    page.wait_for_url("**/workspaces")
    expect(page.locator("main")).not_to_contain_text(name)
    with pytest.raises(NotFound):
        app.workspaces.get(SYSTEM, ws)


# -- (b) a refused form keeps what was typed ------------------------------------------------------


def test_missing_field_keeps_every_typed_value(server: Server, sign_in: Any) -> None:
    """A commitment without its required status: the text, conditions, party link, due date and
    classification the analyst chose all come back with the error."""
    app = server.app
    ws = _workspace(app, "Missing field")
    party = app.workspaces.create_item(SYSTEM, ws, ItemKind.ACTOR, Classification.RESTRICTED,
                                       {"name": "Barrio 18", "type": "criminal-group"}).id
    page = sign_in("anton")
    page.goto(f"/workspaces/{ws}/new?kind=commitment")
    typed = "Stop recruiting minors\nin the two prisons, verified monthly"
    page.select_option("#f-classification", "public")
    page.select_option("#f-actor", party)
    page.fill("#f-text", typed)
    page.fill("#f-verification", "leaders in custody")
    page.fill("#f-deadline", "2026-06-30")
    page.get_by_role("button", name="Create").click()

    expect(page.locator("#form-errors")).to_contain_text("status")
    expect(page.locator("#f-text")).to_have_value(typed)
    expect(page.locator("#f-verification")).to_have_value("leaders in custody")
    expect(page.locator("#f-deadline")).to_have_value("2026-06-30")
    expect(page.locator("#f-actor")).to_have_value(party)
    expect(page.locator("#f-classification")).to_have_value("public")
    assert [i.kind for i in app.workspaces.items(SYSTEM, ws)] == [ItemKind.ACTOR]  # not saved
    page.select_option("#f-status", "agreed")  # the user fixes only what was missing
    page.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_have_text(typed.replace("\n", " "))
    saved = next(i for i in app.workspaces.items(SYSTEM, ws) if i.kind is ItemKind.COMMITMENT)
    assert app.workspaces.item(SYSTEM, ws, saved.id).fields["deadline"] == "2026-06-30"


def test_blank_workspace_name_keeps_the_description(server: Server, sign_in: Any) -> None:
    """The browser's `required` lets a name of spaces through; the server refuses it and the
    description comes back."""
    page = sign_in("otto")
    page.fill("#name", "   ")
    page.fill("#description", "Talks with the two gangs of the northern districts")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#description")).to_have_value(
        "Talks with the two gangs of the northern districts")


def test_new_item_refused_for_the_role_keeps_what_was_typed(server: Server,
                                                             sign_in: Any) -> None:
    """The analyst is made an observer while typing a note: the refusal names the role and the
    note comes back, without a Create button."""
    app = server.app
    ws = _workspace(app, "Demoted while creating")
    page = sign_in("anton")
    page.goto(f"/workspaces/{ws}/new?kind=note")
    page.fill("#f-title", "Minutes of the third session")
    page.fill("#f-text", "Long careful minutes\nthe analyst does not want to type again")
    app.workspaces.set_member(SYSTEM, ws, "anton", Role.OBSERVER)
    page.get_by_role("button", name="Create").click()

    expect(page.locator("#form-errors")).to_contain_text("observer")
    expect(page.locator("#f-title")).to_have_value("Minutes of the third session")
    expect(page.locator("#f-text")).to_have_value(
        "Long careful minutes\nthe analyst does not want to type again")
    expect(page.get_by_role("button", name="Create")).to_have_count(0)
    expect(page.locator("#f-text")).not_to_be_editable()
    assert app.workspaces.items(SYSTEM, ws) == []


def test_item_edit_refused_for_the_role_keeps_what_was_typed(server: Server,
                                                              sign_in: Any) -> None:
    app = server.app
    ws = _workspace(app, "Demoted while editing")
    item = _note(app, ws, "Agenda")
    page = sign_in("nina")
    page.goto(f"/workspaces/{ws}/items/{item}")
    page.fill("#f-text", "Point 1: transfers\nPoint 2: visits")
    app.workspaces.set_member(SYSTEM, ws, "nina", Role.OBSERVER)
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#form-errors")).to_contain_text("observer")
    expect(page.locator("#f-text")).to_have_value("Point 1: transfers\nPoint 2: visits")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert app.workspaces.item(SYSTEM, ws, item).fields["text"] == "text of Agenda"


def test_an_edit_keeps_the_secret_party_link_the_analyst_cannot_see(server: Server,
                                                                     sign_in: Any) -> None:
    """Issue 8, item 6, as written: an analyst opens a restricted commitment whose party is a
    secret party (the box shows blank), changes another field and saves. The old code dropped
    the link (audit: changed=['party', ...])."""
    app = server.app
    ws = _workspace(app, "Hidden party")
    party = app.workspaces.create_item(SYSTEM, ws, ItemKind.ACTOR, Classification.SECRET,
                                       {"name": "Comandante X", "type": "person"}).id
    commitment = app.workspaces.create_item(SYSTEM, ws, ItemKind.COMMITMENT,
                                            Classification.RESTRICTED, {
                                                "actor": party, "text": "Release two hostages",
                                                "status": "proposed"}).id
    page = sign_in("anton")
    page.goto(f"/workspaces/{ws}/items/{commitment}")
    expect(page.locator("#f-actor")).to_have_value("")  # the box shows blank
    assert "Comandante" not in page.content() and party not in page.content()
    page.select_option("#f-status", "agreed")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/workspaces/{ws}/items/{commitment}")
    expect(page.locator("p.meta")).to_contain_text("version 2")
    stored = app.workspaces.item(SYSTEM, ws, commitment)
    assert stored.fields["actor"] == party and stored.fields["status"] == "agreed"
    updated = [e for e in app.workspaces.audit_log(SYSTEM, ws) if e.event == "item.updated"]
    assert list(updated[-1].details["changed"]) == ["status"]


# -- (c) controls a role cannot use are not shown ------------------------------------------------


def test_observer_sees_no_controls_it_cannot_use(server: Server, sign_in: Any) -> None:
    app = server.app
    ws = _workspace(app, "Observer view")
    item = _note(app, ws, "Public agenda")
    page = sign_in("otto")
    page.goto(f"/workspaces/{ws}")
    expect(page.locator("h1")).to_have_text("Observer view")
    expect(page.get_by_role("link", name="Public agenda")).to_be_visible()  # reads, yes
    assert _buttons(page) == ["Sign out otto", "Filter"]
    for gone in ("Add", "Upload a document", "Workspace", "Audit log"):
        expect(page.get_by_role("heading", name=gone, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("link", name="note", exact=True)).to_have_count(0)

    page.goto(f"/workspaces/{ws}/items/{item}")
    expect(page.locator("h1")).to_have_text("Public agenda")
    assert _buttons(page) == ["Sign out otto"]
    for field in ("#f-title", "#f-text", "#f-classification"):  # read-only, not a dead end
        expect(page.locator(field)).not_to_be_editable()
    expect(page.locator("#f-classification")).to_have_value("public")


def test_each_role_sees_the_controls_it_can_use(server: Server, sign_in: Any) -> None:
    app = server.app
    ws = _workspace(app, "Role views")
    item = _note(app, ws, "Restricted agenda", Classification.RESTRICTED)
    buttons: dict[str, tuple[list[str], list[str]]] = {}
    for name in ("olga", "nina", "anton"):
        page = sign_in(name)
        page.goto(f"/workspaces/{ws}")
        overview = _buttons(page)
        page.goto(f"/workspaces/{ws}/items/{item}")
        buttons[name] = (overview, _buttons(page))
    owner_overview = buttons["olga"][0]
    assert "Delete this workspace and everything in it" in owner_overview
    assert "Add or change member" in owner_overview and "remove" in owner_overview
    assert buttons["olga"][1] == ["Sign out olga", "Save", "Delete"]
    assert buttons["nina"][0] == ["Sign out nina", "Filter", "Upload"]  # no members, no delete
    assert buttons["nina"][1] == ["Sign out nina", "Save", "Delete"]
    assert buttons["anton"][0] == ["Sign out anton", "Filter", "Upload"]
    assert buttons["anton"][1] == ["Sign out anton", "Save"]  # analysts do not delete
    page = sign_in("anton")
    page.goto(f"/workspaces/{ws}/new?kind=note")
    options = page.locator("#f-classification option").all_inner_texts()
    assert options == ["public", "restricted"]  # an analyst cannot file a secret item


# -- (d) above a member's clearance: 404 -------------------------------------------------------


def test_item_above_clearance_is_a_not_found_page(server: Server, sign_in: Any) -> None:
    app = server.app
    ws = _workspace(app, "Clearance")
    secret = _note(app, ws, "Informant identities", Classification.SECRET)
    restricted = _note(app, ws, "Prison transfer list", Classification.RESTRICTED)
    missing = "0" * 26

    page = sign_in("anton")  # analyst: clearance restricted
    answer = page.goto(f"/workspaces/{ws}/items/{secret}")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    above = page.locator("main").inner_text().replace(secret, "ID")
    assert "Informant" not in above
    answer = page.goto(f"/workspaces/{ws}/items/{missing}")
    assert answer is not None and answer.status == 404
    assert page.locator("main").inner_text().replace(missing, "ID") == above  # indistinguishable
    answer = page.goto(f"/workspaces/{ws}/items/{restricted}")
    assert answer is not None and answer.status == 200

    page = sign_in("otto")  # observer: clearance public
    for hidden in (secret, restricted):
        answer = page.goto(f"/workspaces/{ws}/items/{hidden}")
        assert answer is not None and answer.status == 404
        expect(page.locator("h1")).to_have_text("Not found")
    page.goto(f"/workspaces/{ws}")
    expect(page.locator("table.items tbody")).to_have_text("No items match.")
