"""Workspace use cases. Each one: permission (`is_allowed`) -> domain -> audit -> commit.

Non-members are told a workspace does not exist (NotFound), so ids cannot be probed; members
whose role or clearance does not permit an action get Forbidden. Items above a member's
clearance are never decrypted for them and never listed. Every read that returns secret
material appends `secret.read` naming the items.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from parley.domain.access import Action, Classification, Role, is_allowed, visible
from parley.domain.account import Principal
from parley.domain.anonymise import Pseudonymiser
from parley.domain.audit import (
    AuditEntry,
    ItemCreated,
    ItemDeleted,
    ItemUpdated,
    MemberAdded,
    MemberRemoved,
    SecretRead,
    WorkspaceCreated,
    WorkspaceDeleted,
    WorkspaceExported,
    WorkspaceUpdated,
)
from parley.domain.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Problem,
    TooLarge,
    ValidationFailed,
)
from parley.domain.workspace import (
    DOCUMENT_TYPES,
    KINDS,
    Attachment,
    FieldType,
    Item,
    ItemFilter,
    ItemKind,
    Member,
    Workspace,
    personal_names,
    validate_description,
    validate_fields,
    validate_workspace_name,
)
from parley.services.ports import VaultStore, VaultTx

MAGIC: Mapping[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")


@dataclass(frozen=True)
class WorkspaceView:
    workspace: Workspace
    role: Role
    members: tuple[Member, ...]


def safe_filename(name: str) -> str:
    """The last path component, with anything but letters, digits, '._ -' replaced."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip().lstrip(".")
    cleaned = SAFE_NAME.sub("_", base)[:120]
    return cleaned or "upload"


class Workspaces:
    """Confidential negotiation workspaces and their items."""

    def __init__(self, vault: VaultStore, max_upload_bytes: int) -> None:
        self.vault = vault
        self.max_upload_bytes = max_upload_bytes

    # -- the one permission check ------------------------------------------------------------

    def role(self, actor: Principal, workspace_id: str) -> Role | None:
        """The actor's role in the workspace (the operator at the CLI acts as owner)."""
        if actor.system:
            with self.vault.read() as tx:
                if not tx.workspaces.workspace_exists(workspace_id):
                    raise NotFound(f"no workspace '{workspace_id}'")
            return Role.OWNER
        with self.vault.read() as tx:
            return tx.workspaces.role_of(actor.name, workspace_id)

    def authorise(self, actor: Principal, workspace_id: str, action: Action,
                  classification: Classification = Classification.PUBLIC) -> Role:
        """Raise NotFound for non-members and Forbidden when the role does not permit it."""
        role = self.role(actor, workspace_id)
        if role is None:
            raise NotFound(f"no workspace '{workspace_id}'")
        if not is_allowed(role, action, classification, actor.scope):
            raise Forbidden(f"your role ({role.value}) does not permit {action.value} on "
                            f"{classification.value} content" + (
                                "" if not action.writes or actor.scope.value == "write"
                                else " with a read-only token"))
        return role

    def authorise_item(self, actor: Principal, workspace_id: str, item_id: str,
                       action: Action) -> Role:
        """Check `action` on an existing item, at that item's classification."""
        self.authorise(actor, workspace_id, Action.WORKSPACE_READ)
        with self.vault.read() as tx:
            classification = tx.workspaces.item_classification(workspace_id, item_id)
        if classification is None:
            raise NotFound(f"no item '{item_id}' in workspace '{workspace_id}'")
        return self.authorise(actor, workspace_id, action, classification)

    # -- workspaces --------------------------------------------------------------------------

    def create(self, actor: Principal, name: str, description: str = "",
               owner: str | None = None) -> Workspace:
        """Create a workspace; `owner` (default: the actor) becomes its owner."""
        if not actor.system and not is_allowed(None, Action.WORKSPACE_CREATE, scope=actor.scope):
            raise Forbidden("a read-only token cannot create workspaces")
        owner = owner or actor.name
        if owner != actor.name and not actor.is_admin:
            raise Forbidden("only an administrator can create a workspace for someone else")
        clean_name = validate_workspace_name(name)
        clean_description = validate_description(description)
        with self.vault.write() as tx:
            ws = tx.workspaces.add_workspace(clean_name, clean_description, owner)
            tx.audit.append(actor.name, WorkspaceCreated(ws.id, owner=owner))
            tx.audit.append(actor.name, MemberAdded(ws.id, user=owner, role=Role.OWNER.value))
        return ws

    def mine(self, actor: Principal) -> list[tuple[Workspace, Role]]:
        with self.vault.read() as tx:
            return tx.workspaces.workspaces_of(actor.name)

    def get(self, actor: Principal, workspace_id: str) -> WorkspaceView:
        role = self.authorise(actor, workspace_id, Action.WORKSPACE_READ)
        with self.vault.read() as tx:
            return WorkspaceView(tx.workspaces.get_workspace(workspace_id), role,
                                 tuple(tx.workspaces.members(workspace_id)))

    def update(self, actor: Principal, workspace_id: str, name: str, description: str,
               expected_version: int) -> Workspace:
        self.authorise(actor, workspace_id, Action.WORKSPACE_UPDATE)
        clean_name = validate_workspace_name(name)
        clean_description = validate_description(description)
        with self.vault.write() as tx:
            ws = tx.workspaces.update_workspace(workspace_id, clean_name, clean_description,
                                     expected_version)
            tx.audit.append(actor.name, WorkspaceUpdated(workspace_id, version=ws.version))
        return ws

    def delete(self, actor: Principal, workspace_id: str, expected_version: int) -> None:
        self.authorise(actor, workspace_id, Action.WORKSPACE_DELETE)
        with self.vault.write() as tx:
            tx.workspaces.delete_workspace(workspace_id, expected_version)
            tx.audit.append(actor.name, WorkspaceDeleted(workspace_id))

    def set_member(self, actor: Principal, workspace_id: str, user: str, role: Role) -> None:
        """Invite a user with a role, or change a member's role."""
        self.authorise(actor, workspace_id, Action.MEMBERS_MANAGE)
        with self.vault.write() as tx:
            members = tx.workspaces.members(workspace_id)
            owners = [m.user for m in members if m.role is Role.OWNER]
            if owners == [user] and role is not Role.OWNER:
                raise Conflict("a workspace keeps at least one owner; add another owner first")
            tx.workspaces.set_member(workspace_id, user, role)
            tx.audit.append(actor.name, MemberAdded(workspace_id, user=user, role=role.value))

    def remove_member(self, actor: Principal, workspace_id: str, user: str) -> None:
        self.authorise(actor, workspace_id, Action.MEMBERS_MANAGE)
        with self.vault.write() as tx:
            owners = [m.user for m in tx.workspaces.members(workspace_id) if m.role is Role.OWNER]
            if owners == [user]:
                raise Conflict("a workspace keeps at least one owner; add another owner first")
            tx.workspaces.remove_member(workspace_id, user)
            tx.audit.append(actor.name, MemberRemoved(workspace_id, user=user))

    # -- items -------------------------------------------------------------------------------

    def _audit_secret_reads(self, actor: Principal, workspace_id: str, items: Sequence[Item],
                            purpose: str) -> None:
        secret = tuple(i.id for i in items if i.classification is Classification.SECRET)
        if secret:
            with self.vault.write() as tx:
                tx.audit.append(actor.name, SecretRead(workspace_id, items=secret, purpose=purpose))

    def items(self, actor: Principal, workspace_id: str,
              where: ItemFilter | None = None) -> list[Item]:
        """The items the actor may see, filtered; secret ones returned are audited."""
        role = self.authorise(actor, workspace_id, Action.ITEM_READ)
        allowed = [c for c in Classification if visible(role, c)]
        with self.vault.read() as tx:
            found = tx.workspaces.items(workspace_id, allowed)
        if where is not None:
            found = [i for i in found if where.matches(i)]
        self._audit_secret_reads(actor, workspace_id, found, "list")
        return found

    def item(self, actor: Principal, workspace_id: str, item_id: str) -> Item:
        self.authorise_item(actor, workspace_id, item_id, Action.ITEM_READ)
        with self.vault.read() as tx:
            found = tx.workspaces.get_item(workspace_id, item_id)
        self._audit_secret_reads(actor, workspace_id, [found], "view")
        return found

    def _check_refs(self, tx: VaultTx, workspace_id: str, kind: ItemKind,
                    fields: Mapping[str, Any], self_id: str | None = None) -> None:
        problems = []
        for spec in KINDS[kind]:
            ref = fields.get(spec.name)
            if spec.type is not FieldType.REF or not ref:
                continue
            if ref == self_id or tx.workspaces.item_classification(workspace_id, str(ref)) is None:
                problems.append(Problem(f"no item '{ref}' in this workspace", field=spec.name))
        if problems:
            raise ValidationFailed(problems)

    def create_item(self, actor: Principal, workspace_id: str, kind: ItemKind,
                    classification: Classification, raw: Mapping[str, Any]) -> Item:
        self.authorise(actor, workspace_id, Action.ITEM_CREATE, classification)
        if kind is ItemKind.DOCUMENT:
            raise ValidationFailed([Problem("documents are created by uploading a file",
                                            field="kind")])
        fields = validate_fields(kind, raw)
        with self.vault.write() as tx:
            self._check_refs(tx, workspace_id, kind, fields)
            item = tx.workspaces.add_item(workspace_id, kind, classification, fields, actor.name)
            tx.audit.append(actor.name, ItemCreated(workspace_id, item=item.id, kind=kind.value,
                                              classification=classification.value))
        return item

    def upload_document(self, actor: Principal, workspace_id: str,
                        classification: Classification, raw: Mapping[str, Any],
                        filename: str, content_type: str, data: bytes) -> Item:
        """Store an uploaded file as a document item (size, type and content checked)."""
        self.authorise(actor, workspace_id, Action.ITEM_CREATE, classification)
        fields = validate_fields(ItemKind.DOCUMENT, raw)
        if len(data) > self.max_upload_bytes:
            raise TooLarge(f"file: larger than the limit of {self.max_upload_bytes} bytes")
        if not data:
            raise ValidationFailed([Problem("is empty", field="file")])
        ctype = content_type.split(";")[0].strip().lower()
        if ctype not in DOCUMENT_TYPES:
            raise ValidationFailed([Problem(
                f"type '{ctype[:80]}' is not accepted; allowed: {', '.join(DOCUMENT_TYPES)}",
                field="file")])
        magic = MAGIC.get(ctype)
        if magic and not data.startswith(magic):
            raise ValidationFailed([Problem(f"content is not {ctype}", field="file")])
        if ctype.startswith("text/"):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationFailed([Problem("text files must be UTF-8", field="file")]
                                       ) from None
        name = safe_filename(filename)
        if not name.lower().endswith(DOCUMENT_TYPES[ctype]):
            name += DOCUMENT_TYPES[ctype]
        meta = Attachment(name, ctype, len(data), hashlib.sha256(data).hexdigest())
        with self.vault.write() as tx:
            item = tx.workspaces.add_item(workspace_id, ItemKind.DOCUMENT, classification, fields,
                               actor.name, (meta, data))
            tx.audit.append(actor.name, ItemCreated(workspace_id, item=item.id, kind="document",
                                              classification=classification.value))
        return item

    def update_item(self, actor: Principal, workspace_id: str, item_id: str,
                    classification: Classification, raw: Mapping[str, Any],
                    expected_version: int) -> Item:
        """Replace an item's fields (and classification) if nobody changed it meanwhile."""
        self.authorise_item(actor, workspace_id, item_id, Action.ITEM_UPDATE)
        self.authorise(actor, workspace_id, Action.ITEM_UPDATE, classification)
        with self.vault.read() as tx:
            kind = tx.workspaces.get_item(workspace_id, item_id).kind
        fields = validate_fields(kind, raw)
        with self.vault.write() as tx:
            self._check_refs(tx, workspace_id, kind, fields, item_id)
            before = tx.workspaces.get_item(workspace_id, item_id)
            item = tx.workspaces.update_item(workspace_id, item_id, classification, fields,
                                  expected_version)
            changed = tuple(sorted(k for k in fields if before.fields.get(k) != fields[k]))
            if before.classification is not classification:
                changed = (*changed, "classification")
            tx.audit.append(actor.name, ItemUpdated(workspace_id, item=item_id, kind=kind.value,
                                              classification=classification.value,
                                              version=item.version, changed=changed))
        return item

    def delete_item(self, actor: Principal, workspace_id: str, item_id: str,
                    expected_version: int) -> None:
        self.authorise_item(actor, workspace_id, item_id, Action.ITEM_DELETE)
        with self.vault.write() as tx:
            kind = tx.workspaces.get_item(workspace_id, item_id).kind
            tx.workspaces.delete_item(workspace_id, item_id, expected_version)
            tx.audit.append(actor.name, ItemDeleted(workspace_id, item=item_id, kind=kind.value))

    def attachment(self, actor: Principal, workspace_id: str, item_id: str
                   ) -> tuple[Attachment, bytes]:
        self.authorise_item(actor, workspace_id, item_id, Action.ITEM_READ)
        with self.vault.read() as tx:
            item = tx.workspaces.get_item(workspace_id, item_id)
            data = tx.workspaces.attachment(workspace_id, item_id)
        if item.attachment is None:
            raise NotFound(f"item '{item_id}' has no attachment")
        self._audit_secret_reads(actor, workspace_id, [item], "download")
        return item.attachment, data

    # -- audit and export --------------------------------------------------------------------

    def audit_log(self, actor: Principal, workspace_id: str, limit: int = 500
                  ) -> list[AuditEntry]:
        """The workspace's own audit entries, newest last (owners only)."""
        self.authorise(actor, workspace_id, Action.AUDIT_READ)
        with self.vault.read() as tx:
            return tx.audit.audit_entries(workspace_id, limit=limit)

    def export(self, actor: Principal, workspace_id: str, *, anonymise: bool = False
               ) -> dict[str, Any]:
        """The workspace as JSON-ready data: what the actor may see; personal names replaced
        by stable pseudonyms when `anonymise`."""
        role = self.authorise(actor, workspace_id, Action.WORKSPACE_EXPORT)
        allowed = [c for c in Classification if visible(role, c)]
        with self.vault.read() as tx:
            ws = tx.workspaces.get_workspace(workspace_id)
            members = tx.workspaces.members(workspace_id)
            items = tx.workspaces.items(workspace_id, allowed)
            secret = tx.workspaces.pseudonym_secret(workspace_id) if anonymise else b""
        doc: dict[str, Any] = {
            "format": "parley-workspace/1",
            "workspace": {"id": ws.id, "name": ws.name, "description": ws.description,
                          "created_at": ws.created_at.isoformat()},
            "anonymised": anonymise,
            "members": [{"user": m.user, "role": m.role.value} for m in members],
            "items": [{
                "id": i.id, "kind": i.kind.value, "classification": i.classification.value,
                "version": i.version, "created_by": i.created_by,
                "created_at": i.created_at.isoformat(), "updated_at": i.updated_at.isoformat(),
                "fields": dict(i.fields),
                **({"attachment": {"filename": i.attachment.filename,
                                   "content_type": i.attachment.content_type,
                                   "size": i.attachment.size,
                                   "sha256": i.attachment.sha256}} if i.attachment else {}),
            } for i in items],
        }
        if anonymise:
            names = personal_names(items) | {m.user for m in members} | {
                i.created_by for i in items}
            _pseudonymise(doc, Pseudonymiser(names, secret))
        with self.vault.write() as tx:
            tx.audit.append(actor.name, WorkspaceExported(workspace_id, anonymised=anonymise,
                                                    items=len(items)))
        self._audit_secret_reads(actor, workspace_id, items, "export")
        return doc


def _pseudonymise(doc: dict[str, Any], p: Pseudonymiser) -> None:
    """Replace names in free text and in the user fields only; ids, codes and dates stay."""
    ws = doc["workspace"]
    ws["name"], ws["description"] = p.text(ws["name"]), p.text(ws["description"])
    for member in doc["members"]:
        member["user"] = p.text(member["user"])
    for item in doc["items"]:
        item["created_by"] = p.text(item["created_by"])
        free = {s.name for s in KINDS[ItemKind(item["kind"])]
                if s.type in (FieldType.LINE, FieldType.TEXT, FieldType.NAMES)}
        item["fields"] = {k: p.apply(v) if k in free else v for k, v in item["fields"].items()}
