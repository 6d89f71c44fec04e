"""Crash durability: SIGKILL a real `parley serve` during concurrent writes, again and again.

After every kill: every write the server acknowledged (201) is in the database with its exact
content, SQLite's integrity check passes, and the audit chain verifies.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from parley.domain.account import SYSTEM
from tests.support import build, user
from tests.web.conftest import free_port

PARLEY = str(Path(sys.executable).with_name("parley"))
ITERATIONS = 10
WRITERS = 4
BUDGET_SECONDS = 150  # a loaded 2-core machine spends most of it importing the server


def request(port: int, method: str, path: str, body: object = None,
            token: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([PARLEY, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not start")


@pytest.mark.slow
def test_sigkill_during_concurrent_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    key = tmp_path / "master.key"
    app = build(f"sqlite:///{db}", tmp_path)
    app.upgrade()
    owner = user(app, "owner")
    ws = app.workspaces.create(owner, "Crash talks").id
    token = app.accounts.create_token(SYSTEM, "owner").secret
    app.close()
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{db}",
           "PARLEY_MASTER_KEY_FILE": str(key)}
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    rng = random.Random(4)
    started = time.monotonic()
    survived = 0
    for iteration in range(ITERATIONS):
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        port = free_port()
        proc = start(env, port)
        stop = threading.Event()

        def write(writer: int, port: int = port, stop: threading.Event = stop,
                  iteration: int = iteration) -> None:
            n = 0
            while not stop.is_set():
                text = f"iteration {iteration} writer {writer} note {n}"
                n += 1
                try:
                    status, body = request(port, "POST", f"/api/workspaces/{ws}/items", {
                        "kind": "note", "classification": "secret",
                        "fields": {"title": text, "text": text}}, token)
                except (OSError, http.client.HTTPException):
                    return  # the server died; this write was never acknowledged
                if status == 201:
                    with lock:
                        acknowledged[json.loads(body)["id"]] = text

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        check = build(f"sqlite:///{db}", tmp_path)
        assert check.db.integrity_ok(), f"integrity check failed after kill {iteration}"
        stored = {i.id: i.fields["title"] for i in check.workspaces.items(SYSTEM, ws)}
        missing = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
        assert not missing, f"acknowledged writes lost after kill {iteration}: {missing}"
        assert check.audit.verify().ok
        check.close()
        survived += 1
    print(f"\ncrash test: {survived} SIGKILLs survived, {len(acknowledged)} acknowledged "
          f"writes all present, integrity_check ok, audit chain ok "
          f"({time.monotonic() - started:.0f} s)")
    assert survived >= 5 and len(acknowledged) > survived
