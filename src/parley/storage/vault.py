"""The confidential store: accounts, workspaces, sealed items, and the hash-chained audit log.

`Vault.write()` yields a `VaultTransaction` in one serialised database transaction (SQLite
`BEGIN IMMEDIATE`), so a change and its audit entry commit together or not at all. Rows are
translated to the domain's frozen dataclasses here; sealed blobs are opened only here.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from parley.domain.access import Classification, Role, Scope
from parley.domain.account import Principal, TokenInfo, User
from parley.domain.audit import AuditEntry, AuditEvent, make_entry
from parley.domain.errors import Conflict, NotFound
from parley.domain.workspace import Attachment, Item, ItemKind, Member, Workspace
from parley.storage.database import Database
from parley.storage.keys import KeyRing, derive, new_data_key, seal, unseal
from parley.storage.workspace_tables import (
    AttachmentRow,
    AuditRow,
    ItemRow,
    MemberRow,
    SessionRow,
    SetupTokenRow,
    TokenRow,
    UserRow,
    WorkspaceRow,
)

PLAIN = b"\x00"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def new_id() -> str:
    """96 random bits, URL-safe, never starting with '-' or '_' (a CLI would read an option)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if candidate[0].isalnum():
            return candidate


class UserAuth:
    """What a login needs to know about an account."""

    def __init__(self, row: UserRow) -> None:
        self.name = row.name
        self.password_hash = row.password_hash
        self.is_admin = row.is_admin
        self.failed_logins = row.failed_logins
        self.locked_until = _aware(row.locked_until) if row.locked_until else None


class VaultTransaction:
    """Operations inside one transaction; see `Vault.read()` and `Vault.write()`."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.s = session
        self.vault = vault

    # -- accounts ----------------------------------------------------------------------------

    def _user_row(self, name: str) -> UserRow:
        row = self.s.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None:
            raise NotFound(f"no user '{name}'")
        return row

    def count_users(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def add_user(self, name: str, password_hash: str, is_admin: bool) -> User:
        if self.s.scalars(select(UserRow.pk).where(UserRow.name == name)).first() is not None:
            raise Conflict(f"user '{name}' already exists")
        row = UserRow(name=name, password_hash=password_hash, is_admin=is_admin,
                      failed_logins=0, created_at=_now())
        self.s.add(row)
        self.s.flush()
        return User(row.name, row.is_admin, row.created_at)

    def users(self) -> list[User]:
        rows = self.s.scalars(select(UserRow).order_by(UserRow.name)).all()
        return [User(r.name, r.is_admin, _aware(r.created_at)) for r in rows]

    def user_auth(self, name: str) -> UserAuth | None:
        row = self.s.scalars(select(UserRow).where(UserRow.name == name)).first()
        return UserAuth(row) if row else None

    def set_login_state(self, name: str, failures: int, locked_until: datetime | None) -> None:
        row = self._user_row(name)
        row.failed_logins = failures
        row.locked_until = locked_until

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self._user_row(name).password_hash = password_hash

    def add_token(self, user: str, digest: str, scope: Scope, label: str) -> TokenInfo:
        row = TokenRow(id=secrets.token_hex(8), user_pk=self._user_row(user).pk, digest=digest,
                       scope=scope.value, label=label, created_at=_now())
        self.s.add(row)
        self.s.flush()
        return TokenInfo(row.id, user, label, scope, row.created_at, False)

    def tokens(self, user: str) -> list[TokenInfo]:
        rows = self.s.scalars(select(TokenRow).where(TokenRow.user_pk == self._user_row(user).pk)
                              .order_by(TokenRow.pk)).all()
        return [TokenInfo(r.id, user, r.label, Scope(r.scope), _aware(r.created_at),
                          r.revoked_at is not None) for r in rows]

    def revoke_token(self, user: str, token_id: str) -> None:
        row = self.s.scalars(select(TokenRow).where(
            TokenRow.id == token_id, TokenRow.user_pk == self._user_row(user).pk)).first()
        if row is None:
            raise NotFound(f"no token '{token_id}' of user '{user}'")
        if row.revoked_at is None:
            row.revoked_at = _now()

    def token_principal(self, digest: str) -> Principal | None:
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, TokenRow.scope)
            .join(TokenRow, TokenRow.user_pk == UserRow.pk)
            .where(TokenRow.digest == digest, TokenRow.revoked_at.is_(None))).first()
        return Principal(found[0], found[1], Scope(found[2])) if found else None

    def add_session(self, user: str, digest: str, expires_at: datetime) -> None:
        self.s.add(SessionRow(digest=digest, user_pk=self._user_row(user).pk,
                              created_at=_now(), expires_at=expires_at))

    def session_principal(self, digest: str, now: datetime) -> Principal | None:
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, SessionRow.expires_at)
            .join(SessionRow, SessionRow.user_pk == UserRow.pk)
            .where(SessionRow.digest == digest)).first()
        if found is None or _aware(found[2]) <= now:
            return None
        return Principal(found[0], found[1])

    def end_session(self, digest: str) -> None:
        self.s.execute(delete(SessionRow).where(SessionRow.digest == digest))

    def add_setup_token(self, digest: str, expires_at: datetime) -> None:
        self.s.add(SetupTokenRow(digest=digest, expires_at=expires_at))

    def consume_setup_token(self, digest: str, now: datetime) -> bool:
        row = self.s.scalars(select(SetupTokenRow).where(SetupTokenRow.digest == digest)).first()
        if row is None:
            return False
        self.s.delete(row)
        return _aware(row.expires_at) > now

    def setup_token_valid(self, digest: str, now: datetime) -> bool:
        expires = self.s.scalar(select(SetupTokenRow.expires_at)
                                .where(SetupTokenRow.digest == digest))
        return expires is not None and _aware(expires) > now

    def clear_setup_tokens(self) -> None:
        self.s.execute(delete(SetupTokenRow))

    # -- workspaces --------------------------------------------------------------------------

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
                         _aware(row.created_at))

    def add_workspace(self, name: str, description: str, owner: str) -> Workspace:
        ws_id = new_id()
        data_key = new_data_key()
        wrapped, version = self.vault.keyring().wrap(data_key, ws_id)
        sealed = seal(data_key, json.dumps({"name": name, "description": description}).encode(),
                      f"workspace|{ws_id}")
        row = WorkspaceRow(id=ws_id, sealed=sealed, data_key=wrapped, key_version=version,
                           created_at=_now(), updated_at=_now())
        self.s.add(row)
        self.s.flush()
        self.s.add(MemberRow(workspace_pk=row.pk, user_pk=self._user_row(owner).pk,
                             role=Role.OWNER.value))
        self.s.flush()
        return self._workspace(row)

    def get_workspace(self, workspace_id: str) -> Workspace:
        return self._workspace(self._ws_row(workspace_id))

    def update_workspace(self, workspace_id: str, name: str, description: str,
                         expected_version: int) -> Workspace:
        row = self._ws_row(workspace_id)
        _check_version("workspace", workspace_id, row.version, expected_version)
        row.sealed = seal(self._data_key(row),
                          json.dumps({"name": name, "description": description}).encode(),
                          f"workspace|{row.id}")
        self.s.flush()
        return self._workspace(row)

    def delete_workspace(self, workspace_id: str, expected_version: int) -> None:
        row = self._ws_row(workspace_id)
        _check_version("workspace", workspace_id, row.version, expected_version)
        self.s.delete(row)
        self.s.flush()

    def workspaces_of(self, user: str) -> list[tuple[Workspace, Role]]:
        rows = self.s.execute(
            select(WorkspaceRow, MemberRow.role)
            .join(MemberRow, MemberRow.workspace_pk == WorkspaceRow.pk)
            .where(MemberRow.user_pk == self._user_row(user).pk)
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
        ws, u = self._ws_row(workspace_id), self._user_row(user)
        row = self.s.scalars(select(MemberRow).where(MemberRow.workspace_pk == ws.pk,
                                                     MemberRow.user_pk == u.pk)).first()
        if row is None:
            self.s.add(MemberRow(workspace_pk=ws.pk, user_pk=u.pk, role=role.value))
        else:
            row.role = role.value
        self.s.flush()

    def remove_member(self, workspace_id: str, user: str) -> None:
        ws, u = self._ws_row(workspace_id), self._user_row(user)
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
                    doc["fields"], row.version, row.created_by, _aware(row.created_at),
                    _aware(row.updated_at), Attachment(**att) if att else None)

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
                      created_at=_now(), updated_at=_now())
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
        _check_version("item", item_id, row.version, expected_version)
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
        _check_version("item", item_id, row.version, expected_version)
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

    # -- keys --------------------------------------------------------------------------------

    def rewrap_data_keys(self, ring: KeyRing) -> int:
        """Re-wrap every workspace's data key with the ring's active version."""
        rows = self.s.scalars(select(WorkspaceRow)).all()
        for row in rows:
            key = ring.unwrap(row.data_key, row.key_version, row.id)
            wrapped, version = ring.wrap(key, row.id)
            self.s.execute(WorkspaceRow.__table__.update()  # type: ignore[attr-defined]
                           .where(WorkspaceRow.pk == row.pk)
                           .values(data_key=wrapped, key_version=version))
        return len(rows)

    def key_versions_in_use(self) -> set[int]:
        return set(self.s.scalars(select(WorkspaceRow.key_version).distinct()).all())

    # -- audit -------------------------------------------------------------------------------

    def append(self, actor: str, event: AuditEvent) -> AuditEntry:
        """Append an event to the chain (serialised across processes by a table lock)."""
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
        last = self.s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
        entry = make_entry(_entry(last) if last else None, _now(), actor, event)
        self.s.add(AuditRow(seq=entry.seq, at=entry.at, actor=entry.actor, event=entry.event,
                            workspace=entry.workspace,
                            details=json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                            prev_hash=entry.prev_hash, hash=entry.hash))
        self.s.flush()
        return entry

    def audit_entries(self, workspace_id: str | None = None, *, limit: int | None = None
                      ) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.seq)
        if workspace_id is not None:
            query = query.where(AuditRow.workspace == workspace_id)
            if limit is not None:
                query = select(AuditRow).where(AuditRow.workspace == workspace_id).order_by(
                    AuditRow.seq.desc()).limit(limit)
        rows = self.s.scalars(query).all()
        return sorted((_entry(r) for r in rows), key=lambda e: e.seq)

    def iter_audit(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in stored order, in batches (for verification of long logs)."""
        after = 0
        while True:
            rows = self.s.scalars(select(AuditRow).where(AuditRow.seq > after)
                                  .order_by(AuditRow.seq).limit(batch)).all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = rows[-1].seq


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor, row.event, row.workspace,
                      json.loads(row.details), row.prev_hash, row.hash)


def _check_version(what: str, ident: str, current: int, expected: int) -> None:
    if current != expected:
        raise Conflict(f"{what} '{ident}' was changed by someone else (version {current}, "
                       f"yours {expected}); reload it and apply your change again")


class Vault:
    """The confidential store over one database and one master key ring."""

    def __init__(self, db: Database, keyring: Callable[[], KeyRing]) -> None:
        self.db = db
        self._keyring_factory = keyring
        self._ring: KeyRing | None = None
        self._keys: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    def keyring(self) -> KeyRing:
        with self._lock:
            if self._ring is None:
                self._ring = self._keyring_factory()
            return self._ring

    def data_key(self, workspace_id: str, wrapped: bytes, version: int) -> bytes:
        cached = self._keys.get((workspace_id, version))
        if cached is None:
            cached = self.keyring().unwrap(wrapped, version, workspace_id)
            self._keys[(workspace_id, version)] = cached
        return cached

    @contextmanager
    def read(self) -> Iterator[VaultTransaction]:
        with self.db.read() as session:
            yield VaultTransaction(session, self)

    @contextmanager
    def write(self) -> Iterator[VaultTransaction]:
        """One transaction; a stale version or a lost race becomes Conflict, and rolls back."""
        try:
            with self.db.write() as session:
                yield VaultTransaction(session, self)
        except StaleDataError:
            raise Conflict("the record was changed by someone else meanwhile; reload it and "
                           "apply your change again") from None
        except IntegrityError as exc:
            raise Conflict(f"the write conflicts with existing data: {exc.orig}") from None

    def rotate(self) -> tuple[int, int]:
        """New master key version; every data key re-wrapped with it; old versions retired.

        Crash-safe order: the ring with both versions is persisted first, then the database
        transaction re-wraps, then the old versions are retired from the ring.
        """
        ring = self.keyring()
        version = ring.add_version()
        with self.write() as tx:
            count = tx.rewrap_data_keys(ring)
        self._keys.clear()
        ring.retire_all_but(version)
        return version, count
