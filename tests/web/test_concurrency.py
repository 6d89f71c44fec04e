"""Two `parley serve` processes on one database and one master key, racing each other.

Issue 8 item 7: authorisation must run in the transaction of the write, so that (a) two owners
demoting each other at the same moment through different servers never leave a workspace
without an owner, and (b) once a member's removal commits, no write of theirs succeeds.
Both run on PostgreSQL and on one SQLite file shared by two processes (a real deployment too).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.access import Role
from parley.domain.account import SYSTEM
from tests.support import TEST_MASTER_KEY, Server, api_request, build, server_env, user

pytestmark = pytest.mark.slow
WORKSPACES = 10
ITEM_WRITERS = 3


@dataclass
class Cluster:
    app: Parley
    ports: tuple[int, int]
    tokens: dict[str, str]


@pytest.fixture
def cluster(fresh_database: str, tmp_path: Path) -> Iterator[Cluster]:
    """Users alice, bob, carol with tokens, and two servers on `fresh_database`."""
    app = build(fresh_database, tmp_path, master_key=TEST_MASTER_KEY)
    tokens = {}
    for name in ("alice", "bob", "carol"):
        user(app, name)
        tokens[name] = app.accounts.create_token(SYSTEM, name).secret
    env = server_env(fresh_database, tmp_path, PARLEY_MASTER_KEY=TEST_MASTER_KEY)
    servers: list[Server] = []
    try:
        servers += [Server.start(env), Server.start(env)]
        yield Cluster(app, (servers[0].port, servers[1].port), tokens)
    finally:
        for server in servers:
            server.stop()
        app.close()


def owners(app: Parley, ws: str) -> list[str]:
    return [m.user for m in app.workspaces.get(SYSTEM, ws).members if m.role is Role.OWNER]


def backend(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["fresh_database"])


def test_two_owners_demoting_each_other_keep_an_owner(cluster: Cluster,
                                                      request: pytest.FixtureRequest) -> None:
    app, (p1, p2), tokens = cluster.app, cluster.ports, cluster.tokens
    spaces = []
    for n in range(WORKSPACES):
        ws = app.workspaces.create(SYSTEM, f"Race {n}", owner="alice").id
        app.workspaces.set_member(SYSTEM, ws, "bob", Role.OWNER)
        spaces.append(ws)
    answers: list[int] = []
    for ws in spaces:
        barrier = threading.Barrier(2)

        def demote(port: int, actor: str, other: str, ws: str = ws,
                   barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            status, _ = api_request(port, "PUT", f"/api/workspaces/{ws}/members/{other}",
                                    {"role": "observer"}, tokens[actor])
            answers.append(status)

        threads = [threading.Thread(target=demote, args=(p1, "alice", "bob")),
                   threading.Thread(target=demote, args=(p2, "bob", "alice"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ownerless = [ws for ws in spaces if not owners(app, ws)]
    print(f"\nlast-owner race ({backend(request)}): {len(ownerless)} of {WORKSPACES} "
          f"workspaces left without an owner; answers {sorted(answers)}")
    assert not ownerless, f"{len(ownerless)} of {WORKSPACES} workspaces have no owner"


def test_removed_member_cannot_write_after_removal_commits(
        cluster: Cluster, request: pytest.FixtureRequest) -> None:
    app, (p1, p2), tokens = cluster.app, cluster.ports, cluster.tokens
    late: list[str] = []
    for n in range(WORKSPACES):
        ws = app.workspaces.create(SYSTEM, f"Removal {n}", owner="alice").id
        app.workspaces.set_member(SYSTEM, ws, "carol", Role.NEGOTIATOR)
        stop = threading.Event()

        def write(ws: str = ws, stop: threading.Event = stop) -> None:
            k = 0
            while not stop.is_set():
                k += 1
                api_request(p2, "POST", f"/api/workspaces/{ws}/items", {
                    "kind": "note", "classification": "restricted",
                    "fields": {"title": f"carol {k}"}}, tokens["carol"])

        writers = [threading.Thread(target=write) for _ in range(ITEM_WRITERS)]
        for t in writers:
            t.start()
        time.sleep(0.3)
        status, body = api_request(p1, "DELETE", f"/api/workspaces/{ws}/members/carol",
                                   token=tokens["alice"])
        assert status == 204, body
        time.sleep(0.3)
        stop.set()
        for t in writers:
            t.join()
        log = sorted(app.workspaces.audit_log(SYSTEM, ws, limit=100_000), key=lambda e: e.seq)
        removed = next(e.seq for e in log if e.event == "member.removed")
        late += [f"{ws} #{e.seq}" for e in log
                 if e.seq > removed and e.actor == "carol" and e.event == "item.created"]
    print(f"\nremoval race ({backend(request)}): {len(late)} writes by a removed member "
          f"committed after the removal over {WORKSPACES} workspaces")
    assert not late, f"writes by carol committed after her removal: {late[:10]}"
