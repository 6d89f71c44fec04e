"""The stores every service test runs on: the in-memory fakes (tests/fakes/), SQLite, and
PostgreSQL when PARLEY_TEST_POSTGRES_URL is set (ids `[fake]`, `[sqlite]`, `[postgresql]`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.access import Role
from parley.domain.account import Principal
from parley.services.ports import VaultStore
from parley.services.workspaces import Workspaces
from tests.conftest import _reset_postgres
from tests.fakes.vault import FakeVault
from tests.support import built, user

STORES = ["fake", "sqlite", "postgresql"]

Team = tuple[str, dict[str, Principal]]
"""A workspace's id, and its people by role (plus an "outsider")."""


@dataclass
class Store:
    """One confidential store under test, and how to do what the service cannot."""

    kind: str
    vault: VaultStore
    add_user: Callable[[str], Principal]
    corrupt: Callable[[str], None]  # make one item fail its integrity check
    app: Parley | None  # the wired app on a database (None on the fake)


def _corrupt_row(app: Parley, item_id: str) -> None:
    from sqlalchemy import text

    with app.db.engine.begin() as conn:  # a row edited without the key: one byte flipped
        body = conn.execute(text("SELECT body FROM workspace_items WHERE id = :i"),
                            {"i": item_id}).scalar_one()
        flipped = bytes(body[:-1]) + bytes([body[-1] ^ 1])
        conn.execute(text("UPDATE workspace_items SET body = :b WHERE id = :i"),
                     {"b": flipped, "i": item_id})


def database_for(kind: str, tmp_path: Path, postgres_server: str | None) -> str:
    """A fresh SQLite file, or the session's PostgreSQL database emptied (else skip)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'parley.db'}"
    if postgres_server is None:
        pytest.skip("PostgreSQL leg: set PARLEY_TEST_POSTGRES_URL to run it")
    _reset_postgres(postgres_server)
    return postgres_server


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path,
          postgres_server: str | None) -> Iterator[Store]:
    if request.param == "fake":
        vault = FakeVault()
        yield Store("fake", vault, vault.add_user, vault.corrupt, None)
        return
    with built(database_for(request.param, tmp_path, postgres_server), tmp_path) as app:
        yield Store(request.param, app.vault, lambda n: user(app, n),
                    lambda i: _corrupt_row(app, i), app)


@dataclass
class Backend:
    """The workspace service on one store."""

    service: Workspaces
    add_user: Callable[[str], Principal]
    corrupt: Callable[[str], None]


@pytest.fixture
def backend(store: Store) -> Backend:
    return Backend(Workspaces(store.vault, 10_000_000), store.add_user, store.corrupt)


@pytest.fixture
def team(backend: Backend) -> Team:
    """A workspace with one member of each role, and an outsider."""
    people = {r.value: backend.add_user(r.value) for r in Role}
    people["outsider"] = backend.add_user("outsider")
    ws = backend.service.create(people["owner"], "Prison talks")
    for role in (Role.NEGOTIATOR, Role.ANALYST, Role.OBSERVER):
        backend.service.set_member(people["owner"], ws.id, role.value, role)
    return ws.id, people
