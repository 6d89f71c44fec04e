"""`parley serve --workers 2`: two server processes on one port, correct across them.

Start-up work runs once in the supervisor (it prints the URL and the one setup link); every
request may land on either worker, so what one request leaves for the next (the CSRF cookie and
its signed copy, a session, the setup token) must hold in the other worker too; and a worker
never outlives its supervisor, even one killed by SIGKILL.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from parley.domain.account import SYSTEM
from tests.support import PARLEY, PASSWORD, TEST_MASTER_KEY, Server, build, server_env, user

pytestmark = pytest.mark.slow
ROUNDS = 6


def children(pid: int) -> list[int]:
    """Worker processes (multiprocessing's spawned children) of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def two_workers(fresh_database: str, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    """A fresh database with one account (its token second), under 2 workers."""
    app = build(fresh_database, tmp_path, master_key=TEST_MASTER_KEY)
    user(app, "ana")
    token = app.accounts.create_token(SYSTEM, "ana").secret
    app.close()
    env = server_env(fresh_database, tmp_path, PARLEY_MASTER_KEY=TEST_MASTER_KEY)
    server = Server.start(env, "--workers", "2")
    try:
        yield server, token
    finally:
        server.stop()


def fresh_connections() -> httpx2.Client:
    """A client that opens a new connection per request, so each may reach either worker."""
    return httpx2.Client(limits=httpx2.Limits(max_keepalive_connections=0), timeout=30,
                         follow_redirects=False)


def test_two_workers_serve_and_share_sessions_csrf_and_tokens(
        two_workers: tuple[Server, str]) -> None:
    server, token = two_workers
    assert len(children(server.proc.pid)) == 2
    base = server.url
    with fresh_connections() as client:
        for _ in range(ROUNDS):
            assert client.get(f"{base}/api/workspaces",
                              headers={"Authorization": f"Bearer {token}"}).status_code == 200
        # sign in: the form's CSRF token from one request, checked by whichever worker gets
        # the post; then the session cookie from that worker, honoured by either
        page = client.get(f"{base}/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found
        signed_in = client.post(f"{base}/login", data={
            "username": "ana", "password": PASSWORD, "csrf_token": found.group(1)})
        assert signed_in.status_code == 303, signed_in.text[:300]
        for _ in range(ROUNDS):
            home = client.get(f"{base}/workspaces")
            assert home.status_code == 200, home.text[:300]
            assert "ana" in home.text


def test_the_supervisor_starts_once_and_its_workers_die_with_it(
        fresh_database: str, tmp_path: Path) -> None:
    app = build(fresh_database, tmp_path, master_key=TEST_MASTER_KEY)
    app.close()
    env = server_env(fresh_database, tmp_path, PARLEY_MASTER_KEY=TEST_MASTER_KEY,
                     PARLEY_WORKERS="2")
    server = Server.start(env)
    try:
        workers = children(server.proc.pid)
        assert len(workers) == 2
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=10)
        server._reader.join(timeout=10)
        printed = "".join(server.lines)
    finally:
        server.stop()
    # one start-up: one URL line and one setup link, not one per worker
    assert printed.count("Parley is serving") == 1, printed
    assert "(2 worker processes)" in printed
    links = re.findall(r"/setup/(\S+)", printed)
    assert len(links) == 1, printed
    deadline = time.monotonic() + 20
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(w) for w in workers), "a worker outlived its supervisor"


def test_the_setup_link_printed_once_works_in_any_worker(
        fresh_database: str, tmp_path: Path) -> None:
    build(fresh_database, tmp_path, master_key=TEST_MASTER_KEY).close()
    env = server_env(fresh_database, tmp_path, PARLEY_MASTER_KEY=TEST_MASTER_KEY)
    server = Server.start(env, "--workers", "2")
    try:
        link = re.search(r"(/setup/\S+)", server.wait_for(re.compile(r"/setup/")))
        assert link, server.lines
        with fresh_connections() as client:
            for _ in range(ROUNDS):  # each GET may reach either worker; the token is stored
                assert client.get(f"{server.url}{link.group(1)}").status_code == 200
    finally:
        server.stop()


def test_a_negative_worker_count_is_refused_naming_the_setting(tmp_path: Path) -> None:
    env = {**os.environ, "PARLEY_DATA_DIR": str(tmp_path), "PARLEY_WORKERS": "-1"}
    out = subprocess.run([PARLEY, "serve", "--port", "0"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "PARLEY_WORKERS" in out.stderr
