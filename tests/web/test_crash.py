"""Crash durability: SIGKILL a real `parley serve` during concurrent writes, again and again.

After every kill: every write the server acknowledged (201) is in the database with its exact
content, the database's own check passes (SQLite: integrity_check; PostgreSQL: amcheck on
every index), and the audit chain verifies.
"""

from __future__ import annotations

import http.client
import json
import random
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.account import SYSTEM
from tests.support import Server, api_request, build, server_env, user

PARLEY = str(Path(sys.executable).with_name("parley"))
ITERATIONS = 10
WRITERS = 4
BUDGET_SECONDS = 120  # per backend; a loaded 2-core machine spends most of it importing the server
MIN_KILLS = 5  # always, however slow the machine: fewer would not test much


def request(port: int, method: str, path: str, body: object = None,
            token: str = "") -> tuple[int, bytes]:
    return api_request(port, method, path, body, token, timeout=5)


def sane(app: Parley) -> bool:
    """SQLite: PRAGMA integrity_check. PostgreSQL: amcheck's B-tree check of every index of
    Parley's tables, each index holding every heap row (`heapallindexed`)."""
    if app.db.is_sqlite:
        return app.db.integrity_ok()
    import psycopg

    with psycopg.connect(app.settings.database_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = [r[0] for r in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND a.amname = 'btree'")]
        for index in indexes:
            conn.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
    return bool(indexes)


@pytest.mark.slow
def test_sigkill_during_concurrent_writes_loses_no_acknowledged_write(
        fresh_database: str, tmp_path: Path) -> None:
    app = build(fresh_database, tmp_path)
    app.upgrade()
    owner = user(app, "owner")
    ws = app.workspaces.create(owner, "Crash talks").id
    token = app.accounts.create_token(SYSTEM, "owner").secret
    app.close()
    env = server_env(fresh_database, tmp_path)
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    rng = random.Random(4)
    started = time.monotonic()
    survived = 0
    for iteration in range(ITERATIONS):
        if survived >= MIN_KILLS and time.monotonic() - started > BUDGET_SECONDS:
            break  # the budget ends the run, never before MIN_KILLS kills (a loaded machine)
        server = Server.start(env)
        port = server.port
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
        before = len(acknowledged)
        for t in threads:
            t.start()
        first_write = time.monotonic() + 60
        while len(acknowledged) == before and time.monotonic() < first_write:
            time.sleep(0.01)  # kill mid-stream: only once this server has acknowledged a write
        time.sleep(rng.uniform(0.3, 1.2))
        server.proc.send_signal(signal.SIGKILL)
        server.stop()
        stop.set()
        for t in threads:
            t.join()
        check = build(fresh_database, tmp_path)
        assert sane(check), f"integrity check failed after kill {iteration}"
        stored = {i.id: i.fields["title"] for i in check.workspaces.items(SYSTEM, ws)}
        missing = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
        assert not missing, f"acknowledged writes lost after kill {iteration}: {missing}"
        assert check.audit.verify().ok
        check.close()
        survived += 1
    print(f"\ncrash test ({fresh_database.split(':')[0]}): {survived} SIGKILLs survived, "
          f"{len(acknowledged)} acknowledged writes all present, integrity check ok, audit "
          f"chain ok "
          f"({time.monotonic() - started:.0f} s)")
    assert survived >= MIN_KILLS and len(acknowledged) > survived
