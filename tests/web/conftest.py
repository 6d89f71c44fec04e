"""Web fixtures: an in-process TestClient, and the real server in a subprocess on a free port.

`parley_app`, `client` and `live_server` run every test on each backend in `BACKENDS` (ids
`[sqlite]`, `[postgresql]`); the PostgreSQL leg gets a database of its own per module and
runs when PARLEY_TEST_POSTGRES_URL is set. Browser tests use `sqlite_live_server` only.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.config import Settings
from parley.web.app import create_app
from tests.conftest import BACKENDS, backend_database
from tests.support import PASSWORD

TEST_MASTER_KEY = "1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU="
"""A fixed master key ring (base64 of 32 ASCII bytes) shared by test servers of one database."""
PARLEY = str(Path(sys.executable).with_name("parley"))
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, directory: Path, **extra: str) -> dict[str, str]:
    """The environment of a `parley serve` on `database_url`, with its master key file and
    data dir in `directory` (never the user's own data dir, whatever the backend)."""
    return {**os.environ, "PARLEY_DATABASE_URL": database_url,
            "PARLEY_MASTER_KEY_FILE": str(directory / "master.key"),
            "PARLEY_DATA_DIR": str(directory), **extra}


def api_request(port: int, method: str, path: str, body: object = None, token: str = "",
         timeout: float = 10) -> tuple[int, bytes]:
    """One JSON request to a server on localhost (a fresh connection each time)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_server(env: dict[str, str], port: int, *,
                 output: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """`parley serve --port PORT` in a subprocess, returned once /healthz answers 200."""
    proc = subprocess.Popen([PARLEY, "serve", "--port", str(port)], env=env,
                            stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"parley serve exited with {proc.returncode} before listening")
        try:
            if api_request(port, "GET", "/healthz", timeout=2)[0] == 200:
                return proc
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    proc.kill()
    pytest.fail("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server started by `start_server`, killing it if it will not stop."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def served(database_url: str, directory: Path) -> Iterator[str]:
    """`parley serve` on `database_url` and a free port while the block runs; yields its
    base URL (the browser tests' server)."""
    port = free_port()
    proc = start_server(server_env(database_url, directory), port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


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
    yield from _serve(web_database, tmp_path_factory)


@pytest.fixture(scope="module")
def sqlite_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The live server on SQLite only, for the browser tests (see README, Tests)."""
    tmp = tmp_path_factory.mktemp("live")
    yield from _serve(f"sqlite:///{tmp / 'parley.db'}", tmp_path_factory)


def _serve(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = server_env(database_url, tmp_path_factory.mktemp("serve"), PORT=str(port))
    proc = subprocess.Popen([PARLEY, "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert url in line, f"server did not print its URL: {line!r}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server did not start listening")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    proc.stdout.close()


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
