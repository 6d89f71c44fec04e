"""Issue 8, item 13 (web): no-store on every answer that can hold restricted content; files
Parley writes are 0600; deletes need a confirmation; a refused form keeps what was typed;
controls a role cannot use are not shown."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from parley.web.app import create_app
from parley.web.auth import CSRF_COOKIE, SESSION_COOKIE, csrf_serializer
from tests.support import PASSWORD, build, user

PARLEY = str(Path(sys.executable).with_name("parley"))


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Parley, Any]]:
    tmp = tmp_path_factory.mktemp("hygiene")
    app = build(f"sqlite:///{tmp / 'p.db'}", tmp)
    app.upgrade()
    for name in ("olga", "nina", "anton", "otto"):
        user(app, name)
    yield app, create_app(app)
    app.close()


def _client(app: Parley, web: Any, who: str | None) -> tuple[TestClient, str]:
    c = TestClient(web, follow_redirects=False)
    c.cookies.set(CSRF_COOKIE, f"csrf-{who}")
    if who:
        c.cookies.set(SESSION_COOKIE, app.accounts.login(who, PASSWORD))
    return c, str(csrf_serializer(app).dumps(f"csrf-{who}"))


def _workspace(app: Parley) -> tuple[str, str]:
    ws = app.workspaces.create(SYSTEM, "Hygiene", owner="olga")
    app.workspaces.set_member(SYSTEM, ws.id, "nina", Role.NEGOTIATOR)
    app.workspaces.set_member(SYSTEM, ws.id, "anton", Role.ANALYST)
    app.workspaces.set_member(SYSTEM, ws.id, "otto", Role.OBSERVER)
    item = app.workspaces.create_item(SYSTEM, ws.id, ItemKind.NOTE, Classification.PUBLIC,
                                      {"title": "agenda", "text": "hello"})
    return ws.id, item.id


# -- Cache-Control: no-store ---------------------------------------------------------------------


def test_every_route_answers_no_store(setup: tuple[Parley, Any]) -> None:
    """Walk every route of the app (signed in as the owner); each answer, whatever its status,
    says no-store: workspaces, items, files, exports, audit, assessments, accounts, tokens."""
    app, web = setup
    ws, item = _workspace(app)
    client, csrf = _client(app, web, "olga")
    made = client.post("/assess", data={"csrf_token": csrf, "title": "t", "action": "save"})
    saved = made.headers["location"].rsplit("/", 1)[1]
    token = app.accounts.create_token(SYSTEM, "olga").secret
    checked, missing = 0, []
    for ctx in iter_route_contexts(web.routes):
        path = str(ctx.path)
        if path.startswith("/static"):
            continue
        url = (path.replace("{workspace_id}", ws).replace("{item_id}", item)
               .replace("{scenario_id}", saved).replace("{user}", "otto")
               .replace("{token_id}", "none").replace("{case_id}", "el-salvador-mara-truce-2012")
               .replace("{token}", "none"))
        for method in sorted(ctx.methods or ["GET"]):
            if method == "HEAD" or path == "/logout":
                continue
            api = path.startswith("/api/")
            headers = {"Authorization": f"Bearer {token}"} if api else {}
            data = {"csrf_token": csrf} if not api and method != "GET" else None
            r = client.request(method, url, headers=headers, data=data)
            checked += 1
            if r.headers.get("cache-control") != "no-store":
                missing.append(f"{method} {path}: {r.status_code} {r.headers.get('cache-control')}")
    assert not missing, "\n".join(missing)
    assert checked >= 60
    # the anonymous answers too (redirects to sign-in, 401s)
    anon, _ = _client(app, web, None)
    for url in (f"/workspaces/{ws}", f"/api/workspaces/{ws}", f"/assess/saved/{saved}"):
        assert anon.get(url).headers["cache-control"] == "no-store"
    assert "no-store" not in anon.get("/static/parley.css").headers.get("cache-control", "")


# -- confirm before delete; refused forms keep input; hidden controls -----------------------------


def test_workspace_and_item_delete_need_a_confirmation(setup: tuple[Parley, Any]) -> None:
    """Issue: 'deletes of a workspace or item happen in one click'."""
    app, web = setup
    ws, item = _workspace(app)
    c, csrf = _client(app, web, "olga")
    one_click = c.post(f"/workspaces/{ws}/items/{item}/delete",
                       data={"csrf_token": csrf, "version": "1"})
    assert one_click.status_code == 200 and "Are you sure?" in one_click.text
    assert app.workspaces.item(SYSTEM, ws, item).title == "agenda"  # still there
    assert 'name="confirm" value="yes"' in one_click.text
    one_click = c.post(f"/workspaces/{ws}/delete", data={"csrf_token": csrf, "version": "1"})
    assert one_click.status_code == 200 and "Are you sure?" in one_click.text
    assert app.workspaces.get(SYSTEM, ws).workspace.name == "Hygiene"
    one_click = c.post(f"/workspaces/{ws}/members/otto/remove", data={"csrf_token": csrf})
    assert one_click.status_code == 200
    assert "otto" in [m.user for m in app.workspaces.get(SYSTEM, ws).members]
    confirmed = c.post(f"/workspaces/{ws}/items/{item}/delete",
                       data={"csrf_token": csrf, "version": "1", "confirm": "yes"})
    assert confirmed.status_code == 303
    assert c.post(f"/workspaces/{ws}/delete", data={"csrf_token": csrf, "version": "1",
                                                    "confirm": "yes"}).status_code == 303


def test_refused_item_form_keeps_what_was_typed(setup: tuple[Parley, Any]) -> None:
    """Issue: 'a form refused for a role or a missing field loses what the user typed'."""
    app, web = setup
    ws, _ = _workspace(app)
    c, csrf = _client(app, web, "anton")  # analyst: clearance restricted
    typed = "Long careful minutes the analyst does not want to type again"
    refused = c.post(f"/workspaces/{ws}/items", data={
        "csrf_token": csrf, "kind": "note", "classification": "secret", "title": "Minutes",
        "text": typed})
    assert refused.status_code == 403
    assert typed in refused.text and 'value="Minutes"' in refused.text
    assert 'id="form-errors"' in refused.text
    missing = c.post(f"/workspaces/{ws}/items", data={
        "csrf_token": csrf, "kind": "note", "classification": "restricted", "title": "",
        "text": typed})
    assert missing.status_code == 400 and typed in missing.text and "title" in missing.text
    c2, csrf2 = _client(app, web, "olga")
    nameless = c2.post("/workspaces", data={"csrf_token": csrf2, "name": "",
                                            "description": typed})
    assert nameless.status_code == 400 and typed in nameless.text


def test_controls_a_role_cannot_use_are_hidden(setup: tuple[Parley, Any]) -> None:
    """Issue: 'controls a role cannot use are shown'."""
    app, web = setup
    ws, item = _workspace(app)
    pages = {who: _client(app, web, who)[0].get(f"/workspaces/{ws}/items/{item}").text
             for who in ("olga", "anton", "otto")}
    assert ">Delete</button>" in pages["olga"]
    assert ">Delete</button>" not in pages["anton"]  # analysts do not delete
    assert ">Delete</button>" not in pages["otto"] and ">Save</button>" not in pages["otto"]
    new_form = _client(app, web, "anton")[0].get(f"/workspaces/{ws}/new?kind=note").text
    options = re.findall(r'<option value="(\w+)"', new_form.split('id="f-classification"')[1]
                         .split("</select>")[0])
    assert options == ["public", "restricted"]  # no "secret" for an analyst
    overview = _client(app, web, "otto")[0].get(f"/workspaces/{ws}").text
    assert "Upload a document" not in overview and "Delete this workspace" not in overview


# -- files Parley writes are 0600 ----------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([PARLEY, *args], env=env, capture_output=True, text=True,
                          input=stdin, umask=0o022, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_every_file_parley_writes_is_0600(tmp_path: Path) -> None:
    """Issue: 'the database, backups and `workspaces export -o` files are created 0644'.
    The CLI runs with the usual umask 022, as a shell gives it."""
    db = tmp_path / "data" / "parley.db"
    key = tmp_path / "keys" / "master.key"
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{db}",
           "PARLEY_MASTER_KEY_FILE": str(key)}
    env.pop("PARLEY_MASTER_KEY", None)
    _cli(env, "db", "upgrade")
    _cli(env, "users", "create", "olga", "--password-stdin", stdin=PASSWORD + "\n")
    ws = _cli(env, "workspaces", "create", "Talks", "--owner", "olga").strip().splitlines()[-1]
    export = tmp_path / "talks.json"
    _cli(env, "workspaces", "export", ws, "-o", str(export))
    existing = tmp_path / "existing.json"
    existing.write_text("old")
    existing.chmod(0o644)
    _cli(env, "workspaces", "export", ws, "-o", str(existing))
    backup = tmp_path / "backup.db"
    _cli(env, "db", "backup", str(backup))
    # the server's WAL and SHM, while it runs
    proc = subprocess.Popen([PARLEY, "serve", "--port", "0"], env=env, umask=0o022,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()):
            assert time.monotonic() < deadline, "the server opened no WAL"
            time.sleep(0.2)
        modes = {p.name: _mode(p) for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    modes |= {p.name: _mode(p) for p in (key, export, existing, backup)}
    assert modes == dict.fromkeys(modes, 0o600), {k: oct(v) for k, v in modes.items()}
