"""Web fixtures: an in-process TestClient, and the real server in a subprocess on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.config import Settings
from parley.web.app import create_app

PARLEY = str(Path(sys.executable).with_name("parley"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def parley_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    db = tmp_path_factory.mktemp("web") / "parley.db"
    app = Parley.build(Settings(database_url=f"sqlite:///{db}", max_upload_bytes=64 * 1024))
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


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`parley serve` as a user runs it, on its own port and database (safe under xdist)."""
    port = free_port()
    db = tmp_path_factory.mktemp("live") / "parley.db"
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{db}", "PORT": str(port)}
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
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (cookies, storage) per test, on the live server."""
    context = browser.new_context(base_url=live_server)
    pg = context.new_page()
    yield pg
    context.close()
