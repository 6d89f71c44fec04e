"""Issue 8, item 9, last attack, as the issue writes it: "one corrupted row makes the whole item
list and the export answer 500". One byte of one item's stored body is flipped with SQL (write
access to the database, not the key); the list (API and page) and the export still answer 200
with every other item, and name the bad one. SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import Classification
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from parley.web.auth import CSRF_COOKIE, SESSION_COOKIE
from tests.support import PASSWORD, user


def test_one_corrupted_row_leaves_the_list_and_the_export_serving(
        parley_app: Parley, client: TestClient) -> None:
    owner = user(parley_app, "corrupted-row-owner")
    ws = parley_app.workspaces.create(owner, "Corrupted row").id
    titles = {c: f"{c.value} minutes" for c in Classification}
    ids = {c: parley_app.workspaces.create_item(owner, ws, ItemKind.NOTE, c,
                                                {"title": t}).id for c, t in titles.items()}
    bad = ids[Classification.RESTRICTED]
    with parley_app.db.engine.begin() as conn:
        body = bytes(conn.execute(text("SELECT body FROM workspace_items WHERE id = :i"),
                                  {"i": bad}).scalar_one())
        conn.execute(text("UPDATE workspace_items SET body = :b WHERE id = :i"),
                     {"b": body[:-1] + bytes([body[-1] ^ 1]), "i": bad})
    token = parley_app.accounts.create_token(SYSTEM, owner.name).secret
    auth = {"Authorization": f"Bearer {token}"}
    good = {ids[Classification.PUBLIC], ids[Classification.SECRET]}

    listed = client.get(f"/api/workspaces/{ws}/items", headers=auth)
    assert listed.status_code == 200, listed.text[:300]
    assert {i["id"] for i in listed.json()} == good
    assert listed.headers["parley-unreadable-items"] == bad

    exported = client.get(f"/api/workspaces/{ws}/export", headers=auth)
    assert exported.status_code == 200, exported.text[:300]
    assert {i["id"] for i in exported.json()["items"]} == good
    assert exported.json()["unreadable"] == [bad]

    page = TestClient(client.app, follow_redirects=False)
    page.cookies.set(CSRF_COOKIE, "csrf")
    page.cookies.set(SESSION_COOKIE, parley_app.accounts.login(owner.name, PASSWORD))
    overview = page.get(f"/workspaces/{ws}")
    assert overview.status_code == 200, overview.text[:300]
    shown = set(re.findall(r'/items/([^"]+)">', overview.text))
    assert shown == good
    opened = page.get(f"/workspaces/{ws}/items/{bad}")
    assert opened.status_code == 500 and "parley db check" in opened.text  # this one, alone
