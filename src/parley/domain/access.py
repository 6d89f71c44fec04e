"""Who may do what in a workspace: roles, classifications, actions, and ONE deciding function.

Roles' permitted actions and clearances are data (`ROLE_ACTIONS`, `CLEARANCE`); `is_allowed`
is the only place that combines them. Services call it before every read and write; the web
app calls it in one dependency to gate each route; the route × role × classification test
holds both to this table.

    role        clearance    actions
    owner       secret       everything
    negotiator  secret       read, create, update, delete items, export
    analyst     restricted   read, create, update items, export
    observer    public       read
    (none)      -            account actions only: create a workspace, list own workspaces

Outside workspaces an account has an `AccountRole` (`ACCOUNT_ACTIONS`): every account may use
its account and create workspaces; only curators and administrators may change the case base
(import, update, delete, set visibility). Which stored cases a reader sees, and which ones a
curator may change, is decided by `may_read_case` and `case_change_refusal` below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """A member's role in one workspace."""

    OWNER = "owner"
    NEGOTIATOR = "negotiator"
    ANALYST = "analyst"
    OBSERVER = "observer"


class Classification(StrEnum):
    """How sensitive an item is; restricted and secret content is encrypted at rest."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    SECRET = "secret"  # noqa: S105 - a classification, not a password

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def encrypted(self) -> bool:
        return self is not Classification.PUBLIC


_RANK = {Classification.PUBLIC: 0, Classification.RESTRICTED: 1, Classification.SECRET: 2}


class Scope(StrEnum):
    """What an API token may do: only read, or read and write."""

    READ = "read"
    WRITE = "write"


class Action(StrEnum):
    """Everything an actor can ask of Parley's confidential side."""

    ACCOUNT_USE = "account.use"  # list own workspaces, see own tokens
    WORKSPACE_CREATE = "workspace.create"
    WORKSPACE_READ = "workspace.read"
    WORKSPACE_UPDATE = "workspace.update"
    WORKSPACE_DELETE = "workspace.delete"
    MEMBERS_MANAGE = "members.manage"
    ITEM_READ = "item.read"
    ITEM_CREATE = "item.create"
    ITEM_UPDATE = "item.update"
    ITEM_DELETE = "item.delete"
    AUDIT_READ = "audit.read"
    REVOCATION_DECIDE = "revocation.decide"  # revoke or retain a leniency benefit after a breach
    WORKSPACE_EXPORT = "workspace.export"
    CASE_IMPORT = "case.import"  # add cases to the case base
    CASE_UPDATE = "case.update"  # replace (edit) a stored case
    CASE_DELETE = "case.delete"
    CASE_PUBLISH = "case.publish"  # set a case's visibility: private, a workspace, public

    @property
    def writes(self) -> bool:
        return self in _WRITES


CASE_ACTIONS: frozenset[Action] = frozenset({
    Action.CASE_IMPORT, Action.CASE_UPDATE, Action.CASE_DELETE, Action.CASE_PUBLISH,
})
"""The case-base writes: never a workspace role's, only a curator's or an administrator's."""

_WRITES = frozenset({
    Action.WORKSPACE_CREATE,
    Action.WORKSPACE_UPDATE, Action.WORKSPACE_DELETE, Action.MEMBERS_MANAGE,
    Action.ITEM_CREATE, Action.ITEM_UPDATE, Action.ITEM_DELETE, Action.REVOCATION_DECIDE,
}) | CASE_ACTIONS

ROLE_ACTIONS: Mapping[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action) - CASE_ACTIONS,
    Role.NEGOTIATOR: frozenset({
        Action.ACCOUNT_USE, Action.WORKSPACE_CREATE, Action.WORKSPACE_READ, Action.ITEM_READ,
        Action.ITEM_CREATE, Action.ITEM_UPDATE, Action.ITEM_DELETE, Action.WORKSPACE_EXPORT,
    }),
    Role.ANALYST: frozenset({
        Action.ACCOUNT_USE, Action.WORKSPACE_CREATE, Action.WORKSPACE_READ, Action.ITEM_READ,
        Action.ITEM_CREATE, Action.ITEM_UPDATE, Action.WORKSPACE_EXPORT,
    }),
    Role.OBSERVER: frozenset({Action.ACCOUNT_USE, Action.WORKSPACE_CREATE, Action.WORKSPACE_READ,
                              Action.ITEM_READ}),
}
"""Actions each role may take, at classifications up to its clearance."""

NON_MEMBER_ACTIONS: frozenset[Action] = frozenset({Action.ACCOUNT_USE, Action.WORKSPACE_CREATE})
"""Actions any signed-in account may take outside the workspaces it belongs to."""


class AccountRole(StrEnum):
    """What an account is outside any workspace (a flag of the account, set by the operator)."""

    USER = "user"
    CURATOR = "curator"
    ADMIN = "admin"


ACCOUNT_ACTIONS: Mapping[AccountRole, frozenset[Action]] = {
    AccountRole.USER: NON_MEMBER_ACTIONS,
    AccountRole.CURATOR: NON_MEMBER_ACTIONS | CASE_ACTIONS,
    AccountRole.ADMIN: NON_MEMBER_ACTIONS | CASE_ACTIONS,
}
"""Actions each account role may take outside the workspaces it belongs to."""


def account_role(*, is_admin: bool, is_curator: bool) -> AccountRole:
    """The account role of an account's flags (an administrator is a curator too)."""
    if is_admin:
        return AccountRole.ADMIN
    return AccountRole.CURATOR if is_curator else AccountRole.USER

CLEARANCE: Mapping[Role, Classification] = {
    Role.OWNER: Classification.SECRET,
    Role.NEGOTIATOR: Classification.SECRET,
    Role.ANALYST: Classification.RESTRICTED,
    Role.OBSERVER: Classification.PUBLIC,
}
"""The most sensitive classification each role may see or touch."""


def is_allowed(role: Role | None, action: Action,
               classification: Classification = Classification.PUBLIC,
               scope: Scope = Scope.WRITE,
               account: AccountRole = AccountRole.USER) -> bool:
    """Decide whether an actor may take `action` on something of `classification`.

    Args:
        role: the actor's role in the workspace, or None when not a member (and for every
            action outside a workspace: the account's own, and the case base's).
        action: what is asked.
        classification: the classification of the item concerned (PUBLIC for actions on the
            workspace itself).
        scope: the scope of the credential used (a read-only token cannot write).
        account: the actor's account role; decides the actions outside workspaces.

    Example:
        >>> is_allowed(Role.ANALYST, Action.ITEM_READ, Classification.SECRET)
        False
    """
    if action.writes and scope is not Scope.WRITE:
        return False
    if role is None:
        return action in ACCOUNT_ACTIONS[account] and classification is Classification.PUBLIC
    return action in ROLE_ACTIONS[role] and classification.rank <= CLEARANCE[role].rank


def visible(role: Role | None, classification: Classification) -> bool:
    """Whether an item of `classification` shows up for `role` at all (lists, exports)."""
    return is_allowed(role, Action.ITEM_READ, classification, Scope.READ)


# -- the case base: who sees a stored case, who may change it ----------------------------------


class Visibility(StrEnum):
    """Who sees a stored case."""

    PRIVATE = "private"  # its owner only
    WORKSPACE = "workspace"  # its owner and the members of one workspace
    PUBLIC = "public"  # everyone, signed in or not (bundled cases; cases a curator published)


@dataclass(frozen=True)
class CaseReader:
    """Who reads the case base: an account (with the workspaces it belongs to), nobody
    (anonymous), or the operator at the command line (`everything`)."""

    user: str | None = None
    workspaces: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False


ANONYMOUS = CaseReader()
OPERATOR = CaseReader(everything=True)


@dataclass(frozen=True)
class CaseAccess:
    """What decides who sees and changes a stored case."""

    id: str
    bundled: bool
    visibility: Visibility = Visibility.PUBLIC
    owner: str | None = None
    workspace: str | None = None


def may_read_case(reader: CaseReader, case: CaseAccess) -> bool:
    """Whether `reader` sees `case` at all (lists, search, exports, analyses, assessments).

    Storage applies its negation in SQL (`storage/cases.py::hidden_clause`); a test holds the
    two together.
    """
    if reader.everything or case.visibility is Visibility.PUBLIC:
        return True
    if reader.user is None:
        return False
    if case.owner == reader.user:
        return True
    return case.visibility is Visibility.WORKSPACE and case.workspace in reader.workspaces


BUNDLED_REFUSAL = ("case '{id}' is a bundled case: bundled cases change only through a Parley "
                   "release and `parley db upgrade`; import your version under another id")


def case_change_refusal(reader: CaseReader, case: CaseAccess) -> tuple[str, str] | None:
    """Why the curator (or operator) reading as `reader` may not change `case`, or None.

    Returns (kind, message): kind "missing" (the reader cannot see it: answered as a missing
    case), "bundled" (nobody may: releases own them) or "owner" (a private or shared case is
    changed by its owner only; published cases by any curator).
    """
    if not may_read_case(reader, case):
        return "missing", f"no case with id '{case.id}'"
    if case.bundled:
        return "bundled", BUNDLED_REFUSAL.format(id=case.id)
    if reader.everything or case.visibility is Visibility.PUBLIC or case.owner == reader.user:
        return None
    return "owner", (f"case '{case.id}' is shared with a workspace by its owner; only its owner "
                     "can change it")


def audience_covers(parent: CaseAccess, child: CaseAccess) -> bool:
    """Whether everyone who sees `child` (a sub-case) also sees its parent, so a sub-case
    never names a parent its readers cannot open. (A private sub-case's owner must see the
    parent, which the caller checks with the owner's `CaseReader`.)"""
    if parent.visibility is Visibility.PUBLIC:
        return True
    if child.visibility is Visibility.PUBLIC:
        return False
    if parent.visibility is Visibility.WORKSPACE:
        return child.visibility is Visibility.PRIVATE or child.workspace == parent.workspace
    return child.visibility is Visibility.PRIVATE and child.owner == parent.owner
