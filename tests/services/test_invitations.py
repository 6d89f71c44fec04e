"""Membership by invitation, on the in-memory fakes, SQLite and PostgreSQL: no silent adding,
no existence oracle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from parley.domain.access import Role, Scope
from parley.domain.account import SYSTEM, Principal
from parley.domain.errors import Forbidden, NotFound, ValidationFailed
from parley.services.invitations import Invitations
from parley.services.ports import VaultStore
from parley.services.workspaces import Workspaces
from tests.services.conftest import Store


@dataclass
class Services:
    workspaces: Workspaces
    invitations: Invitations
    vault: VaultStore
    add_user: Callable[[str], Principal]


@pytest.fixture
def s(store: Store) -> Services:
    return Services(Workspaces(store.vault, 10_000_000), Invitations(store.vault), store.vault,
                    store.add_user)


def test_invitation_flow(s: Services) -> None:
    owner, bob = s.add_user("owner"), s.add_user("bob")
    analyst = s.add_user("analyst")
    ws = s.workspaces.create(owner, "Talks").id
    s.workspaces.set_member(SYSTEM, ws, "analyst", Role.ANALYST)
    with pytest.raises(Forbidden):  # only those who manage members invite
        s.invitations.invite(analyst, ws, "bob", Role.OWNER)
    with pytest.raises(NotFound):
        s.invitations.invite(bob, ws, "bob", Role.OWNER)
    with pytest.raises(ValidationFailed, match="name"):
        s.invitations.invite(owner, ws, "bob\n", Role.OWNER)
    known = s.invitations.invite(owner, ws, "bob", Role.OBSERVER)
    unknown = s.invitations.invite(owner, ws, "ghost", Role.OBSERVER)
    assert known is not None and unknown is not None
    assert s.invitations.invite(owner, ws, "analyst", Role.OBSERVER) is None  # a member
    renewed = s.invitations.invite(owner, ws, "bob", Role.NEGOTIATOR)
    assert renewed is not None and renewed.id == known.id
    assert s.workspaces.role(bob, ws) is None  # nothing before consent
    assert {i.invitee for i in s.invitations.of_workspace(owner, ws)} == {"bob", "ghost"}
    with pytest.raises(Forbidden):
        s.invitations.answer(Principal("bob", scope=Scope.READ), known.id, accept=True)
    with pytest.raises(NotFound):
        s.invitations.answer(owner, known.id, accept=True)
    pending = s.invitations.pending(bob)
    assert [(p.workspace_name, p.invitation.role) for p in pending] == [
        ("Talks", Role.NEGOTIATOR)]
    s.invitations.answer(bob, known.id, accept=True)
    assert s.workspaces.role(bob, ws) is Role.NEGOTIATOR
    with pytest.raises(NotFound):  # answered once
        s.invitations.answer(bob, known.id, accept=False)
    with s.vault.read() as tx:
        events = [e.event for e in tx.audit.audit_entries(ws)]
    assert events.count("invitation.created") == 3 and "invitation.answered" in events


def test_invitations_expire(s: Services) -> None:
    owner, bob = s.add_user("owner"), s.add_user("bob")
    ws = s.workspaces.create(owner, "Talks").id
    invitation = s.invitations.invite(owner, ws, "bob", Role.OBSERVER)
    assert invitation is not None
    later = datetime.now(UTC) + timedelta(days=14, seconds=1)
    s.invitations.clock = lambda: later
    assert s.invitations.pending(bob) == []
    with pytest.raises(NotFound):
        s.invitations.answer(bob, invitation.id, accept=True)
    assert s.workspaces.role(bob, ws) is None
