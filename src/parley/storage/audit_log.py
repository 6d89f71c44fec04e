"""The append-only, keyed audit chain inside one transaction of the confidential store.

The audit key is random (256 bits), made by the first audited action after migration 0007 and
kept in `audit_chain`, sealed by the master key ring with the associated data
`audit-key|<anchor seq>` (so the anchor cannot be moved without breaking the seal). The same
transaction writes the chain's anchor entry. Every append updates the signed head in that row.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import event, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from parley.domain.audit import (
    ANCHORS,
    AuditEntry,
    AuditEvent,
    ChainRekeyed,
    ChainSeal,
    ChainStarted,
    head_tag,
    make_checkpoint,
    make_entry,
)
from parley.domain.errors import ConfigurationError, KeyUnavailable
from parley.private_files import append_private
from parley.storage.keys import KEY_BYTES, KeyRing, seal, unseal
from parley.storage.records import now
from parley.storage.workspace_tables import AuditChainRow, AuditRow

CHAIN_ROW = 1
TABLES = ("audit_log", "audit_chain")


@dataclass(frozen=True)
class CheckpointPolicy:
    """PARLEY_AUDIT_CHECKPOINT_FILE / _EVERY: append a signed checkpoint of the head to `path`
    after the commit of every append whose seq is a multiple of `every` (0: never here)."""

    path: Path
    every: int = 0


class MasterKeys(Protocol):
    """The master key ring as the vault serves it: reloaded when another process rotated it,
    and wrapping only with the version the database names as active (storage/vault.py)."""

    def ring_holding(self, version: int, what: str) -> KeyRing: ...

    def wrapping_ring(self, session: Session) -> tuple[KeyRing, int]: ...


def audit_key_aad(anchor_seq: int) -> str:
    return f"audit-key|{anchor_seq}"


def wrap_audit_key(ring: KeyRing, key: bytes, anchor_seq: int, version: int | None = None
                   ) -> tuple[bytes, int]:
    version = ring.active_version if version is None else version
    return seal(ring.key(version), key, audit_key_aad(anchor_seq)), version


def unwrap_audit_key(ring: KeyRing, row: AuditChainRow) -> bytes:
    """The audit key; KeyUnavailable (HTTP 503, never a silent new key) if `ring` cannot."""
    try:
        return unseal(ring.key(row.key_version), row.wrapped_key, audit_key_aad(row.anchor_seq))
    except ConfigurationError as exc:
        raise KeyUnavailable(
            f"the audit key cannot be opened with the master key ring ({exc}); without it "
            "only the chain's structure can be checked") from None


def rewrap_audit_key(session: Session, ring: KeyRing, target: int | None = None) -> bool:
    """Re-wrap the audit key with version `target` (default: the ring's active version);
    False if there is none yet.

    Called from `KeyRepository.rewrap_data_keys`, in the rotation's transaction.
    """
    row = session.get(AuditChainRow, CHAIN_ROW)
    if row is None:
        return False
    wrapped, version = wrap_audit_key(ring, unwrap_audit_key(ring, row), row.anchor_seq,
                                      target)
    session.execute(update(AuditChainRow).where(AuditChainRow.id == CHAIN_ROW)
                    .values(wrapped_key=wrapped, key_version=version))
    return True


def audit_key_version(session: Session) -> int | None:
    """The master key version wrapping the audit key (None before the first keyed write)."""
    return session.scalar(select(AuditChainRow.key_version).where(AuditChainRow.id == CHAIN_ROW))


class AuditRepository:
    """Appends and reads audit entries; UPDATE and DELETE on the log are refused by triggers."""

    def __init__(self, session: Session, keys: MasterKeys,
                 checkpoints: CheckpointPolicy | None = None) -> None:
        self.s = session
        self._keys = keys
        self._checkpoints = checkpoints

    # -- writing ----------------------------------------------------------------------------

    def append(self, actor: str, event: AuditEvent) -> AuditEntry:
        """Append an event to the chain (serialised across processes by a table lock); the
        first append after the upgrade creates the audit key and the anchor entry first."""
        try:
            if self.s.get_bind().dialect.name == "postgresql":
                self.s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
            chain = self.s.get(AuditChainRow, CHAIN_ROW)
            last = self._last()
            if chain is None:
                key, last = self._start_chain(last)
            else:
                key = self._unwrap(chain)
            entry = make_entry(last, now(), actor, event, key)
            self._insert(entry)
            self._set_head(key, entry)
            self._checkpoint_after_commit(key, entry)
            return entry
        except DBAPIError as exc:
            raise _unreadable(exc) from None

    def ensure_chain(self) -> bool:
        """Create the audit key and the anchor entry if the chain is not keyed yet (True if it
        did): what the first append does, for `parley audit checkpoint` right after upgrading."""
        try:
            if self.s.get_bind().dialect.name == "postgresql":
                self.s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
            if self.s.get(AuditChainRow, CHAIN_ROW) is not None:
                return False
            self._start_chain(self._last())
            return True
        except DBAPIError as exc:
            raise _unreadable(exc) from None

    def _start_chain(self, last: AuditEntry | None) -> tuple[bytes, AuditEntry]:
        keyed = self.s.scalar(select(AuditRow.seq).where(AuditRow.event.in_(ANCHORS))
                              .order_by(AuditRow.seq).limit(1))
        if keyed is not None:
            raise ConfigurationError(
                f"the audit log is keyed from seq {keyed} on, but its key (table audit_chain) "
                "is gone: the database was tampered with. Nothing is written; restore the "
                "database from a backup")
        key = secrets.token_bytes(KEY_BYTES)
        event: AuditEvent = (ChainStarted() if last is None else
                             ChainRekeyed(legacy_entries=last.seq, legacy_head=last.hash))
        anchor = make_entry(last, now(), "system", event, key)
        self._insert(anchor)
        ring, active = self._keys.wrapping_ring(self.s)
        wrapped, version = wrap_audit_key(ring, key, anchor.seq, active)
        self.s.add(AuditChainRow(id=CHAIN_ROW, wrapped_key=wrapped, key_version=version,
                                 anchor_seq=anchor.seq, head_seq=anchor.seq,
                                 head_mac=anchor.hash,
                                 head_tag=head_tag(key, anchor.seq, anchor.hash)))
        self.s.flush()
        return key, anchor

    def _checkpoint_after_commit(self, key: bytes, entry: AuditEntry) -> None:
        """Every `every` entries, a checkpoint of this entry, written only once it is committed
        (a rolled-back entry must never be checkpointed)."""
        policy = self._checkpoints
        if policy is None or not policy.every or entry.seq % policy.every:
            return
        line = make_checkpoint(key, entry.seq, entry.hash, now().replace(microsecond=0)).text()

        def write(_session: Session) -> None:
            try:
                append_private(policy.path, line)
            except OSError as exc:  # the commit stands; say so where the operator looks
                print(f"parley: could not append the audit checkpoint to {policy.path}: {exc}",
                      file=sys.stderr, flush=True)

        event.listen(self.s, "after_commit", write, once=True)

    def _insert(self, entry: AuditEntry) -> None:
        self.s.add(AuditRow(seq=entry.seq, at=entry.at, actor=entry.actor, event=entry.event,
                            workspace=entry.workspace,
                            details=json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                            prev_hash=entry.prev_hash, hash=entry.hash))
        self.s.flush()

    def _set_head(self, key: bytes, entry: AuditEntry) -> None:
        self.s.execute(update(AuditChainRow).where(AuditChainRow.id == CHAIN_ROW).values(
            head_seq=entry.seq, head_mac=entry.hash,
            head_tag=head_tag(key, entry.seq, entry.hash)))

    def _last(self) -> AuditEntry | None:
        last = self.s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
        return _entry(last) if last else None

    # -- reading ----------------------------------------------------------------------------

    def begin_snapshot(self) -> None:
        """Make the rest of this read transaction one consistent snapshot (PostgreSQL
        REPEATABLE READ; SQLite's read transactions are snapshots already), and check that the
        audit tables exist. Call first in the transaction."""
        try:
            if self.s.get_bind().dialect.name == "postgresql":
                self.s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            inspector = inspect(self.s.connection())
            missing = [t for t in TABLES if not inspector.has_table(t)]
        except DBAPIError as exc:
            raise _unreadable(exc) from None
        if missing:
            raise ConfigurationError(
                f"the audit table(s) {', '.join(missing)} are missing from the database "
                "(renamed or dropped): the audit log cannot be verified. Restore the database "
                "from a backup, or `parley db upgrade` if it was never migrated")

    def chain_seal(self) -> ChainSeal | None:
        """The anchor and signed head kept with the audit key (None before the first keyed
        write)."""
        try:
            row = self.s.get(AuditChainRow, CHAIN_ROW)
        except DBAPIError as exc:
            raise _unreadable(exc) from None
        if row is None:
            return None
        return ChainSeal(row.anchor_seq, row.head_seq, row.head_mac, row.head_tag)

    def chain_key(self) -> bytes:
        """The audit key, unwrapped with the master key ring (ConfigurationError if it cannot
        be)."""
        row = self.s.get(AuditChainRow, CHAIN_ROW)
        if row is None:
            raise ConfigurationError("the audit log is not keyed yet: the first audited action "
                                     "creates its key")
        return self._unwrap(row)

    def _unwrap(self, row: AuditChainRow) -> bytes:
        return unwrap_audit_key(self._keys.ring_holding(row.key_version, "the audit key"), row)

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
        after: int | None = None
        while True:
            query = select(AuditRow).order_by(AuditRow.seq).limit(batch)
            if after is not None:
                query = query.where(AuditRow.seq > after)
            try:
                rows = self.s.scalars(query).all()
            except DBAPIError as exc:
                raise _unreadable(exc) from None
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = rows[-1].seq


def _unreadable(exc: DBAPIError) -> ConfigurationError:
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return ConfigurationError(
        f"the audit log cannot be read or written ({first}): is the table audit_log or "
        "audit_chain renamed or dropped? Restore the database from a backup")


def _entry(row: AuditRow) -> AuditEntry:
    try:
        details = json.loads(row.details)
    except ValueError:
        details = None
    if not isinstance(details, dict):  # a forged row: keep its text so its MAC fails
        details = {"unparseable": row.details}
    return AuditEntry(row.seq, row.at, row.actor, row.event, row.workspace, details,
                      row.prev_hash, row.hash)
