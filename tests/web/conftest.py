"""Web fixtures: an in-process TestClient, and the real server in a subprocess (tests/support.py).

`parley_app`, `client` and `live_server` run every test on each backend in `BACKENDS` (ids
`[sqlite]`, `[postgresql]`); the PostgreSQL leg gets a database of its own per module and
runs when PARLEY_TEST_POSTGRES_URL is set. Browser tests use `sqlite_live_server` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.config import Settings
from parley.web.app import create_app
from tests.conftest import BACKENDS, backend_database
from tests.support import PASSWORD, TEST_MASTER_KEY, served, server_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module", params=BACKENDS)
def web_database(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for one test module, per backend: `[sqlite]` always, `[postgresql]`
    (its own database, created and dropped here) when PARLEY_TEST_POSTGRES_URL is set."""
    with backend_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like `web_database`, but a fresh database for one test."""
    with backend_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def parley_app(web_database: str) -> Iterator[Parley]:
    app = Parley.build(Settings(database_url=web_database, max_upload_bytes=64 * 1024,
                                master_key=TEST_MASTER_KEY))
    app.upgrade()
    yield app
    app.close()


@pytest.fixture(scope="module")
def client(parley_app: Parley) -> Iterator[TestClient]:
    with TestClient(create_app(parley_app)) as c:
        yield c


def browser_sign_in(browser: Any, base_url: str, name: str, **context: Any) -> Any:
    """A page of a fresh browser context (options `context`) signed in as `name`."""
    page = browser.new_context(base_url=base_url, **context).new_page()
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/workspaces")
    return page


@pytest.fixture(scope="module")
def live_server(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`parley serve` as a user runs it, on its own port and database (safe under xdist)."""
    with served(server_env(web_database, tmp_path_factory.mktemp("serve"))) as server:
        yield server.url


@pytest.fixture(scope="module")
def sqlite_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The live server on SQLite only, for the browser tests (see README, Tests)."""
    tmp = tmp_path_factory.mktemp("live")
    with served(server_env(f"sqlite:///{tmp / 'parley.db'}", tmp)) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, sqlite_live_server: str) -> Iterator[Any]:
    """A fresh browser context (cookies, storage) per test, on the live server (SQLite)."""
    context = browser.new_context(base_url=sqlite_live_server)
    pg = context.new_page()
    yield pg
    context.close()
