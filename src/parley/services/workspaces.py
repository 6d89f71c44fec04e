"""Workspace use cases. Each one: permission (`is_allowed`) -> domain -> audit -> commit.

Non-members are told a workspace does not exist (NotFound), so ids cannot be probed; members
whose role or clearance does not permit an action get Forbidden, except for items above their
clearance, which are answered like missing ones (NotFound): never decrypted for them, never
listed, their existence not told. Every read that returns secret material appends ONE
`secret.read` naming the items (a list is one entry), in the transaction that reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from parley.domain import item_logs
from parley.domain.access import Action, Classification, Role, is_allowed, visible
from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import (
    AuditEntry,
    AuditLogRead,
    ItemCreated,
    ItemDeleted,
    ItemsResealed,
    ItemUpdated,
    MemberAdded,
    MemberRemoved,
    RevocationDecided,
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
    ValidationFailed,
)
from parley.domain.workspace import (
    KINDS,
    RULES,
    Attachment,
    FieldType,
    Item,
    ItemFilter,
    ItemKind,
    ItemListing,
    ItemUnreadable,
    Member,
    Workspace,
    validate_description,
    validate_fields,
    validate_workspace_name,
)
from parley.interchange.workspace_files import check_upload, workspace_document
from parley.interchange.workspace_files import item_document as item_document
from parley.services.ports import VaultStore, VaultTx


@dataclass(frozen=True)
class WorkspaceView:
    workspace: Workspace
    role: Role
    members: tuple[Member, ...]


class Workspaces:
    """Confidential negotiation workspaces and their items.

    One unit of work per use case: every write opens ONE transaction, locks the workspace
    (`lock_workspace`: SQLite's `BEGIN IMMEDIATE` already serialises writers; PostgreSQL takes
    `SELECT ... FOR UPDATE` on the workspace row), then reads the actor's role, checks it, checks
    the workspace's rules (at least one owner), writes and appends the audit entry. So a member
    removed or demoted by a transaction that commits first is refused, and two owners demoting
    each other cannot both succeed. Reads that are audited (secret content, exports, the audit
    log) read and append in one transaction too.

    Editing rule: an item's fields that the editor cannot see (links to items above the
    editor's clearance, shown to them as blank) are kept as they are when the editor leaves
    them blank; they are never overwritten by a blank.
    """

    def __init__(self, vault: VaultStore, max_upload_bytes: int) -> None:
        self.vault = vault
        self.max_upload_bytes = max_upload_bytes

    # -- the one permission check ------------------------------------------------------------

    @staticmethod
    def _role_in(tx: VaultTx, actor: Principal, workspace_id: str, *, lock: bool) -> Role:
        """The actor's role, inside `tx` (the operator at the CLI acts as owner); NotFound for
        non-members. With `lock`, the workspace is locked for the rest of the transaction."""
        if lock:
            tx.workspaces.lock_workspace(workspace_id)
        if actor.system:
            if not lock and not tx.workspaces.workspace_exists(workspace_id):
                raise NotFound(f"no workspace '{workspace_id}'")
            return Role.OWNER
        role = tx.workspaces.role_of(actor.name, workspace_id)
        if role is None:
            raise NotFound(f"no workspace '{workspace_id}'")
        return role

    @staticmethod
    def _check(actor: Principal, role: Role, action: Action,
               classification: Classification = Classification.PUBLIC) -> None:
        if not is_allowed(role, action, classification, actor.scope):
            raise Forbidden(f"your role ({role.value}) does not permit {action.value} on "
                            f"{classification.value} content" + (
                                "" if not action.writes or actor.scope.value == "write"
                                else " with a read-only token"))

    @staticmethod
    def _check_item(tx: VaultTx, actor: Principal, role: Role, workspace_id: str,
                    item_id: str, action: Action) -> Classification:
        """Check `action` on an existing item at its classification. An item above the
        actor's clearance is answered like a missing one (404), so its existence is not told."""
        classification = tx.workspaces.item_classification(workspace_id, item_id)
        if classification is None or not visible(role, classification):
            raise NotFound(f"no item '{item_id}' in workspace '{workspace_id}'")
        Workspaces._check(actor, role, action, classification)
        return classification

    @contextmanager
    def _writing(self, actor: Principal, workspace_id: str, action: Action,
                 classification: Classification = Classification.PUBLIC
                 ) -> Iterator[tuple[VaultTx, Role]]:
        """A write transaction of the workspace, locked, with the actor authorised in it."""
        with self.vault.write() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=True)
            self._check(actor, role, action, classification)
            yield tx, role

    def role(self, actor: Principal, workspace_id: str) -> Role | None:
        """The actor's role in the workspace (the operator at the CLI acts as owner)."""
        with self.vault.read() as tx:
            try:
                return self._role_in(tx, actor, workspace_id, lock=False)
            except NotFound:
                if actor.system:
                    raise
                return None

    def authorise(self, actor: Principal, workspace_id: str, action: Action,
                  classification: Classification = Classification.PUBLIC) -> Role:
        """Raise NotFound for non-members and Forbidden when the role does not permit it.

        A pre-check for the web guard; every use case checks again inside its transaction."""
        with self.vault.read() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=False)
        self._check(actor, role, action, classification)
        return role

    def authorise_item(self, actor: Principal, workspace_id: str, item_id: str,
                       action: Action) -> Role:
        """Check `action` on an existing item, at that item's classification (404 above the
        actor's clearance)."""
        with self.vault.read() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=False)
            self._check(actor, role, Action.WORKSPACE_READ)
            self._check_item(tx, actor, role, workspace_id, item_id, action)
        return role

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
        with self.vault.read() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=False)
            self._check(actor, role, Action.WORKSPACE_READ)
            return WorkspaceView(tx.workspaces.get_workspace(workspace_id), role,
                                 tuple(tx.workspaces.members(workspace_id)))

    def update(self, actor: Principal, workspace_id: str, name: str, description: str,
               expected_version: int) -> Workspace:
        clean_name = validate_workspace_name(name)
        clean_description = validate_description(description)
        with self._writing(actor, workspace_id, Action.WORKSPACE_UPDATE) as (tx, _):
            ws = tx.workspaces.update_workspace(workspace_id, clean_name, clean_description,
                                                expected_version)
            tx.audit.append(actor.name, WorkspaceUpdated(workspace_id, version=ws.version))
        return ws

    def delete(self, actor: Principal, workspace_id: str, expected_version: int) -> None:
        with self._writing(actor, workspace_id, Action.WORKSPACE_DELETE) as (tx, _):
            tx.workspaces.delete_workspace(workspace_id, expected_version)
            tx.audit.append(actor.name, WorkspaceDeleted(workspace_id))

    def set_member(self, actor: Principal, workspace_id: str, user: str, role: Role) -> None:
        """Invite a user with a role, or change a member's role."""
        with self._writing(actor, workspace_id, Action.MEMBERS_MANAGE) as (tx, _):
            members = tx.workspaces.members(workspace_id)
            owners = [m.user for m in members if m.role is Role.OWNER]
            if owners == [user] and role is not Role.OWNER:
                raise Conflict("a workspace keeps at least one owner; add another owner first")
            tx.workspaces.set_member(workspace_id, user, role)
            tx.audit.append(actor.name, MemberAdded(workspace_id, user=user, role=role.value))

    def remove_member(self, actor: Principal, workspace_id: str, user: str) -> None:
        with self._writing(actor, workspace_id, Action.MEMBERS_MANAGE) as (tx, _):
            owners = [m.user for m in tx.workspaces.members(workspace_id) if m.role is Role.OWNER]
            if owners == [user]:
                raise Conflict("a workspace keeps at least one owner; add another owner first")
            tx.workspaces.remove_member(workspace_id, user)
            tx.audit.append(actor.name, MemberRemoved(workspace_id, user=user))

    # -- items -------------------------------------------------------------------------------

    @staticmethod
    def _hidden_refs(tx: VaultTx, workspace_id: str, role: Role) -> set[str]:
        """Ids of the workspace's items `role` may not see (links to them are shown blank)."""
        if visible(role, Classification.SECRET):
            return set()
        return {i for i, c in tx.workspaces.classifications(workspace_id).items()
                if not visible(role, c)}

    @staticmethod
    def _redact(item: Item, hidden: set[str]) -> Item:
        """The item as its reader may see it: links to items above their clearance blank."""
        refs = [s.name for s in KINDS[item.kind] if s.type is FieldType.REF]
        if not any(item.fields.get(r) in hidden for r in refs):
            return item
        fields = {k: (None if k in refs and v in hidden else v) for k, v in item.fields.items()}
        return replace(item, fields=fields)

    def listing(self, actor: Principal, workspace_id: str,
                where: ItemFilter | None = None, purpose: str = "list") -> ItemListing:
        """The items the actor may see, filtered, and the ids of those that fail their
        integrity check (left out). Secret items shown are audited in ONE entry."""
        with self.vault.read() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=False)
            self._check(actor, role, Action.ITEM_READ)
        audited = visible(role, Classification.SECRET)
        with (self.vault.write() if audited else self.vault.read()) as tx:
            role = self._role_in(tx, actor, workspace_id, lock=audited)
            self._check(actor, role, Action.ITEM_READ)
            allowed = [c for c in Classification if visible(role, c)]
            found = tx.workspaces.items(workspace_id, allowed)
            hidden = self._hidden_refs(tx, workspace_id, role)
            items = [self._redact(i, hidden) for i in found.items
                     if where is None or where.matches(i)]
            secret = tuple(i.id for i in items if i.classification is Classification.SECRET)
            if audited and secret:
                tx.audit.append(actor.name, SecretRead(workspace_id, items=secret,
                                                       purpose=purpose))
        return ItemListing(tuple(items), found.unreadable)

    def items(self, actor: Principal, workspace_id: str,
              where: ItemFilter | None = None) -> list[Item]:
        """The items the actor may see, filtered (see `listing`)."""
        return list(self.listing(actor, workspace_id, where).items)

    def item(self, actor: Principal, workspace_id: str, item_id: str) -> Item:
        """One item; reading a secret one is audited in the same transaction."""
        with self.vault.write() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=True)
            classification = self._check_item(tx, actor, role, workspace_id, item_id,
                                              Action.ITEM_READ)
            found = tx.workspaces.get_item(workspace_id, item_id)
            if classification is Classification.SECRET:
                tx.audit.append(actor.name, SecretRead(workspace_id, items=(item_id,),
                                                       purpose="view"))
            hidden = self._hidden_refs(tx, workspace_id, role)
        return self._redact(found, hidden)

    def _check_refs(self, tx: VaultTx, workspace_id: str, role: Role, kind: ItemKind,
                    fields: Mapping[str, Any], self_id: str | None = None,
                    kept: Mapping[str, Any] | None = None) -> None:
        """Every link names an item of this workspace the editor may see (a link kept as it
        was, unseen, is not re-checked); an unseen item is answered like a missing one."""
        problems = []
        for spec in KINDS[kind]:
            ref = fields.get(spec.name)
            if spec.type is not FieldType.REF or not ref:
                continue
            if kept is not None and kept.get(spec.name) == ref:
                continue
            c = tx.workspaces.item_classification(workspace_id, str(ref))
            if ref == self_id or c is None or not visible(role, c):
                problems.append(Problem(f"no item '{ref}' in this workspace", field=spec.name))
                continue
            wanted = spec.refers_to
            found = tx.workspaces.item_kind(workspace_id, str(ref))
            if wanted is not None and found != wanted.value:
                problems.append(Problem(f"'{ref}' is {_a(found)}, not {_a(wanted.value)}: a "
                                        f"{spec.name} must be {_a(wanted.value)} of this "
                                        "workspace", field=spec.name))
        problems += self._check_deadline(tx, workspace_id, role, kind, fields)
        if kind is ItemKind.RELATIONSHIP and fields.get("source") and \
                fields.get("source") == fields.get("target"):
            problems.append(Problem("a relationship joins two different actors, not an actor "
                                    "to itself", field="target"))
        if problems:
            raise ValidationFailed(problems)

    @staticmethod
    def _check_deadline(tx: VaultTx, workspace_id: str, role: Role, kind: ItemKind,
                        fields: Mapping[str, Any]) -> list[Problem]:
        """A commitment falls due on or after the workspace's agreement date (the process
        design's), when the editor may see the design; a design above their clearance is not
        consulted, so its date is never told."""
        deadline = fields.get("deadline")
        if kind is not ItemKind.COMMITMENT or not deadline:
            return []
        allowed = [c for c in Classification if visible(role, c)]
        design = next((i for i in tx.workspaces.items(workspace_id, allowed).items
                       if i.kind is ItemKind.PROCESS_DESIGN), None)
        signed = design.fields.get("agreement_date") if design is not None else None
        if signed and str(deadline) < str(signed):
            return [Problem(f"{deadline} is before the workspace's agreement date ({signed}, "
                            "in the process design); allowed: that date or later",
                            field="deadline")]
        return []

    @staticmethod
    def _check_written_here(kind: ItemKind, managed: bool, editing: bool = False) -> None:
        """Documents are uploaded (then edited like any item); the living assessment's items
        are created and edited by it (it checks their values against the codebook)."""
        rules = RULES[kind]
        if rules.written_by and not managed and (not editing or rules.edited_there_too):
            raise ValidationFailed([Problem(f"a {kind.value} is written by "
                                            f"{RULES[kind].written_by}", field="kind")])

    def create_item(self, actor: Principal, workspace_id: str, kind: ItemKind,
                    classification: Classification, raw: Mapping[str, Any], *,
                    managed: bool = False) -> Item:
        """Add an item (`managed`: by the service that owns its kind)."""
        self._check_written_here(kind, managed)
        fields = validate_fields(kind, raw)
        with self._writing(actor, workspace_id, Action.ITEM_CREATE, classification) as (tx, role):
            self._check_refs(tx, workspace_id, role, kind, fields)
            if RULES[kind].single:
                self._check_single(tx, workspace_id, kind)
            fields = item_logs.on_create(kind, fields, actor.name, datetime.now(UTC))
            item = tx.workspaces.add_item(workspace_id, kind, classification, fields, actor.name)
            tx.audit.append(actor.name, ItemCreated(workspace_id, item=item.id, kind=kind.value,
                                                    classification=classification.value))
            self._open_revocation(tx, actor, workspace_id, item)
        return item

    @staticmethod
    def _check_single(tx: VaultTx, workspace_id: str, kind: ItemKind) -> None:
        """A kind held once per workspace (the process design) is edited, not added again.
        Its existence is told even to a member who cannot read it: a design's existence is
        not its content, and a second, divergent design would be worse."""
        found = tx.workspaces.items(workspace_id, list(Classification))
        if any(i.kind is kind for i in found.items) or any(
                tx.workspaces.item_kind(workspace_id, u) == kind.value for u in found.unreadable):
            raise Conflict(f"this workspace already has its {RULES[kind].label.lower()}: "
                           "edit it (its earlier versions are kept) instead of adding another")

    @staticmethod
    def _open_revocation(tx: VaultTx, actor: Principal, workspace_id: str, item: Item) -> None:
        """A breach of a leniency condition's retention terms opens a revocation decision on
        the condition, in the same transaction (audited as an update of the condition)."""
        condition_id = item.fields.get("leniency_condition")
        if item.kind is not ItemKind.BREACH or not condition_id:
            return
        condition = tx.workspaces.get_item(workspace_id, str(condition_id))
        fields = item_logs.open_revocation(condition.fields, item.id, actor.name,
                                           datetime.now(UTC))
        if fields is None:
            return
        updated = tx.workspaces.update_item(workspace_id, condition.id, condition.classification,
                                            fields, condition.version)
        tx.audit.append(actor.name, ItemUpdated(
            workspace_id, item=condition.id, kind=condition.kind.value,
            classification=condition.classification.value, version=updated.version,
            changed=("revocations",)))

    def append_snapshot(self, actor: Principal, workspace_id: str, situation_id: str,
                        snapshot: Mapping[str, Any]) -> Item | None:
        """Append the living assessment's summary to the situation's history (a member who
        may edit it; Forbidden otherwise), unless it equals the last one; audited as an update
        of the history. The snapshot is the caller's, computed at the situation's level."""
        with self._writing(actor, workspace_id, Action.WORKSPACE_READ) as (tx, role):
            self._check_item(tx, actor, role, workspace_id, situation_id, Action.ITEM_UPDATE)
            situation = tx.workspaces.get_item(workspace_id, situation_id)
            if situation.kind is not ItemKind.SITUATION:
                raise NotFound(f"'{situation_id}' is not the workspace's situation")
            fields = item_logs.with_snapshot(situation.fields, snapshot, datetime.now(UTC))
            if fields is None:
                return None
            item = tx.workspaces.update_item(workspace_id, situation_id,
                                             situation.classification, fields,
                                             situation.version)
            tx.audit.append(actor.name, ItemUpdated(
                workspace_id, item=situation_id, kind=situation.kind.value,
                classification=situation.classification.value, version=item.version,
                changed=("history",)))
            hidden = self._hidden_refs(tx, workspace_id, role)
        return self._redact(item, hidden)

    def decide_revocation(self, actor: Principal, workspace_id: str, condition_id: str,
                          breach_id: str, decision: str, reason: str,
                          expected_version: int) -> Item:
        """Revoke or retain a leniency benefit after a breach: decided once, by a role that
        may (owners), with its reason; the decision is kept in the condition and audited."""
        with self._writing(actor, workspace_id, Action.WORKSPACE_READ) as (tx, role):
            classification = self._check_item(tx, actor, role, workspace_id, condition_id,
                                              Action.REVOCATION_DECIDE)
            condition = tx.workspaces.get_item(workspace_id, condition_id)
            if condition.kind is not ItemKind.LENIENCY_CONDITION:
                raise NotFound(f"'{condition_id}' is a {condition.kind.value}, not a "
                               "leniency-condition")
            fields = item_logs.decide_revocation(condition.fields, breach_id, decision, reason,
                                                 actor.name, datetime.now(UTC))
            item = tx.workspaces.update_item(workspace_id, condition_id, classification,
                                             fields, expected_version)
            tx.audit.append(actor.name, RevocationDecided(workspace_id, item=condition_id,
                                                          breach=breach_id, decision=decision))
            hidden = self._hidden_refs(tx, workspace_id, role)
        return self._redact(item, hidden)

    def upload_document(self, actor: Principal, workspace_id: str,
                        classification: Classification, raw: Mapping[str, Any],
                        filename: str, content_type: str, data: bytes) -> Item:
        """Store an uploaded file as a document item (size, type and content checked)."""
        self.authorise(actor, workspace_id, Action.ITEM_CREATE, classification)
        fields = validate_fields(ItemKind.DOCUMENT, raw)
        upload = check_upload(filename, content_type, data, self.max_upload_bytes)
        meta = Attachment(upload.filename, upload.content_type, len(data),
                          hashlib.sha256(data).hexdigest())
        with self._writing(actor, workspace_id, Action.ITEM_CREATE, classification) as (tx, _):
            item = tx.workspaces.add_item(workspace_id, ItemKind.DOCUMENT, classification,
                                          fields, actor.name, (meta, data))
            tx.audit.append(actor.name, ItemCreated(workspace_id, item=item.id, kind="document",
                                                    classification=classification.value))
        return item

    def update_item(self, actor: Principal, workspace_id: str, item_id: str,
                    classification: Classification, raw: Mapping[str, Any],
                    expected_version: int, *, managed: bool = False) -> Item:
        """Replace an item's fields (and classification) if nobody changed it meanwhile.

        Links the editor cannot see (to items above their clearance) are kept when left
        blank: an edit never erases what the editor was not shown."""
        with self._writing(actor, workspace_id, Action.WORKSPACE_READ) as (tx, role):
            self._check_item(tx, actor, role, workspace_id, item_id, Action.ITEM_UPDATE)
            self._check(actor, role, Action.ITEM_UPDATE, classification)
            before = tx.workspaces.get_item(workspace_id, item_id)
            kind = before.kind
            self._check_written_here(kind, managed, editing=True)
            fields = validate_fields(kind, raw)
            hidden = self._hidden_refs(tx, workspace_id, role)
            kept: dict[str, Any] = {}
            for spec in KINDS[kind]:
                old = before.fields.get(spec.name)
                if spec.type is FieldType.REF and old in hidden and not fields.get(spec.name):
                    fields[spec.name] = kept[spec.name] = old
            self._check_refs(tx, workspace_id, role, kind, fields, item_id, kept)
            fields = item_logs.on_update(kind, before.fields, before.version, fields, actor.name,
                                         datetime.now(UTC))
            item = tx.workspaces.update_item(workspace_id, item_id, classification, fields,
                                             expected_version)
            logs = {s.name for s in KINDS[kind] if s.type is FieldType.LOG}  # follow the edit
            changed = tuple(sorted(k for k in fields
                                   if k not in logs and before.fields.get(k) != fields[k]))
            if before.classification is not classification:
                changed = (*changed, "classification")
            tx.audit.append(actor.name, ItemUpdated(workspace_id, item=item_id, kind=kind.value,
                                                    classification=classification.value,
                                                    version=item.version, changed=changed))
            if before.fields.get("leniency_condition") != item.fields.get("leniency_condition"):
                self._open_revocation(tx, actor, workspace_id, item)
        if before.classification is not classification:
            self.vault.scrub()
        return self._redact(item, hidden)

    def delete_item(self, actor: Principal, workspace_id: str, item_id: str,
                    expected_version: int) -> None:
        with self._writing(actor, workspace_id, Action.WORKSPACE_READ) as (tx, role):
            self._check_item(tx, actor, role, workspace_id, item_id, Action.ITEM_DELETE)
            kind = tx.workspaces.get_item(workspace_id, item_id).kind
            tx.workspaces.delete_item(workspace_id, item_id, expected_version)
            tx.audit.append(actor.name, ItemDeleted(workspace_id, item=item_id, kind=kind.value))

    def attachment(self, actor: Principal, workspace_id: str, item_id: str
                   ) -> tuple[Attachment, bytes]:
        """A document's file; downloading a secret one is audited in the same transaction."""
        with self.vault.write() as tx:
            role = self._role_in(tx, actor, workspace_id, lock=True)
            classification = self._check_item(tx, actor, role, workspace_id, item_id,
                                              Action.ITEM_READ)
            item = tx.workspaces.get_item(workspace_id, item_id)
            if item.attachment is None:
                raise NotFound(f"item '{item_id}' has no attachment")
            data = tx.workspaces.attachment(workspace_id, item_id)
            if classification is Classification.SECRET:
                tx.audit.append(actor.name, SecretRead(workspace_id, items=(item_id,),
                                                       purpose="download"))
        return item.attachment, data

    # -- audit and export --------------------------------------------------------------------

    def audit_log(self, actor: Principal, workspace_id: str, limit: int = 500
                  ) -> list[AuditEntry]:
        """The workspace's own audit entries, newest last (owners only); the read itself is
        recorded as `audit.read` after the entries returned."""
        with self._writing(actor, workspace_id, Action.AUDIT_READ) as (tx, _):
            entries = tx.audit.audit_entries(workspace_id, limit=limit)
            tx.audit.append(actor.name, AuditLogRead(workspace_id))
        return entries

    def export(self, actor: Principal, workspace_id: str, *, anonymise: bool = False
               ) -> dict[str, Any]:
        """The workspace as JSON-ready data: what the actor may see; personal names replaced
        by stable pseudonyms when `anonymise`. Items that fail their integrity check are left
        out and named under `unreadable`. Audited in the transaction that reads."""
        with self._writing(actor, workspace_id, Action.WORKSPACE_EXPORT) as (tx, role):
            allowed = [c for c in Classification if visible(role, c)]
            ws = tx.workspaces.get_workspace(workspace_id)
            members = tx.workspaces.members(workspace_id)
            found = tx.workspaces.items(workspace_id, allowed)
            hidden = self._hidden_refs(tx, workspace_id, role)
            items = [self._redact(i, hidden) for i in found.items]
            secret = tx.workspaces.pseudonym_secret(workspace_id) if anonymise else b""
            tx.audit.append(actor.name, WorkspaceExported(workspace_id, anonymised=anonymise,
                                                          items=len(items)))
            shown = tuple(i.id for i in items if i.classification is Classification.SECRET)
            if shown:
                tx.audit.append(actor.name, SecretRead(workspace_id, items=shown,
                                                       purpose="export"))
        return workspace_document(ws, members, items, found.unreadable,
                                  pseudonyms=secret if anonymise else None)

    # -- integrity ---------------------------------------------------------------------------

    def check(self) -> list[ItemUnreadable]:
        """Every item that fails its integrity check, in every workspace (operator)."""
        with self.vault.read() as tx:
            return tx.workspaces.check_items()

    def reseal_legacy(self) -> tuple[int, list[ItemUnreadable]]:
        """Re-seal items stored before row binding, in one audited transaction (idempotent;
        run at every start-up that holds the key ring, a no-op once done)."""
        with self.vault.read() as tx:
            if not tx.workspaces.has_legacy_items():
                return 0, []
        with self.vault.write() as tx:
            done, refused = tx.workspaces.reseal_legacy()
            if done or refused:
                tx.audit.append(SYSTEM.name, ItemsResealed(
                    items=done, refused=tuple(f"{r.workspace_id}/{r.item_id}" for r in refused)))
        return done, refused


def _a(word: str | None) -> str:
    """The word with its article ("an actor", "a note")."""
    text = str(word)
    return f"{'an' if text[:1] in 'aeiou' else 'a'} {text}"
