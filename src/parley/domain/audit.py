"""Audit events (named, past tense, dotted) and the keyed chain that makes the log tamper-evident.

Each entry's MAC is `HMAC-SHA256(audit key, prev_mac || canonical JSON of its content)`, where
the content holds its sequence number, time, actor, event name, workspace and details. The
audit key is a random 256-bit key kept in the database wrapped by the master key ring, so
someone who can write to the database but lacks the master key can neither edit an entry and
recompute its MAC, nor forge, insert, remove or renumber entries. The newest entry's MAC is kept
beside the key as a signed head (detects deleting the newest entries), and signed checkpoints
of the head kept outside the database detect a rollback of the whole database.

The chain starts with an anchor entry written when the audit key is created: `chain.started`
on a new database, or `chain.rekeyed` on a database upgraded from the unkeyed chain, which
names the count and head hash of the unkeyed entries before it (checked as a plain SHA-256
chain, `sha256(prev_hash || content)`; its MAC pins them). Details never hold confidential
text: only ids, kinds, classifications and field names. Pure: `hmac`/`hashlib` only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar

from parley.domain.errors import InvalidInput

GENESIS = "0" * 64
ANCHORS = ("chain.started", "chain.rekeyed")
"""The events that may open the keyed chain (only at the seq the audit key records)."""


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
class PasswordChanged(AuditEvent):
    name: ClassVar[str] = "password.changed"
    user: str = ""
    sessions_ended: int = 0


@dataclass(frozen=True)
class SessionsRevoked(AuditEvent):
    name: ClassVar[str] = "sessions.revoked"
    user: str = ""
    sessions_ended: int = 0


@dataclass(frozen=True)
class UserDisabled(AuditEvent):
    name: ClassVar[str] = "user.disabled"
    user: str = ""
    sessions_ended: int = 0


@dataclass(frozen=True)
class UserEnabled(AuditEvent):
    name: ClassVar[str] = "user.enabled"
    user: str = ""


@dataclass(frozen=True)
class InvitationCreated(AuditEvent):
    name: ClassVar[str] = "invitation.created"
    invitee: str = ""
    role: str = ""
    invitation: str = ""


@dataclass(frozen=True)
class InvitationAnswered(AuditEvent):
    name: ClassVar[str] = "invitation.answered"
    invitee: str = ""
    role: str = ""
    invitation: str = ""
    accepted: bool = False


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


@dataclass(frozen=True)
class ChainStarted(AuditEvent):
    """The first entry of a new database's chain, written when the audit key is created."""

    name: ClassVar[str] = "chain.started"


@dataclass(frozen=True)
class ChainRekeyed(AuditEvent):
    """The first keyed entry of an upgraded database: pins the unkeyed entries before it."""

    name: ClassVar[str] = "chain.rekeyed"
    legacy_entries: int = 0
    legacy_head: str = ""


EVENTS: tuple[type[AuditEvent], ...] = (
    UserCreated, LoginSucceeded, LoginFailed, LoggedOut, TokenCreated, TokenRevoked,
    PasswordChanged, SessionsRevoked, UserDisabled, UserEnabled, InvitationCreated,
    InvitationAnswered,
    WorkspaceCreated, WorkspaceUpdated, WorkspaceDeleted, MemberAdded, MemberRemoved,
    ItemCreated, ItemUpdated, ItemDeleted, SecretRead, WorkspaceExported, AuditLogRead,
    KeysRotated, DatabaseRestored, ChainStarted, ChainRekeyed,
)
"""Every audit event Parley records (documented in docs/security.md)."""



@dataclass(frozen=True)
class AuditEntry:
    """One appended entry of the log; `hash` is its MAC (a plain hash before the anchor)."""

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
    """The unkeyed link of entries written before the upgrade (anyone can compute it)."""
    return hashlib.sha256(prev_hash.encode("utf-8") + canonical(content)).hexdigest()


def entry_mac(key: bytes, prev_mac: str, content: Mapping[str, Any]) -> str:
    """The keyed link: HMAC-SHA256(audit key, prev_mac || canonical content)."""
    return hmac.new(key, prev_mac.encode("utf-8") + canonical(content), hashlib.sha256
                    ).hexdigest()


def subkey(key: bytes, purpose: str) -> bytes:
    """A key for one purpose ("head", "checkpoint") derived from the audit key."""
    return hmac.new(key, b"parley-audit|" + purpose.encode("ascii"), hashlib.sha256).digest()


def _draft(prev: AuditEntry | None, at: datetime, actor: str, event: AuditEvent
           ) -> AuditEntry:
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    details = json.loads(canonical(event.details()))
    return AuditEntry(seq, at.isoformat(), actor, event.name, event.workspace, details,
                      prev_hash)


def make_entry(prev: AuditEntry | None, at: datetime, actor: str, event: AuditEvent,
               key: bytes) -> AuditEntry:
    """The keyed entry that follows `prev` (or starts the log) for `event`."""
    draft = _draft(prev, at, actor, event)
    return replace(draft, hash=entry_mac(key, draft.prev_hash, draft.content()))


def make_unkeyed_entry(prev: AuditEntry | None, at: datetime, actor: str, event: AuditEvent
                       ) -> AuditEntry:
    """An entry as written before the chain was keyed (tests of upgraded databases only)."""
    draft = _draft(prev, at, actor, event)
    return replace(draft, hash=chain_hash(draft.prev_hash, draft.content()))


# -- the signed head and checkpoints ----------------------------------------------------------


@dataclass(frozen=True)
class ChainSeal:
    """What the database keeps beside the audit key: where the keyed chain starts (`anchor`,
    bound to the wrapped key) and its newest entry, signed (`head_tag`)."""

    anchor: int
    head_seq: int
    head_mac: str
    head_tag: str


def head_tag(key: bytes, head_seq: int, head_mac: str) -> str:
    message = f"head|{head_seq}|{head_mac}".encode("ascii")
    return hmac.new(subkey(key, "head"), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "the log held `count` entries and the newest MAC was `head`"."""

    count: int
    head: str
    at: str
    sig: str = ""
    line: int | None = None  # where it was read from (not signed)

    def signed_part(self) -> bytes:
        return canonical({"v": 1, "count": self.count, "head": self.head, "at": self.at})

    def text(self) -> str:
        """The checkpoint as one JSON line (without the newline)."""
        return canonical({"v": 1, "count": self.count, "head": self.head, "at": self.at,
                          "sig": self.sig}).decode("utf-8")

    def signed_by(self, key: bytes) -> bool:
        expected = hmac.new(subkey(key, "checkpoint"), self.signed_part(), hashlib.sha256
                            ).hexdigest()
        return hmac.compare_digest(expected.encode(), self.sig.encode("utf-8"))


def make_checkpoint(key: bytes, count: int, head: str, at: datetime) -> Checkpoint:
    unsigned = Checkpoint(count, head, at.isoformat())
    sig = hmac.new(subkey(key, "checkpoint"), unsigned.signed_part(), hashlib.sha256).hexdigest()
    return replace(unsigned, sig=sig)


def parse_checkpoints(text: str, origin: str) -> list[Checkpoint]:
    """Every checkpoint line of a file written by `parley audit checkpoint` (blank lines and
    `#` comments skipped); a malformed line is an error naming it."""
    found: list[Checkpoint] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            data = json.loads(line)
            ok = (isinstance(data, dict) and data.get("v") == 1
                  and type(data.get("count")) is int and data["count"] >= 0
                  and all(isinstance(data.get(k), str) for k in ("head", "at", "sig")))
        except ValueError:
            ok = False
        if not ok:
            raise InvalidInput(f"{origin}, line {number}: not an audit checkpoint (expected a "
                               'JSON line {"v":1,"count":N,"head":"...","at":"...","sig":"..."}'
                               " as `parley audit checkpoint` writes)")
        found.append(Checkpoint(data["count"], data["head"], data["at"], data["sig"], number))
    if not found:
        raise InvalidInput(f"{origin}: holds no audit checkpoint")
    return found


# -- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """What exists in the database and must have its creation entry in the log."""

    workspaces: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong: at an entry (stored position and seq), or about the log as a whole."""

    reason: str
    position: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        if self.position is None:
            return self.reason
        return f"entry {self.position} (seq {self.seq}): {self.reason}"


MAX_PROBLEMS = 50


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying a log: `ok` when nothing is wrong.

    `keyed` says the MACs were checked with the audit key (without it only the structure, the
    sequence and the links, can be checked); `legacy` counts unkeyed entries from before the
    upgrade; `problems` lists what is wrong (the first `MAX_PROBLEMS`; `more` counts the rest).
    """

    count: int
    head: str
    problems: tuple[ChainProblem, ...] = ()
    more: int = 0
    keyed: bool = False
    legacy: int = 0
    anchor: int | None = None
    checkpoints: int = 0
    checkpoint: Checkpoint | None = None  # a new one of this head, when verified with the key
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad(self) -> int | None:
        """Stored position (1-based) of the first bad entry, if the first problem has one."""
        return self.problems[0].position if self.problems else None

    @property
    def bad_seq(self) -> int | None:
        return self.problems[0].seq if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""


def verify_chain(entries: Iterable[AuditEntry], key: bytes | None = None,
                 seal: ChainSeal | None = None, *, checkpoints: Sequence[Checkpoint] = (),
                 subjects: Subjects | None = None) -> ChainReport:
    """Check every entry in stored order, then the signed head, checkpoints and subjects.

    `seal` is the database's record of the keyed chain (None before the first keyed write);
    entries from `seal.anchor` on are checked with `key` (MACs skipped when `key` is None),
    entries before it as the unkeyed SHA-256 chain. Every problem is reported, not only the
    first.
    """
    problems: list[ChainProblem] = []
    more = 0

    def problem(reason: str, entry: AuditEntry | None = None, position: int | None = None
                ) -> None:
        nonlocal more
        if len(problems) >= MAX_PROBLEMS:
            more += 1
        else:
            problems.append(ChainProblem(reason, position, entry.seq if entry else None))

    anchor = seal.anchor if seal else None
    wanted = {c.count for c in checkpoints} | ({seal.head_seq} if seal else set())
    macs: dict[int, str] = {}
    created_ws: set[str] = set()
    created_users: set[str] = set()
    prev_hash, prev_seq, count, last_seq = GENESIS, 0, 0, 0
    first_anchor: int | None = None
    for position, entry in enumerate(entries, start=1):
        count, last_seq = position, entry.seq
        if entry.seq != prev_seq + 1:
            what = ("entries before it were removed" if entry.seq > prev_seq + 1
                    else "entries were reordered or renumbered")
            problem(f"sequence {entry.seq} where {prev_seq + 1} was expected ({what})",
                    entry, position)
        if entry.prev_hash != prev_hash:
            problem("does not link to the previous entry (an entry before it was removed, "
                    "inserted, reordered or edited)", entry, position)
        if anchor is not None and entry.seq >= anchor:
            if key is not None and not hmac.compare_digest(
                    entry_mac(key, entry.prev_hash, entry.content()).encode(),
                    entry.hash.encode("utf-8")):
                problem("its MAC does not verify (the entry was edited, or written without "
                        "the audit key)", entry, position)
        elif chain_hash(entry.prev_hash, entry.content()) != entry.hash:
            problem("its content does not match its hash (the entry was edited)", entry,
                    position)
        if entry.event in ANCHORS:
            first_anchor = first_anchor or entry.seq
            if anchor is not None and entry.seq != anchor:
                problem(f"a second chain anchor (the audit key anchors the chain at seq "
                        f"{anchor})", entry, position)
            elif anchor is not None and not _anchor_ok(entry, anchor):
                problem("the anchor does not name the unkeyed entries before it", entry,
                        position)
        elif anchor is not None and entry.seq == anchor:
            problem("should be the chain's anchor (chain.started or chain.rekeyed)", entry,
                    position)
        if entry.seq in wanted:
            macs.setdefault(entry.seq, entry.hash)
        if entry.event == "workspace.created" and entry.workspace:
            created_ws.add(entry.workspace)
        elif entry.event == "user.created":
            created_users.add(str(entry.details.get("user", "")))
        prev_hash, prev_seq = entry.hash, entry.seq

    if seal is None and first_anchor is not None:
        problem(f"the log is keyed from seq {first_anchor} on, but the database holds no audit "
                "key (its row was deleted): the keyed entries cannot be checked")
    if seal is not None:
        if last_seq < seal.anchor:
            problem(f"the chain's anchor, seq {seal.anchor}, recorded with the audit key, is "
                    f"missing: the log holds {count} entries (entries were deleted)")
        if key is not None and not hmac.compare_digest(
                head_tag(key, seal.head_seq, seal.head_mac).encode(),
                seal.head_tag.encode("utf-8")):
            problem("the recorded head of the chain is not signed by the audit key "
                    "(the head record was edited)")
        elif last_seq < seal.head_seq:
            problem(f"the log ends at seq {last_seq}, but the signed head is seq "
                    f"{seal.head_seq}: the newest {seal.head_seq - last_seq} entries were "
                    "deleted")
        elif macs.get(seal.head_seq) != seal.head_mac:
            problem(f"seq {seal.head_seq} is not the entry the signed head records (the log "
                    "was rewritten)")
        elif last_seq > seal.head_seq:
            problem(f"{last_seq - seal.head_seq} entries after the signed head (seq "
                    f"{seal.head_seq}) were added without the audit key")
    for cp in checkpoints:
        where = f"the checkpoint of {cp.at}" + (f" (line {cp.line})" if cp.line else "")
        if key is not None and not cp.signed_by(key):
            problem(f"{where} is not signed by this database's audit key (the checkpoint was "
                    "edited, or the audit key and the log were replaced)")
        elif last_seq < cp.count:
            problem(f"{where} records {cp.count} entries, but the log now ends at seq "
                    f"{last_seq} (entries were deleted or the database was rolled back)")
        elif cp.count and macs.get(cp.count) != cp.head:
            problem(f"seq {cp.count} differs from {where} (the log was rewritten or rolled "
                    "back)")
    if subjects is not None:
        for kind, event, existing, seen in (
                ("workspace", "workspace.created", subjects.workspaces, created_ws),
                ("user", "user.created", subjects.users, created_users)):
            missing = sorted(existing - seen)
            if missing:
                shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                problem(f"{len(missing)} {kind}(s) exist without their `{event}` entry "
                        f"({shown}): entries were deleted")
    return ChainReport(count, prev_hash, tuple(problems), more,
                       keyed=seal is not None and key is not None,
                       legacy=(seal.anchor - 1) if seal else count,
                       anchor=anchor, checkpoints=len(checkpoints))


def _anchor_ok(entry: AuditEntry, anchor: int) -> bool:
    """The anchor names exactly the unkeyed entries before it (none for `chain.started`)."""
    if entry.event == "chain.started":
        return anchor == 1
    return (entry.details.get("legacy_entries") == anchor - 1
            and entry.details.get("legacy_head") == entry.prev_hash)


@dataclass(frozen=True)
class ItemsResealed(AuditEvent):
    """Items stored before row binding re-sealed bound to their row (once, at start-up or
    `parley db upgrade`); `refused` names legacy rows whose format did not match their
    classification (forged), left unreadable."""

    name: ClassVar[str] = "items.resealed"
    items: int = 0
    refused: tuple[str, ...] = ()


EVENTS = (*EVENTS, ItemsResealed)


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


@dataclass(frozen=True)
class AssessmentRenamed(AuditEvent):
    name: ClassVar[str] = "assessment.renamed"
    assessment: str = ""
    author: str = ""


@dataclass(frozen=True)
class AssessmentRerun(AuditEvent):
    """A saved assessment assessed again against the case base as it is now."""

    name: ClassVar[str] = "assessment.reassessed"
    assessment: str = ""
    author: str = ""
    cases: int = 0


@dataclass(frozen=True)
class AssessmentsListed(AuditEvent):
    """A workspace's saved assessments listed (their titles are confidential)."""

    name: ClassVar[str] = "assessments.listed"
    assessments: tuple[str, ...] = ()


EVENTS = (*EVENTS, AssessmentSaved, AssessmentRead, AssessmentDeleted, AssessmentRenamed,
          AssessmentRerun, AssessmentsListed)


# -- the case base (issue 8, item 1) ------------------------------------------------------------


@dataclass(frozen=True)
class UserRoleChanged(AuditEvent):
    """An account made a curator (may change the case base) or a plain user again."""

    name: ClassVar[str] = "user.role_changed"
    user: str = ""
    role: str = ""


@dataclass(frozen=True)
class CasesImported(AuditEvent):
    """Cases added (`added`) or replaced (`replaced`) by one import, all or nothing; `workspace`
    is set when the new cases are shared with it."""

    name: ClassVar[str] = "cases.imported"
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    visibility: str = ""
    owner: str = ""


@dataclass(frozen=True)
class CaseUpdated(AuditEvent):
    name: ClassVar[str] = "case.updated"
    case: str = ""
    version: int = 0
    content_hash: str = ""


@dataclass(frozen=True)
class CaseDeleted(AuditEvent):
    name: ClassVar[str] = "case.deleted"
    case: str = ""
    owner: str = ""
    visibility: str = ""


@dataclass(frozen=True)
class CaseVisibilityChanged(AuditEvent):
    """Published (public), shared with a workspace (`workspace`), or made private."""

    name: ClassVar[str] = "case.visibility_changed"
    case: str = ""
    visibility: str = ""
    previous: str = ""


@dataclass(frozen=True)
class BundledCasesSynced(AuditEvent):
    """`parley db upgrade` (or a start) brought the bundled cases in line with the release:
    `restored` had been changed outside a release and are the bundled files again."""

    name: ClassVar[str] = "bundled.synced"
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()


EVENTS = (*EVENTS, UserRoleChanged, CasesImported, CaseUpdated, CaseDeleted,
          CaseVisibilityChanged, BundledCasesSynced)


# -- monitoring (issue 12) ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorsImported(AuditEvent):
    """Indicator series stored in a workspace (new ones, and those an import replaced)."""

    name: ClassVar[str] = "indicators.imported"
    created: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    rows: int = 0
    classification: str = ""


@dataclass(frozen=True)
class IndicatorsRead(AuditEvent):
    """Restricted or secret indicator series read (listed, analysed, or behind alerts/feed)."""

    name: ClassVar[str] = "indicators.read"
    series: tuple[str, ...] = ()
    purpose: str = "view"


EVENTS = (*EVENTS, IndicatorsImported, IndicatorsRead)


# -- leniency revocations (issue 11) ----------------------------------------------------------


@dataclass(frozen=True)
class RevocationDecided(AuditEvent):
    """A decision on the revocation opened by a breach of a leniency condition's retention
    terms (`revoke` or `retain`); the reason is kept in the sealed item, not in the log."""

    name: ClassVar[str] = "revocation.decided"
    item: str = ""
    breach: str = ""
    decision: str = ""


EVENTS = (*EVENTS, RevocationDecided)


# -- languages (issue 13) ---------------------------------------------------------------------


@dataclass(frozen=True)
class UserLanguageChanged(AuditEvent):
    """An account's language chosen (`language`: a code, or "" when cleared: the browser and
    the server decide again)."""

    name: ClassVar[str] = "user.language_changed"
    user: str = ""
    language: str = ""


EVENTS = (*EVENTS, UserLanguageChanged)
