"""The state every in-memory fake works on: one `State`, copied per write transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from parley.domain.access import CaseAccess, Role, Scope, Visibility
from parley.domain.account import Invitation, Throttle, TokenInfo, User
from parley.domain.audit import AuditEntry
from parley.domain.case import Case
from parley.domain.errors import Conflict, NotFound
from parley.domain.listing import CaseRecord, Origin, StoredCase
from parley.domain.monitoring import StoredSeries
from parley.domain.workspace import Item, Workspace


def now() -> datetime:
    return datetime.now(UTC)


def check_version(what: str, ident: str, current: int, expected: int) -> None:
    """Optimistic concurrency, as SQLAlchemy's version counter enforces it in the SQL stores."""
    if current != expected:
        raise Conflict(f"{what} '{ident}' was changed by someone else (version {current}, "
                       f"yours {expected}); reload it and apply your change again")


@dataclass
class UserRec:
    name: str
    password_hash: str
    is_admin: bool
    created_at: datetime
    disabled_at: datetime | None = None
    password_changed_at: datetime | None = None
    is_curator: bool = False
    language: str | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def user(self) -> User:
        return User(self.name, self.is_admin, self.created_at, self.disabled_at,
                    self.password_changed_at, self.is_curator, self.language)


@dataclass
class TokenRec:
    id: str
    user: str
    digest: str
    scope: Scope
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def info(self) -> TokenInfo:
        return TokenInfo(self.id, self.user, self.label, self.scope, self.created_at,
                         self.revoked_at is not None, self.expires_at, self.last_used_at)


class Frozen:
    """A record never changed in place (writes replace it), so the state's deep copy per
    transaction shares it instead of copying a whole case or series each time."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self


@dataclass(frozen=True)
class CaseRec(Frozen):
    """A stored case: what `cases` rows hold (the parsed case, its access, its version)."""

    case: Case
    origin: Origin
    version: int
    content_hash: str
    visibility: Visibility = Visibility.PUBLIC
    owner: str | None = None
    workspace: str | None = None

    @property
    def access(self) -> CaseAccess:
        return CaseAccess(self.case.id, self.origin == "bundled", self.visibility, self.owner,
                          self.workspace)

    def record(self) -> CaseRecord:
        return CaseRecord(self.access, self.version, self.content_hash, self.case.parent)

    def stored(self) -> StoredCase:
        return StoredCase(self.case, self.origin, self.version, self.visibility, self.owner,
                          self.workspace)


@dataclass(frozen=True)
class ScenarioRec(Frozen):
    """A saved scenario as its row keeps it: the normalised document (`scenario_to_dict`),
    validated again against the codebook on every read, as the sealed row is."""

    id: str
    author: str
    document: dict[str, Any]
    created_at: datetime
    workspace: str | None = None


@dataclass(frozen=True)
class SeriesRec(Frozen):
    stored: StoredSeries


@dataclass
class State:
    """Everything the SQL stores keep, as plain Python: accounts, workspaces, invitations,
    the audit chain, cases, saved scenarios and indicator series."""

    users: dict[str, UserRec] = field(default_factory=dict)
    tokens: list[TokenRec] = field(default_factory=list)
    sessions: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # digest: user, exp
    setup: dict[str, datetime] = field(default_factory=dict)
    throttle: dict[tuple[str, str], Throttle] = field(default_factory=dict)
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    members: dict[str, dict[str, Role]] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)  # insertion order = creation order
    files: dict[str, bytes] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)  # item and series ids that fail their check
    invitations: dict[str, Invitation] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    audit_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    cases: dict[str, CaseRec] = field(default_factory=dict)
    bundled_digest: str | None = None
    scenarios: dict[str, ScenarioRec] = field(default_factory=dict)  # insertion = save order
    series: dict[str, SeriesRec] = field(default_factory=dict)  # insertion = creation order

    def user(self, name: str) -> UserRec:
        if name not in self.users:
            raise NotFound(f"no user '{name}'")
        return self.users[name]

    def workspace(self, workspace_id: str) -> Workspace:
        try:
            return self.workspaces[workspace_id]
        except KeyError:
            raise NotFound(f"no workspace '{workspace_id}'") from None
