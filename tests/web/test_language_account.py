"""The language as the account's setting (issue 13): stored with the account on SQLite and
PostgreSQL, set from the account page, the API and the CLI, audited; it wins over the switch's
cookie and Accept-Language, and the switch, signed in, updates it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.account import SYSTEM, Principal
from parley.domain.errors import Forbidden, InvalidInput
from parley.web.app import create_app
from tests.support import PASSWORD, user
from tests.web.test_accounts_web import csrf

SPANISH = {"Accept-Language": "es-HN,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB"}


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _signed_in(app: Parley, name: str) -> TestClient:
    client = TestClient(create_app(app), follow_redirects=False)
    r = client.post("/login", data={"username": name, "password": PASSWORD,
                                    "csrf_token": csrf(client, "/login")})
    assert r.status_code == 303, r.text[:300]
    return client


def _events(app: Parley) -> list[tuple[str, str, str]]:
    with app.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, event, details FROM audit_log "
                                 "WHERE event = 'user.language_changed' ORDER BY seq"))
        return [(r[0], r[1], str(r[2])) for r in rows]


def test_the_account_page_sets_a_language_that_wins_everywhere(parley_app: Parley) -> None:
    user(parley_app, "lucia")
    client = _signed_in(parley_app, "lucia")
    assert _lang(client.get("/cases", headers=ENGLISH).text) == "en"
    answer = client.post("/account/language", data={
        "language": "es", "csrf_token": csrf(client, "/account")})
    assert answer.status_code == 303
    assert parley_app.accounts.user("lucia").language == "es"
    # over the browser's languages and over this browser's cookie alike
    client.cookies.set("parley_lang", "en")
    page = client.get("/cases", headers=ENGLISH)
    assert _lang(page.text) == "es" and page.headers["content-language"] == "es"
    account = client.get("/account", headers=ENGLISH).text
    assert 'value="es" lang="es" selected' in account and "Idioma de su cuenta" in account
    # a visitor in the same browser who is not signed in gets the cookie again
    anonymous = TestClient(create_app(parley_app), cookies={"parley_lang": "en"})
    assert _lang(anonymous.get("/cases", headers=SPANISH).text) == "en"
    # cleared: this browser decides again
    client.post("/account/language", data={"language": "",
                                           "csrf_token": csrf(client, "/account")})
    assert parley_app.accounts.user("lucia").language is None
    assert _lang(client.get("/cases", headers=SPANISH).text) == "en"  # the cookie
    assert [e[:2] for e in _events(parley_app) if "lucia" in e[2]] == [
        ("lucia", "user.language_changed")] * 2


def test_a_bad_language_is_refused_naming_the_allowed_ones(parley_app: Parley) -> None:
    user(parley_app, "mateo")
    client = _signed_in(parley_app, "mateo")
    answer = client.post("/account/language", data={
        "language": "klingon", "csrf_token": csrf(client, "/account")})
    assert answer.status_code == 400
    assert "unknown language &#39;klingon&#39; (allowed: en, es)" in answer.text
    assert parley_app.accounts.user("mateo").language is None
    assert not [e for e in _events(parley_app) if "mateo" in e[2]]


def test_the_switch_signed_in_updates_the_account(parley_app: Parley) -> None:
    user(parley_app, "sofia")
    client = _signed_in(parley_app, "sofia")
    parley_app.accounts.set_language(Principal("sofia"), "sofia", "en")
    answer = client.get("/language", params={"set": "es", "next": "/account"})
    assert answer.status_code == 303
    assert parley_app.accounts.user("sofia").language == "es"
    assert _lang(client.get("/account", headers=ENGLISH).text) == "es"


def test_the_api_reads_and_sets_the_accounts_language(parley_app: Parley) -> None:
    user(parley_app, "tomas")
    token = parley_app.accounts.create_token(Principal("tomas"), "tomas").secret
    api = TestClient(create_app(parley_app), headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/account/language").json() == {"language": None}
    assert api.put("/api/account/language", json={"language": "es"}).json() == {
        "language": "es"}
    # the API's own answers follow the account too (JSON keys stay English)
    answer = api.post("/api/assess", json={"title": "x", "group_type": ["gang"]},
                      headers=ENGLISH)
    assert answer.headers["content-language"] == "es"
    refused = api.put("/api/account/language", json={"language": "fr"})
    assert refused.status_code == 400 and "allowed: en, es" in refused.text
    assert api.put("/api/account/language", json={"language": None}).json() == {
        "language": None}


def test_only_the_account_or_an_administrator_chooses_its_language(parley_app: Parley) -> None:
    user(parley_app, "ines")
    user(parley_app, "otro")
    with pytest.raises(Forbidden):
        parley_app.accounts.set_language(Principal("otro"), "ines", "es")
    assert parley_app.accounts.set_language(SYSTEM, "ines", "es").language == "es"
    with pytest.raises(InvalidInput, match=r"unknown language 'xx' \(allowed: en, es\)"):
        parley_app.accounts.set_language(SYSTEM, "ines", "xx")
