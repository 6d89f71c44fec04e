"""One contract for the ports of the confidential store (`services/ports.py`): the in-memory
fakes (tests/fakes/) and the SQL repositories (SQLite, PostgreSQL) must give the same answers:
versions checked (optimistic concurrency), uniqueness, not-found errors, and a failed write
changes nothing in any of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from parley.domain.access import Classification, Role, Scope
from parley.domain.account import Principal, Throttle
from parley.domain.audit import WorkspaceCreated
from parley.domain.errors import Conflict, NotFound
from parley.domain.workspace import ItemKind
from parley.services.ports import VaultStore, VaultTx
from tests.services.conftest import Store

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def vault(store: Store) -> VaultStore:
    return store.vault


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


# -- workspaces, items and invitations -----------------------------------------------------------


def _workspace_with_note(store: Store) -> tuple[str, str]:
    store.add_user("olga")
    with store.vault.write() as tx:
        ws = tx.workspaces.add_workspace("Talks", "", "olga")
        item = tx.workspaces.add_item(ws.id, ItemKind.NOTE, Classification.RESTRICTED,
                                      {"title": "first"}, "olga")
        tx.audit.append("olga", WorkspaceCreated(ws.id, owner="olga"))
    assert ws.version == 1 and item.version == 1
    return ws.id, item.id


def test_versions_are_checked_on_every_update_and_delete(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    with store.vault.write() as tx:
        updated = tx.workspaces.update_item(ws, item, Classification.RESTRICTED,
                                            {"title": "second"}, expected_version=1)
        renamed = tx.workspaces.update_workspace(ws, "Talks II", "", expected_version=1)
    assert updated.version == 2 and renamed.version == 2
    stale_writes: list[Callable[[VaultTx], object]] = [
        lambda tx: tx.workspaces.update_item(ws, item, Classification.RESTRICTED,
                                             {"title": "lost"}, expected_version=1),
        lambda tx: tx.workspaces.delete_item(ws, item, expected_version=1),
        lambda tx: tx.workspaces.update_workspace(ws, "lost", "", expected_version=1),
        lambda tx: tx.workspaces.delete_workspace(ws, expected_version=1),
    ]
    for stale in stale_writes:
        with pytest.raises(Conflict), store.vault.write() as tx:
            stale(tx)
    with store.vault.read() as tx:
        assert tx.workspaces.get_item(ws, item).fields["title"] == "second"
        assert tx.workspaces.get_workspace(ws).name == "Talks II"


def test_what_does_not_exist_is_not_found(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    with store.vault.read() as tx:
        for missing in (lambda: tx.workspaces.get_workspace("nope"),
                        lambda: tx.workspaces.get_item(ws, "nope"),
                        lambda: tx.workspaces.members("nope"),
                        lambda: tx.workspaces.attachment(ws, item),  # a note without a file
                        lambda: tx.invitations.invitations_of("nope", NOW)):
            with pytest.raises(NotFound):
                missing()
        assert tx.workspaces.item_classification(ws, "nope") is None
        assert tx.workspaces.role_of("nobody", ws) is None
        assert not tx.workspaces.workspace_exists("nope")
        assert tx.invitations.get_invitation("nope") is None
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.workspaces.set_member(ws, "nobody", Role.ANALYST)  # no such user
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.workspaces.remove_member(ws, "olga2")


def test_a_failed_write_changes_nothing(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    store.add_user("ana")
    with pytest.raises(Conflict), store.vault.write() as tx:
        tx.workspaces.set_member(ws, "ana", Role.ANALYST)
        tx.workspaces.add_item(ws, ItemKind.NOTE, Classification.PUBLIC, {"title": "x"}, "ana")
        tx.invitations.put_invitation(ws, "ben", Role.OBSERVER, "olga", NOW + timedelta(days=1))
        tx.workspaces.delete_item(ws, item, expected_version=7)  # stale: the whole write undone
    with store.vault.read() as tx:
        assert tx.workspaces.role_of("ana", ws) is None
        assert [i.id for i in tx.workspaces.items(ws, list(Classification)).items] == [item]
        assert tx.invitations.invitations_for("ben", NOW) == []
        assert [e.event for e in tx.audit.audit_entries(ws)] == ["workspace.created"]


def test_one_pending_invitation_per_invitee_renewed_and_gone_with_its_workspace(
        store: Store) -> None:
    ws, _ = _workspace_with_note(store)
    later = NOW + timedelta(days=7)
    with store.vault.write() as tx:
        first = tx.invitations.put_invitation(ws, "ben", Role.OBSERVER, "olga", NOW + timedelta(1))
        again = tx.invitations.put_invitation(ws, "ben", Role.ANALYST, "olga", later)
        tx.invitations.put_invitation(ws, "old", Role.OBSERVER, "olga", NOW - timedelta(1))
    assert again.id == first.id and again.role is Role.ANALYST
    with store.vault.write() as tx:
        assert [(i.invitee, i.role) for i in tx.invitations.invitations_of(ws, NOW)] == [
            ("ben", Role.ANALYST)]
        tx.invitations.purge_invitations(NOW)
        version = tx.workspaces.get_workspace(ws).version
    with store.vault.write() as tx:
        found = tx.invitations.get_invitation(first.id)
        assert found is not None and found.expires_at == later
        tx.workspaces.delete_workspace(ws, expected_version=version)
    with store.vault.read() as tx:
        assert tx.invitations.invitations_for("ben", NOW) == []
        assert tx.invitations.get_invitation(first.id) is None
