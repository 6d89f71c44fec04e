"""Pending invitations to workspaces, inside one transaction of the confidential store."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parley.domain.access import Role
from parley.domain.account import Invitation
from parley.domain.errors import NotFound
from parley.storage.records import aware, now
from parley.storage.workspace_tables import InvitationRow, WorkspaceRow


def _invitation(row: InvitationRow, workspace_id: str) -> Invitation:
    return Invitation(row.id, workspace_id, row.invitee, Role(row.role), row.invited_by,
                      aware(row.created_at), aware(row.expires_at))


class InvitationRepository:
    """Invitations are keyed by the invitee's *name*: no user row is needed to store one."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _ws_pk(self, workspace_id: str) -> int:
        pk = self.s.scalar(select(WorkspaceRow.pk).where(WorkspaceRow.id == workspace_id))
        if pk is None:
            raise NotFound(f"no workspace '{workspace_id}'")
        return int(pk)

    def put_invitation(self, workspace_id: str, invitee: str, role: Role, invited_by: str,
                       expires_at: datetime) -> Invitation:
        """Create, or renew (new role, new expiry) the pending invitation of `invitee`."""
        ws_pk = self._ws_pk(workspace_id)
        row = self.s.scalars(select(InvitationRow).where(
            InvitationRow.workspace_pk == ws_pk, InvitationRow.invitee == invitee)).first()
        if row is None:
            row = InvitationRow(id=secrets.token_hex(8), workspace_pk=ws_pk, invitee=invitee,
                                created_at=now())
            self.s.add(row)
        row.role = role.value
        row.invited_by = invited_by
        row.expires_at = expires_at
        self.s.flush()
        return _invitation(row, workspace_id)

    def invitations_for(self, invitee: str, now: datetime) -> list[Invitation]:
        rows = self.s.execute(
            select(InvitationRow, WorkspaceRow.id)
            .join(WorkspaceRow, InvitationRow.workspace_pk == WorkspaceRow.pk)
            .where(InvitationRow.invitee == invitee, InvitationRow.expires_at > now)
            .order_by(InvitationRow.pk)).all()
        return [_invitation(row, ws_id) for row, ws_id in rows]

    def invitations_of(self, workspace_id: str, now: datetime) -> list[Invitation]:
        rows = self.s.scalars(select(InvitationRow).where(
            InvitationRow.workspace_pk == self._ws_pk(workspace_id),
            InvitationRow.expires_at > now).order_by(InvitationRow.pk)).all()
        return [_invitation(row, workspace_id) for row in rows]

    def get_invitation(self, invitation_id: str) -> Invitation | None:
        found = self.s.execute(
            select(InvitationRow, WorkspaceRow.id)
            .join(WorkspaceRow, InvitationRow.workspace_pk == WorkspaceRow.pk)
            .where(InvitationRow.id == invitation_id).with_for_update()).first()
        return _invitation(found[0], found[1]) if found else None

    def delete_invitation(self, invitation_id: str) -> None:
        self.s.execute(delete(InvitationRow).where(InvitationRow.id == invitation_id))

    def purge_invitations(self, now: datetime) -> None:
        self.s.execute(delete(InvitationRow).where(InvitationRow.expires_at <= now))
