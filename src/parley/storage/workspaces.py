"""Workspaces, members and sealed items (with attachments) inside one transaction.

Every item is sealed with the workspace's data key (unwrapped by the vault's key ring and cached
there), public ones too, so that every row is authenticated and bound to where it belongs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from parley.domain.access import Classification, Role
from parley.domain.errors import ConfigurationError, KeyUnavailable, NotFound
from parley.domain.workspace import (
    LEGACY_KINDS,
    Attachment,
    Item,
    ItemKind,
    ItemListing,
    ItemUnreadable,
    Member,
    Workspace,
    upgrade_legacy,
)
from parley.storage.keys import derive, new_data_key, seal, unseal
from parley.storage.records import PLAIN, aware, check_version, new_id, now, user_row
from parley.storage.scenarios import ScenarioRepository
from parley.storage.workspace_tables import (
    AttachmentRow,
    ItemRow,
    MemberRow,
    UserRow,
    WorkspaceRow,
)

BOUND = b"\x02"
"""Body prefix of an item sealed with its row binding (workspace, id, version, kind,
classification); `PLAIN` (0x00) and `LEGACY` (0x01) are the formats before it."""
LEGACY = b"\x01"

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
        ScenarioRepository(self.s, self.vault).detach_workspace(row.pk)  # back to their authors
        self.s.delete(row)
        self.s.flush()

    def workspaces_of(self, user: str) -> list[tuple[Workspace, Role]]:
        rows = self.s.execute(
            select(WorkspaceRow, MemberRow.role)
            .join(MemberRow, MemberRow.workspace_pk == WorkspaceRow.pk)
            .where(MemberRow.user_pk == user_row(self.s, user).pk)
            .order_by(WorkspaceRow.pk)).all()
        return [(self._workspace(ws), Role(role)) for ws, role in rows]

    def workspace_ids_of(self, user: str) -> list[str]:
        """The ids of the workspaces `user` belongs to (nothing decrypted); none for a name
        that is no account."""
        return list(self.s.scalars(
            select(WorkspaceRow.id)
            .join(MemberRow, MemberRow.workspace_pk == WorkspaceRow.pk)
            .join(UserRow, MemberRow.user_pk == UserRow.pk)
            .where(UserRow.name == user).order_by(WorkspaceRow.pk)))

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

    def lock_workspace(self, workspace_id: str) -> None:
        """Lock the workspace for the rest of this write transaction, before its members are
        read: PostgreSQL `SELECT ... FOR UPDATE` on the workspace row, so every write of one
        workspace (membership, items) runs one at a time and sees the previous one's result.
        SQLite's `BEGIN IMMEDIATE` already holds the database's write lock. NotFound if absent.
        """
        found = self.s.scalar(select(WorkspaceRow.pk).where(WorkspaceRow.id == workspace_id)
                              .with_for_update())
        if found is None:
            raise NotFound(f"no workspace '{workspace_id}'")

    def classifications(self, workspace_id: str) -> dict[str, Classification]:
        """Every item's id and classification column (nothing decrypted)."""
        rows = self.s.execute(
            select(ItemRow.id, ItemRow.classification)
            .join(WorkspaceRow, ItemRow.workspace_pk == WorkspaceRow.pk)
            .where(WorkspaceRow.id == workspace_id)).all()
        out: dict[str, Classification] = {}
        for item_id, c in rows:
            try:
                out[item_id] = Classification(c)
            except ValueError:
                out[item_id] = Classification.SECRET
        return out

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
    #
    # Every item body (public ones too) is `BOUND || sealed JSON`; the associated data binds the
    # ciphertext to its workspace, item id, row version, kind and classification, so a row whose
    # columns were edited, whose body was swapped with another item's or rolled back to an older
    # version, or that was forged without the key, fails to open: that item alone is reported
    # unreadable. Attachments are sealed under their workspace, item and classification, and
    # their bytes must match the sha256 held in the (bound) body.

    def _aad(self, ws: WorkspaceRow, item_id: str, version: int, kind: str,
             classification: str) -> str:
        return f"item/2|{ws.id}|{item_id}|{version}|{kind}|{classification}"

    def _body(self, ws: WorkspaceRow, item_id: str, version: int, kind: str,
              classification: Classification, doc: dict[str, Any]) -> bytes:
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return BOUND + seal(self._data_key(ws), raw,
                            self._aad(ws, item_id, version, kind, classification.value))

    def _open(self, ws: WorkspaceRow, row: ItemRow) -> dict[str, Any]:
        if row.body[:1] != BOUND:
            raise ItemUnreadable(ws.id, row.id, "stored in the old, unbound format (run "
                                 "`parley db upgrade` with the key ring to re-seal it)"
                                 if row.body[:1] in (PLAIN, LEGACY) else "unknown body format")
        key = self._data_key(ws)  # a wrong master key is the installation's error, not the row's
        try:
            raw = unseal(key, row.body[1:],
                         self._aad(ws, row.id, row.version, row.kind, row.classification))
            doc: dict[str, Any] = json.loads(raw)
        except ConfigurationError:
            raise ItemUnreadable(ws.id, row.id, "its body does not open for its workspace, id, "
                                 "version, kind and classification (edited, swapped, rolled "
                                 "back or forged)") from None
        except ValueError:
            raise ItemUnreadable(ws.id, row.id, "its body is not JSON") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("fields"), dict):
            raise ItemUnreadable(ws.id, row.id, "its body holds no fields")
        return doc

    def _item(self, ws: WorkspaceRow, row: ItemRow) -> Item:
        doc = self._open(ws, row)
        att = doc.get("attachment")
        try:
            kind, fields = upgrade_legacy(row.kind, doc["fields"])
            return Item(row.id, ws.id, kind, Classification(row.classification),
                        fields, row.version, row.created_by, aware(row.created_at),
                        aware(row.updated_at), Attachment(**att) if att else None)
        except (TypeError, ValueError):
            raise ItemUnreadable(ws.id, row.id, "unknown kind, classification or attachment"
                                 ) from None

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
        if not found:
            return None
        try:
            return Classification(found)
        except ValueError:  # a forged column: treat as the most sensitive
            return Classification.SECRET

    def item_kind(self, workspace_id: str, item_id: str) -> str | None:
        found = self.s.scalar(
            select(ItemRow.kind).join(WorkspaceRow, ItemRow.workspace_pk == WorkspaceRow.pk)
            .where(WorkspaceRow.id == workspace_id, ItemRow.id == item_id))
        if not found:
            return None
        legacy = LEGACY_KINDS.get(str(found))
        return legacy.value if legacy else str(found)

    def _seal_attachment(self, ws: WorkspaceRow, item_id: str, classification: Classification,
                         content: bytes) -> bytes:
        return BOUND + seal(self._data_key(ws), content,
                            f"attachment/2|{ws.id}|{item_id}|{classification.value}")

    def add_item(self, workspace_id: str, kind: ItemKind, classification: Classification,
                 fields: dict[str, Any], created_by: str,
                 attachment: tuple[Attachment, bytes] | None = None) -> Item:
        ws = self._ws_row(workspace_id)
        item_id = new_id()
        doc = {"fields": fields,
               "attachment": attachment[0].__dict__ if attachment else None}
        row = ItemRow(id=item_id, workspace_pk=ws.pk, kind=kind.value,
                      classification=classification.value, version=1,
                      body=self._body(ws, item_id, 1, kind.value, classification, doc),
                      created_by=created_by, created_at=now(), updated_at=now())
        self.s.add(row)
        self.s.flush()
        if attachment is not None:
            self.s.add(AttachmentRow(item_pk=row.pk, content=self._seal_attachment(
                ws, item_id, classification, attachment[1])))
            self.s.flush()
        return self._item(ws, row)

    def get_item(self, workspace_id: str, item_id: str) -> Item:
        ws = self._ws_row(workspace_id)
        return self._item(ws, self._item_row(ws, item_id))

    def items(self, workspace_id: str, classifications: Sequence[Classification]
              ) -> ItemListing:
        """Items of the given classifications only (others are never decrypted); an item
        that fails its integrity check is left out and named in `unreadable`."""
        ws = self._ws_row(workspace_id)
        rows = self.s.scalars(select(ItemRow).where(
            ItemRow.workspace_pk == ws.pk,
            ItemRow.classification.in_([c.value for c in classifications]))
            .order_by(ItemRow.pk)).all()
        good: list[Item] = []
        bad: list[str] = []
        for r in rows:
            try:
                good.append(self._item(ws, r))
            except ItemUnreadable:
                bad.append(r.id)
        return ItemListing(tuple(good), tuple(bad))

    def update_item(self, workspace_id: str, item_id: str, classification: Classification,
                    fields: dict[str, Any], expected_version: int) -> Item:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        check_version("item", item_id, row.version, expected_version)
        doc = self._open(ws, row)
        att_meta = doc.get("attachment")
        kind, _ = upgrade_legacy(row.kind, doc["fields"])
        doc["fields"] = fields
        if classification.value != row.classification:
            att = self.s.scalars(select(AttachmentRow).where(AttachmentRow.item_pk == row.pk)
                                 ).first()
            if att is not None:
                content = self._attachment_bytes(ws, row, att, att_meta)
                att.content = self._seal_attachment(ws, row.id, classification, content)
        row.classification = classification.value
        row.kind = kind.value  # an item of an older kind is written in today's
        # the version column is SQLAlchemy's optimistic-locking counter: this UPDATE sets it to
        # version + 1, which is what the new body is bound to
        row.body = self._body(ws, item_id, row.version + 1, row.kind, classification, doc)
        self.s.flush()
        return self._item(ws, row)

    def delete_item(self, workspace_id: str, item_id: str, expected_version: int) -> None:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        check_version("item", item_id, row.version, expected_version)
        self.s.delete(row)
        self.s.flush()

    def _attachment_bytes(self, ws: WorkspaceRow, row: ItemRow, att: AttachmentRow,
                          meta: Any) -> bytes:
        if att.content[:1] != BOUND:
            raise ItemUnreadable(ws.id, row.id, "its attachment is in the old, unbound format")
        key = self._data_key(ws)
        try:
            content = unseal(key, att.content[1:],
                             f"attachment/2|{ws.id}|{row.id}|{row.classification}")
        except ConfigurationError:
            raise ItemUnreadable(ws.id, row.id, "its attachment does not open (edited, swapped "
                                 "or forged)") from None
        if not isinstance(meta, dict) or hashlib.sha256(content).hexdigest() != meta.get(
                "sha256"):
            raise ItemUnreadable(ws.id, row.id, "its attachment does not match its checksum")
        return content

    def attachment(self, workspace_id: str, item_id: str) -> bytes:
        ws = self._ws_row(workspace_id)
        row = self._item_row(ws, item_id)
        doc = self._open(ws, row)
        att = self.s.scalars(select(AttachmentRow).where(AttachmentRow.item_pk == row.pk)).first()
        if att is None:
            raise NotFound(f"item '{item_id}' has no attachment")
        return self._attachment_bytes(ws, row, att, doc.get("attachment"))

    def pseudonym_secret(self, workspace_id: str) -> bytes:
        return derive(self._data_key(self._ws_row(workspace_id)), "pseudonyms")

    # -- integrity: check every row, re-seal rows of the old format -------------------------

    def check_items(self) -> list[ItemUnreadable]:
        """Every item (and attachment) that fails its integrity check, in every workspace."""
        bad: list[ItemUnreadable] = []
        for ws in self.s.scalars(select(WorkspaceRow).order_by(WorkspaceRow.pk)).all():
            try:
                self._data_key(ws)
            except ConfigurationError as exc:
                bad.append(ItemUnreadable(ws.id, "*", f"data key does not open: {exc}"))
                continue
            rows = self.s.scalars(select(ItemRow).where(ItemRow.workspace_pk == ws.pk)
                                  .order_by(ItemRow.pk)).all()
            for row in rows:
                try:
                    doc = self._open(ws, row)
                    Classification(row.classification)
                    upgrade_legacy(row.kind, doc["fields"])
                    att = self.s.scalars(select(AttachmentRow).where(
                        AttachmentRow.item_pk == row.pk)).first()
                    if att is not None or doc.get("attachment"):
                        if att is None:
                            raise ItemUnreadable(ws.id, row.id, "its attachment is missing")
                        self._attachment_bytes(ws, row, att, doc.get("attachment"))
                except ItemUnreadable as exc:
                    bad.append(exc)
                except ValueError:
                    bad.append(ItemUnreadable(ws.id, row.id, "unknown kind or classification"))
        return bad

    def has_legacy_items(self) -> bool:
        """Whether any item is in an older format or of an older shape (kinds and fields
        before the paper's framework), so that start-up need not open a write transaction."""
        if self.s.scalar(select(ItemRow.pk).where(
                func.substr(ItemRow.body, 1, 1) != BOUND).limit(1)) is not None:
            return True
        return bool(self._older_shapes(limit=1))

    def _older_shapes(self, limit: int | None = None
                      ) -> list[tuple[ItemRow, WorkspaceRow, ItemKind, dict[str, Any]]]:
        """Bound rows whose kind or fields are of an older shape, with today's."""
        found: list[tuple[ItemRow, WorkspaceRow, ItemKind, dict[str, Any]]] = []
        rows = self.s.execute(
            select(ItemRow, WorkspaceRow).join(WorkspaceRow,
                                               ItemRow.workspace_pk == WorkspaceRow.pk)
            .where(func.substr(ItemRow.body, 1, 1) == BOUND,
                   ItemRow.kind.in_([*LEGACY_KINDS, ItemKind.INCIDENT.value,
                                     ItemKind.COMMITMENT.value]))
            .order_by(ItemRow.pk)).all()
        for row, ws in rows:
            try:
                doc = self._open(ws, row)
                kind, fields = upgrade_legacy(row.kind, doc["fields"])
            except (ItemUnreadable, ValueError):
                continue  # reported by `parley db check`, never rewritten here
            if kind.value != row.kind or fields != doc["fields"]:
                found.append((row, ws, kind, fields))
                if limit is not None and len(found) >= limit:
                    break
        return found

    def upgrade_shapes(self) -> int:
        """Re-seal items of an older kind or shape in today's (a party as an actor, an
        incident of type breach as a breach, a commitment's party as its actor): idempotent,
        and no value lost (see `upgrade_legacy`). Returns how many were rewritten."""
        done = 0
        for row, ws, kind, fields in self._older_shapes():
            doc = self._open(ws, row)
            doc["fields"] = fields
            row.kind = kind.value
            row.body = self._body(ws, row.id, row.version + 1, kind.value,
                                  Classification(row.classification), doc)
            done += 1
        self.s.flush()
        return done

    def reseal_legacy(self) -> tuple[int, list[ItemUnreadable]]:
        """Re-seal items written before row binding (format 0x00 plain / 0x01 sealed), then
        items of an older kind or shape (`upgrade_shapes`).

        Accepted once, here, and only in the shape the old code wrote: a sealed body that opens
        under its old associated data, or a plain body on a public row. A plain body on a
        restricted or secret row was never written by Parley, so it is refused (reported, left
        as is, and unreadable). Idempotent: bound rows are skipped. Returns (re-sealed, refused).
        """
        done = 0
        refused: list[ItemUnreadable] = []
        rows = self.s.execute(
            select(ItemRow, WorkspaceRow).join(WorkspaceRow,
                                               ItemRow.workspace_pk == WorkspaceRow.pk)
            .where(func.substr(ItemRow.body, 1, 1) != BOUND).order_by(ItemRow.pk)).all()
        for row, ws in rows:
            try:
                classification = Classification(row.classification)
                if row.body[:1] == PLAIN and not classification.encrypted:
                    doc = json.loads(row.body[1:])
                elif row.body[:1] == LEGACY and classification.encrypted:
                    doc = json.loads(unseal(self._data_key(ws), row.body,
                                            f"item|{ws.id}|{row.id}"))
                else:
                    raise ItemUnreadable(ws.id, row.id, "a legacy body whose format does not "
                                         "match its classification (forged); left unreadable")
                att = self.s.scalars(select(AttachmentRow).where(
                    AttachmentRow.item_pk == row.pk)).first()
                content: bytes | None = None
                if att is not None and att.content[:1] != BOUND:
                    if att.content[:1] == PLAIN and not classification.encrypted:
                        content = att.content[1:]
                    elif att.content[:1] == LEGACY and classification.encrypted:
                        content = unseal(self._data_key(ws), att.content,
                                         f"attachment|{ws.id}|{row.id}")
                    else:
                        raise ItemUnreadable(ws.id, row.id, "a legacy attachment whose format "
                                             "does not match its classification (forged)")
            except KeyUnavailable:
                raise  # the installation's ring, not the row: nothing is marked refused
            except ConfigurationError as exc:
                refused.append(exc if isinstance(exc, ItemUnreadable)
                               else ItemUnreadable(ws.id, row.id, str(exc)))
                continue
            except ValueError:
                refused.append(ItemUnreadable(ws.id, row.id, "a legacy body that is not JSON"))
                continue
            if att is not None and content is not None:
                att.content = self._seal_attachment(ws, row.id, classification, content)
            row.body = self._body(ws, row.id, row.version + 1, row.kind, classification, doc)
            done += 1
        self.s.flush()
        return done + self.upgrade_shapes(), refused
