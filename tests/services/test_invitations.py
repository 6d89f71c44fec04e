"""Membership by invitation on SQLite and PostgreSQL: no silent adding, no existence oracle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.access import Role, Scope
from parley.domain.account import SYSTEM, Principal
from parley.domain.errors import Forbidden, NotFound, ValidationFailed
from tests.support import build, user


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def test_invitation_flow(app: Parley) -> None:
    owner, bob = user(app, "owner"), user(app, "bob")
    analyst = user(app, "analyst")
    ws = app.workspaces.create(owner, "Talks").id
    app.workspaces.set_member(SYSTEM, ws, "analyst", Role.ANALYST)
    with pytest.raises(Forbidden):  # only those who manage members invite
        app.invitations.invite(analyst, ws, "bob", Role.OWNER)
    with pytest.raises(NotFound):
        app.invitations.invite(bob, ws, "bob", Role.OWNER)
    with pytest.raises(ValidationFailed, match="name"):
        app.invitations.invite(owner, ws, "bob\n", Role.OWNER)
    known = app.invitations.invite(owner, ws, "bob", Role.OBSERVER)
    unknown = app.invitations.invite(owner, ws, "ghost", Role.OBSERVER)
    assert known is not None and unknown is not None
    assert app.invitations.invite(owner, ws, "analyst", Role.OBSERVER) is None  # a member
    renewed = app.invitations.invite(owner, ws, "bob", Role.NEGOTIATOR)
    assert renewed is not None and renewed.id == known.id
    assert app.workspaces.role(bob, ws) is None  # nothing before consent
    assert {i.invitee for i in app.invitations.of_workspace(owner, ws)} == {"bob", "ghost"}
    with pytest.raises(Forbidden):
        app.invitations.answer(Principal("bob", scope=Scope.READ), known.id, accept=True)
    with pytest.raises(NotFound):
        app.invitations.answer(owner, known.id, accept=True)
    pending = app.invitations.pending(bob)
    assert [(p.workspace_name, p.invitation.role) for p in pending] == [
        ("Talks", Role.NEGOTIATOR)]
    app.invitations.answer(bob, known.id, accept=True)
    assert app.workspaces.role(bob, ws) is Role.NEGOTIATOR
    with pytest.raises(NotFound):  # answered once
        app.invitations.answer(bob, known.id, accept=False)
    with app.vault.read() as tx:
        events = [e.event for e in tx.audit.audit_entries(ws)]
    assert events.count("invitation.created") == 3 and "invitation.answered" in events


def test_invitations_expire(app: Parley) -> None:
    owner, bob = user(app, "owner"), user(app, "bob")
    ws = app.workspaces.create(owner, "Talks").id
    invitation = app.invitations.invite(owner, ws, "bob", Role.OBSERVER)
    assert invitation is not None
    later = datetime.now(UTC) + timedelta(days=14, seconds=1)
    app.invitations.clock = lambda: later
    assert app.invitations.pending(bob) == []
    with pytest.raises(NotFound):
        app.invitations.answer(bob, invitation.id, accept=True)
    assert app.workspaces.role(bob, ws) is None
