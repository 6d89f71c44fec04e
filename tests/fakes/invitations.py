"""`InvitationsTx` in memory: keyed by the invitee's name (no user needed), one pending
invitation per workspace and invitee (a second one renews it), gone with its workspace."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from parley.domain.access import Role
from parley.domain.account import Invitation
from tests.fakes.state import State, now


class FakeInvitations:
    """`InvitationsTx` over a `State`."""

    def __init__(self, state: State) -> None:
        self.st = state

    def put_invitation(self, workspace_id: str, invitee: str, role: Role, invited_by: str,
                       expires_at: datetime) -> Invitation:
        self.st.workspace(workspace_id)
        for inv in self.st.invitations.values():
            if inv.workspace == workspace_id and inv.invitee == invitee:
                renewed = replace(inv, role=role, invited_by=invited_by, expires_at=expires_at)
                self.st.invitations[inv.id] = renewed
                return renewed
        new = Invitation(secrets.token_hex(8), workspace_id, invitee, role, invited_by, now(),
                         expires_at)
        self.st.invitations[new.id] = new
        return new

    def invitations_for(self, invitee: str, now: datetime) -> list[Invitation]:
        return [i for i in self.st.invitations.values()
                if i.invitee == invitee and i.expires_at > now]

    def invitations_of(self, workspace_id: str, now: datetime) -> list[Invitation]:
        self.st.workspace(workspace_id)
        return [i for i in self.st.invitations.values()
                if i.workspace == workspace_id and i.expires_at > now]

    def get_invitation(self, invitation_id: str) -> Invitation | None:
        return self.st.invitations.get(invitation_id)

    def delete_invitation(self, invitation_id: str) -> None:
        self.st.invitations.pop(invitation_id, None)

    def purge_invitations(self, now: datetime) -> None:
        self.st.invitations = {k: i for k, i in self.st.invitations.items() if i.expires_at > now}
