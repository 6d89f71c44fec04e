"""One contract for `AccountsTx`: the in-memory fake and the SQL repository (SQLite,
PostgreSQL) must give the same answers, and a failed write must change nothing in either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley.domain.access import Scope
from parley.domain.account import Principal, Throttle
from parley.domain.errors import Conflict, NotFound
from parley.services.ports import VaultStore
from tests.services.fakes import FakeVault
from tests.support import build

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
def vault(request: pytest.FixtureRequest, tmp_path: Path,
          postgres_server: str | None) -> Iterator[VaultStore]:
    if request.param == "fake":
        yield FakeVault()
        return
    if request.param == "postgresql":
        if postgres_server is None:
            pytest.skip("PostgreSQL leg: set PARLEY_TEST_POSTGRES_URL to run it")
        from tests.conftest import _reset_postgres

        _reset_postgres(postgres_server)
        url = postgres_server
    else:
        url = f"sqlite:///{tmp_path / 'p.db'}"
    app = build(url, tmp_path)
    yield app.vault
    app.close()


def test_users_sessions_and_disable(vault: VaultStore) -> None:
    with vault.write() as tx:
        assert tx.accounts.count_users() == 0
        tx.accounts.add_user("ana", "h1", False)
        tx.accounts.add_user("root", "h2", True)
        tx.accounts.add_session("ana", "d1", NOW + timedelta(hours=1))
        tx.accounts.add_session("ana", "d2", NOW + timedelta(hours=1))
        tx.accounts.add_session("ana", "old", NOW - timedelta(seconds=1))
    with pytest.raises(Conflict), vault.write() as tx:
        tx.accounts.set_password_hash("ana", "changed")
        tx.accounts.add_user("ana", "h", False)  # fails: the whole write is undone
    with vault.read() as tx:
        assert [u.name for u in tx.accounts.users()] == ["ana", "root"]
        auth = tx.accounts.user_auth("ana")
        assert auth is not None and auth.password_hash == "h1" and not auth.disabled
        assert tx.accounts.user_auth("nobody") is None
        assert tx.accounts.session_principal("d1", NOW) == Principal("ana")
        assert tx.accounts.session_principal("old", NOW) is None
        assert tx.accounts.session_principal("nope", NOW) is None
    with vault.write() as tx:
        assert tx.accounts.end_sessions("ana", keep_digest="d2") == 2
        tx.accounts.set_disabled("ana", NOW)
        with pytest.raises(NotFound):
            tx.accounts.set_disabled("nobody", NOW)
    with vault.read() as tx:
        assert tx.accounts.session_principal("d2", NOW) is None  # disabled
        user = tx.accounts.get_user("ana")
        assert user is not None and user.disabled


def test_tokens_expire_and_record_use(vault: VaultStore) -> None:
    with vault.write() as tx:
        tx.accounts.add_user("ana", "h", False)
        live = tx.accounts.add_token("ana", "t1", Scope.READ, "a", NOW + timedelta(days=1))
        tx.accounts.add_token("ana", "t2", Scope.WRITE, "b", NOW - timedelta(seconds=1))
    with vault.write() as tx:
        found = tx.accounts.token_principal("t1", NOW)
        assert found is not None and found[0] == Principal("ana", False, Scope.READ)
        assert tx.accounts.token_principal("t2", NOW) is None
        tx.accounts.touch_token(live.id, NOW)
        with pytest.raises(NotFound):
            tx.accounts.revoke_token("ana", "missing")
    with vault.read() as tx:
        listed = tx.accounts.tokens("ana")
        assert [(t.label, t.last_used_at is not None) for t in listed] == [("a", True),
                                                                           ("b", False)]


def test_throttle_rows_and_purge(vault: VaultStore) -> None:
    old = Throttle(NOW - timedelta(hours=1), 5, 7)
    trusted = Throttle(NOW - timedelta(hours=1), 0, 3, NOW + timedelta(days=1))
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") is None
        tx.accounts.set_throttle("ana", "a", old)
        tx.accounts.set_throttle("ana", "b", trusted)
        tx.accounts.set_throttle("ghost", "*", Throttle(NOW, 2, 2))
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") == old
        tx.accounts.purge_throttle(NOW - timedelta(minutes=15), NOW)
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") is None
        assert tx.accounts.throttle("ana", "b") == trusted
        assert tx.accounts.throttle("ghost", "*") == Throttle(NOW, 2, 2)
