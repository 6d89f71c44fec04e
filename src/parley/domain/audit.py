"""Audit events (named, past tense, dotted) and the hash chain that makes the log tamper-evident.

Each entry's hash is `sha256(prev_hash || canonical JSON of its content)`, where the content
includes its sequence number, time, actor, event name, workspace and details. Editing an entry
breaks its own hash; removing or reordering entries breaks the link of the next one. The first
entry links to `GENESIS`. Details never hold confidential text: only ids, kinds,
classifications and field names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """Base of every audit event; `name` is the event's dotted, past-tense name."""

    name: ClassVar[str] = "event"
    workspace: str | None = None

    def details(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("workspace", None)
        return data


@dataclass(frozen=True)
class UserCreated(AuditEvent):
    name: ClassVar[str] = "user.created"
    user: str = ""
    admin: bool = False


@dataclass(frozen=True)
class LoginSucceeded(AuditEvent):
    name: ClassVar[str] = "login.succeeded"
    user: str = ""
    method: str = "password"


@dataclass(frozen=True)
class LoginFailed(AuditEvent):
    name: ClassVar[str] = "login.failed"
    user: str = ""
    reason: str = ""


@dataclass(frozen=True)
class LoggedOut(AuditEvent):
    name: ClassVar[str] = "session.ended"
    user: str = ""


@dataclass(frozen=True)
class TokenCreated(AuditEvent):
    name: ClassVar[str] = "token.created"
    user: str = ""
    token: str = ""
    scope: str = ""


@dataclass(frozen=True)
class TokenRevoked(AuditEvent):
    name: ClassVar[str] = "token.revoked"
    user: str = ""
    token: str = ""


@dataclass(frozen=True)
class WorkspaceCreated(AuditEvent):
    name: ClassVar[str] = "workspace.created"
    owner: str = ""


@dataclass(frozen=True)
class WorkspaceUpdated(AuditEvent):
    name: ClassVar[str] = "workspace.updated"
    version: int = 0


@dataclass(frozen=True)
class WorkspaceDeleted(AuditEvent):
    name: ClassVar[str] = "workspace.deleted"


@dataclass(frozen=True)
class MemberAdded(AuditEvent):
    name: ClassVar[str] = "member.added"
    user: str = ""
    role: str = ""


@dataclass(frozen=True)
class MemberRemoved(AuditEvent):
    name: ClassVar[str] = "member.removed"
    user: str = ""


@dataclass(frozen=True)
class ItemCreated(AuditEvent):
    name: ClassVar[str] = "item.created"
    item: str = ""
    kind: str = ""
    classification: str = ""


@dataclass(frozen=True)
class ItemUpdated(AuditEvent):
    name: ClassVar[str] = "item.updated"
    item: str = ""
    kind: str = ""
    classification: str = ""
    version: int = 0
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemDeleted(AuditEvent):
    name: ClassVar[str] = "item.deleted"
    item: str = ""
    kind: str = ""


@dataclass(frozen=True)
class SecretRead(AuditEvent):
    name: ClassVar[str] = "secret.read"
    items: tuple[str, ...] = ()
    purpose: str = "view"


@dataclass(frozen=True)
class WorkspaceExported(AuditEvent):
    name: ClassVar[str] = "workspace.exported"
    anonymised: bool = False
    items: int = 0


@dataclass(frozen=True)
class AuditLogRead(AuditEvent):
    name: ClassVar[str] = "audit.read"


@dataclass(frozen=True)
class KeysRotated(AuditEvent):
    name: ClassVar[str] = "keys.rotated"
    key_version: int = 0
    workspaces: int = 0


@dataclass(frozen=True)
class DatabaseRestored(AuditEvent):
    name: ClassVar[str] = "database.restored"
    source: str = ""


EVENTS: tuple[type[AuditEvent], ...] = (
    UserCreated, LoginSucceeded, LoginFailed, LoggedOut, TokenCreated, TokenRevoked,
    WorkspaceCreated, WorkspaceUpdated, WorkspaceDeleted, MemberAdded, MemberRemoved,
    ItemCreated, ItemUpdated, ItemDeleted, SecretRead, WorkspaceExported, AuditLogRead,
    KeysRotated, DatabaseRestored,
)
"""Every audit event Parley records (documented in docs/security.md)."""


@dataclass(frozen=True)
class AuditEntry:
    """One appended entry of the log."""

    seq: int
    at: str  # ISO 8601, UTC
    actor: str
    event: str
    workspace: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def content(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "event": self.event,
                "workspace": self.workspace, "details": dict(self.details)}


def canonical(content: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, lists for tuples."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=list).encode("utf-8")


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(content)).hexdigest()


def make_entry(prev: AuditEntry | None, at: datetime, actor: str, event: AuditEvent
               ) -> AuditEntry:
    """The entry that follows `prev` (or starts the log) for `event`."""
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    details = json.loads(canonical(event.details()))
    draft = AuditEntry(seq, at.isoformat(), actor, event.name, event.workspace, details,
                       prev_hash)
    return AuditEntry(**{**draft.__dict__, "hash": chain_hash(prev_hash, draft.content())})


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying a log: `bad` is None when the chain holds."""

    count: int
    head: str
    bad: int | None = None  # position (1-based) of the first bad entry, in stored order
    bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bad is None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check every entry in stored order: sequence, link to the previous hash, own hash."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for position, entry in enumerate(entries, start=1):
        count = position
        if entry.seq != expected_seq:
            return ChainReport(count, prev_hash, position, entry.seq,
                               f"sequence {entry.seq} where {expected_seq} was expected "
                               "(an entry was removed or reordered)")
        if entry.prev_hash != prev_hash:
            return ChainReport(count, prev_hash, position, entry.seq,
                               "does not link to the previous entry's hash "
                               "(an entry before it was removed, reordered or edited)")
        if chain_hash(entry.prev_hash, entry.content()) != entry.hash:
            return ChainReport(count, prev_hash, position, entry.seq,
                               "its content does not match its hash (the entry was edited)")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    return ChainReport(count, prev_hash)


# -- saved assessments (issue 8, item 8) --------------------------------------------------------


@dataclass(frozen=True)
class AssessmentSaved(AuditEvent):
    name: ClassVar[str] = "assessment.saved"
    assessment: str = ""


@dataclass(frozen=True)
class AssessmentRead(AuditEvent):
    name: ClassVar[str] = "assessment.read"
    assessment: str = ""
    author: str = ""


@dataclass(frozen=True)
class AssessmentDeleted(AuditEvent):
    name: ClassVar[str] = "assessment.deleted"
    assessment: str = ""
    author: str = ""


EVENTS = (*EVENTS, AssessmentSaved, AssessmentRead, AssessmentDeleted)
