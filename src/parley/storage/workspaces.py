"""Workspaces, members and sealed items (with attachments) inside one transaction.

Restricted and secret content is sealed with the workspace's data key (unwrapped by the vault's
key ring and cached there); public content is stored as `PLAIN || JSON`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parley.domain.access import Classification, Role
from parley.domain.errors import NotFound
from parley.domain.workspace import Attachment, Item, ItemKind, Member, Workspace
from parley.storage.keys import derive, new_data_key, seal, unseal
from parley.storage.records import PLAIN, aware, check_version, new_id, now, user_row
from parley.storage.workspace_tables import (
    AttachmentRow,
    ItemRow,
    MemberRow,
    UserRow,
    WorkspaceRow,
)

if TYPE_CHECKING:
    from parley.storage.vault import Vault


class WorkspaceRepository:
    """Workspace, member and item rows inside one transaction of the confidential store."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.s = session
        self.vault = vault

    def _ws_row(self, workspace_id: str) -> WorkspaceRow:
        row = self.s.scalars(select(WorkspaceRow).where(WorkspaceRow.id == workspace_id)).first()
        if row is None:
            raise NotFound(f"no workspace '{workspace_id}'")
        return row

    def _data_key(self, row: WorkspaceRow) -> bytes:
        return self.vault.data_key(row.id, row.data_key, row.key_version)

    def _workspace(self, row: WorkspaceRow) -> Workspace:
        doc = json.loads(unseal(self._data_key(row), row.sealed, f"workspace|{row.id}"))
        return Workspace(row.id, doc["name"], doc["description"], row.version,
                         aware(row.created_at))

    def add_workspace(self, name: str, description: str, owner: str) -> Workspace:
        ws_id = new_id()
        data_key = new_data_key()
        wrapped, version = self.vault.wrap_data_key(self.s, data_key, ws_id)
        sealed = seal(data_key, json.dumps({"name": name, "description": description}).encode(),
                      f"workspace|{ws_id}")
        row = WorkspaceRow(id=ws_id, sealed=sealed, data_key=wrapped, key_version=version,
                           created_at=now(), updated_at=now())
        self.s.add(row)
        self.s.flush()
        self.s.add(MemberRow(workspace_pk=row.pk, user_pk=user_row(self.s, owner).pk,
                             role=Role.OWNER.value))
        self.s.flush()
        return self._workspace(row)

    def get_workspace(self, workspace_id: str) -> Workspace:
        return self._workspace(self._ws_row(workspace_id))

    def update_workspace(self, workspace_id: str, name: str, description: str,
                         expected_version: int) -> Workspace:
        row = self._ws_row(workspace_id)
        check_version("workspace", workspace_id, row.version, expected_version)
        row.sealed = seal(self._data_key(row),
                          json.dumps({"name": name, "description": description}).encode(),
                          f"workspace|{row.id}")
        self.s.flush()
        return self._workspace(row)

    def delete_workspace(self, workspace_id: str, expected_version: int) -> None:
        row = self._ws_row(workspace_id)
        check_version("workspace", workspace_id, row.version, expected_version)
        self.s.delete(row)
        self.s.flush()

    def workspaces_of(self, user: str) -> list[tuple[Workspace, Role]]:
        rows = self.s.execute(
            select(WorkspaceRow, MemberRow.role)
            .join(MemberRow, MemberRow.workspace_pk == WorkspaceRow.pk)
            .where(MemberRow.user_pk == user_row(self.s, user).pk)
            .order_by(WorkspaceRow.pk)).all()
        return [(self._workspace(ws), Role(role)) for ws, role in rows]

    def all_workspace_ids(self) -> list[str]:
        return list(self.s.scalars(select(WorkspaceRow.id).order_by(WorkspaceRow.pk)).all())

    def role_of(self, user: str, workspace_id: str) -> Role | None:
        role = self.s.scalar(
            select(MemberRow.role)
            .join(WorkspaceRow, MemberRow.workspace_pk == WorkspaceRow.pk)
            .join(UserRow, MemberRow.user_pk == UserRow.pk)
            .where(WorkspaceRow.id == workspace_id, UserRow.name == user))
        return Role(role) if role else None

    def workspace_exists(self, workspace_id: str) -> bool:
        return self.s.scalar(select(WorkspaceRow.pk).where(WorkspaceRow.id == workspace_id)
                             ) is not None

    def members(self, workspace_id: str) -> list[Member]:
        rows = self.s.execute(
            select(UserRow.name, MemberRow.role)
            .join(MemberRow, MemberRow.user_pk == UserRow.pk)
            .where(MemberRow.workspace_pk == self._ws_row(workspace_id).pk)
            .order_by(UserRow.name)).all()
        return [Member(name, Role(role)) for name, role in rows]

    def set_member(self, workspace_id: str, user: str, role: Role) -> None:
        ws, u = self._ws_row(workspace_id), user_row(self.s, user)
        row = self.s.scalars(select(MemberRow).where(MemberRow.workspace_pk == ws.pk,
                                                     MemberRow.user_pk == u.pk)).first()
        if row is None:
            self.s.add(MemberRow(workspace_pk=ws.pk, user_pk=u.pk, role=role.value))
        else:
            row.role = role.value
        self.s.flush()

    def remove_member(self, workspace_id: str, user: str) -> None:
        ws, u = self._ws_row(workspace_id), user_row(self.s, user)
        done = self.s.execute(delete(MemberRow).where(MemberRow.workspace_pk == ws.pk,
                                                      MemberRow.user_pk == u.pk))
        if not getattr(done, "rowcount", 1):
            raise NotFound(f"'{user}' is not a member of workspace '{workspace_id}'")

    # -- items -------------------------------------------------------------------------------

    def _body(self, ws: WorkspaceRow, item_id: str, classification: Classification,
              doc: dict[str, Any]) -> bytes:
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        if classification.encrypted:
            return seal(self._data_key(ws), raw, f"item|{ws.id}|{item_id}")
        return PLAIN + raw

    def _open(self, ws: WorkspaceRow, row: ItemRow) -> dict[str, Any]:
        if row.body[:1] == PLAIN:
            raw = row.body[1:]
        else:
            raw = unseal(self._data_key(ws), row.body, f"item|{ws.id}|{row.id}")
        doc: dict[str, Any] = json.loads(raw)
        return doc

    def _item(self, ws: WorkspaceRow, row: ItemRow) -> Item:
        doc = self._open(ws, row)
        att = doc.get("attachment")
        return Item(row.id, ws.id, ItemKind(row.kind), Classification(row.classification),
                    doc["fields"], row.version, row.created_by, aware(row.created_at),
                    aware(row.updated_at), Attachment(**att) if att else None)

    def _item_row(self, ws: WorkspaceRow, item_id: str) -> ItemRow:
        row = self.s.scalars(select(ItemRow).where(ItemRow.id == item_id,
                                                   ItemRow.workspace_pk == ws.pk)).first()
        if row is None:
            raise NotFound(f"no item '{item_id}' in workspace '{ws.id}'")
        return row

    def item_classification(self, workspace_id: str, item_id: str) -> Classification | None:
        found = self.s.scalar(
            select(ItemRow.classification).join(WorkspaceRow,
                                                ItemRow.workspace_pk == WorkspaceRow.pk)
            .where(WorkspaceRow.id == workspace_id, ItemRow.id == item_id))
        return Classification(found) if found else None

    def add_item(self, workspace_id: str, kind: ItemKind, classification: Classification,
                 fields: dict[str, Any], created_by: str,
                 attachment: tuple[Attachment, bytes] | None = None) -> Item:
        ws = self._ws_row(workspace_id)
        item_id = new_id()
        doc = {"fields": fields,
               "attachment": attachment[0].__dict__ if attachment else None}
        row = ItemRow(id=item_id, workspace_pk=ws.pk, kind=kind.value,
                      classification=classification.value,
                      body=self._body(ws, item_id, classification, doc), created_by=created_by,
                      created_at=now(), updated_at=now())
        self.s.add(row)
        self.s.flush()
        if attachment is not None:
            content = attachment[1]
            if classification.encrypted:
                blob = seal(self._data_key(ws), content, f"attachment|{ws.id}|{item_id}")
            else:
                blob = PLAIN + content
            self.s.add(AttachmentRow(item_pk=row.pk, content=blob))
            self.s.flush()
        return self._item(ws, row)

    def get_item(self, workspace_id: str, item_id: str) -> Item:
        ws = self._ws_row(workspace_id)
        return self._item(ws, self._item_row(ws, item_id))

    def items(self, workspace_id: str, classifications: Sequence[Classification]) -> list[Item]:
        """Items of the given classifications only (others are never decrypted)."""
        ws = self._ws_row(workspace_id)
        rows = self.s.scalars(select(ItemRow).where(
            ItemRow.workspace_pk == ws.pk,
            ItemRow.classification.in_([c.value for c in classifications]))
            .order_by(ItemRow.pk)).all()
        return [self._item(ws, r) for r in rows]

    def update_item(self, workspace_id: str, item_id: str, classification: Classification,
                    fields: dict[str, Any], expected_version: int) -> Item:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        check_version("item", item_id, row.version, expected_version)
        doc = self._open(ws, row)
        doc["fields"] = fields
        if classification.value != row.classification:
            att = self.s.scalars(select(AttachmentRow).where(AttachmentRow.item_pk == row.pk)
                                 ).first()
            if att is not None:
                content = self._attachment_bytes(ws, row, att)
                att.content = (seal(self._data_key(ws), content, f"attachment|{ws.id}|{row.id}")
                               if classification.encrypted else PLAIN + content)
        row.classification = classification.value
        row.body = self._body(ws, item_id, classification, doc)
        self.s.flush()
        return self._item(ws, row)

    def delete_item(self, workspace_id: str, item_id: str, expected_version: int) -> None:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        check_version("item", item_id, row.version, expected_version)
        self.s.delete(row)
        self.s.flush()

    def _attachment_bytes(self, ws: WorkspaceRow, row: ItemRow, att: AttachmentRow) -> bytes:
        if att.content[:1] == PLAIN:
            return att.content[1:]
        return unseal(self._data_key(ws), att.content, f"attachment|{ws.id}|{row.id}")

    def attachment(self, workspace_id: str, item_id: str) -> bytes:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        att = self.s.scalars(select(AttachmentRow).where(AttachmentRow.item_pk == row.pk)).first()
        if att is None:
            raise NotFound(f"item '{item_id}' has no attachment")
        return self._attachment_bytes(ws, row, att)

    def pseudonym_secret(self, workspace_id: str) -> bytes:
        return derive(self._data_key(self._ws_row(workspace_id)), "pseudonyms")
