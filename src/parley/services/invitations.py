"""Membership by invitation: an owner invites a name with a role; the invitee accepts or declines.

Nobody becomes a member of someone else's workspace without saying yes, and the answer to an
invitation is the same whether the name belongs to an account or not (no existence oracle).
Invitations expire (14 days by default) and every step is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from parley.domain.access import Action, Role, Scope, is_allowed
from parley.domain.account import Invitation, Principal, validate_username
from parley.domain.audit import InvitationAnswered, InvitationCreated, MemberAdded
from parley.domain.errors import Forbidden, NotFound
from parley.services.accounts import utcnow
from parley.services.ports import VaultStore, VaultTx

INVITATION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation as its invitee sees it: with the workspace's name."""

    invitation: Invitation
    workspace_name: str


class Invitations:
    """Invite, list, accept, decline."""

    def __init__(self, vault: VaultStore, clock: Callable[[], datetime] = utcnow,
                 lifetime: timedelta = INVITATION_LIFETIME) -> None:
        self.vault = vault
        self.clock = clock
        self.lifetime = lifetime

    def invite(self, actor: Principal, workspace_id: str, invitee: str, role: Role
               ) -> Invitation | None:
        """Invite `invitee` (a user name, existing or not: the answer is the same).

        Returns None, changing nothing, when `invitee` is already a member: the caller changes
        that member's role instead (owners see the member list anyway).
        """
        validate_username(invitee)
        now = self.clock()
        with self.vault.write() as tx:
            _authorise(tx, actor, workspace_id)
            if any(m.user == invitee for m in tx.workspaces.members(workspace_id)):
                return None
            tx.invitations.purge_invitations(now)
            invitation = tx.invitations.put_invitation(workspace_id, invitee, role, actor.name,
                                                       now + self.lifetime)
            tx.audit.append(actor.name, InvitationCreated(
                workspace_id, invitee=invitee, role=role.value, invitation=invitation.id))
        return invitation

    def of_workspace(self, actor: Principal, workspace_id: str) -> list[Invitation]:
        """The workspace's pending invitations (for those who manage its members)."""
        with self.vault.read() as tx:
            _authorise(tx, actor, workspace_id, write=False)
            return tx.invitations.invitations_of(workspace_id, self.clock())

    def pending(self, actor: Principal) -> list[PendingInvitation]:
        """Your pending invitations, with the names of the workspaces."""
        with self.vault.read() as tx:
            found = tx.invitations.invitations_for(actor.name, self.clock())
            return [PendingInvitation(i, tx.workspaces.get_workspace(i.workspace).name)
                    for i in found]

    def answer(self, actor: Principal, invitation_id: str, accept: bool) -> Invitation:
        """Accept (you become a member with the offered role) or decline an invitation."""
        if actor.scope is not Scope.WRITE:
            raise Forbidden("a read-only token cannot answer invitations")
        now = self.clock()
        with self.vault.write() as tx:
            invitation = tx.invitations.get_invitation(invitation_id)
            if (invitation is None or invitation.invitee != actor.name
                    or invitation.expires_at <= now):
                raise NotFound(f"no pending invitation '{invitation_id}' for you")
            ws = invitation.workspace
            tx.workspaces.lock_workspace(ws)  # membership changes serialise per workspace
            tx.invitations.delete_invitation(invitation_id)
            if accept and tx.workspaces.role_of(actor.name, ws) is None:
                tx.workspaces.set_member(ws, actor.name, invitation.role)
                tx.audit.append(actor.name, MemberAdded(ws, user=actor.name,
                                                        role=invitation.role.value))
            tx.audit.append(actor.name, InvitationAnswered(
                ws, invitee=actor.name, role=invitation.role.value, invitation=invitation.id,
                accepted=accept))
        return invitation


def _authorise(tx: VaultTx, actor: Principal, workspace_id: str, *, write: bool = True
               ) -> None:
    """Owners (members.manage) only, checked inside the transaction of the change, with the
    workspace locked so a concurrent demotion cannot slip between the check and the write."""
    if write:
        tx.workspaces.lock_workspace(workspace_id)
    if actor.system:
        if not tx.workspaces.workspace_exists(workspace_id):
            raise NotFound(f"no workspace '{workspace_id}'")
        return
    role = tx.workspaces.role_of(actor.name, workspace_id)
    if role is None:
        raise NotFound(f"no workspace '{workspace_id}'")
    scope = actor.scope if write else Scope.WRITE
    if not is_allowed(role, Action.MEMBERS_MANAGE, scope=scope):
        raise Forbidden(f"your role ({role.value}) does not permit members.manage")
