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
"""

from __future__ import annotations

from collections.abc import Mapping
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
    WORKSPACE_EXPORT = "workspace.export"

    @property
    def writes(self) -> bool:
        return self in _WRITES


_WRITES = frozenset({
    Action.WORKSPACE_CREATE,
    Action.WORKSPACE_UPDATE, Action.WORKSPACE_DELETE, Action.MEMBERS_MANAGE,
    Action.ITEM_CREATE, Action.ITEM_UPDATE, Action.ITEM_DELETE,
})

ROLE_ACTIONS: Mapping[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
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

CLEARANCE: Mapping[Role, Classification] = {
    Role.OWNER: Classification.SECRET,
    Role.NEGOTIATOR: Classification.SECRET,
    Role.ANALYST: Classification.RESTRICTED,
    Role.OBSERVER: Classification.PUBLIC,
}
"""The most sensitive classification each role may see or touch."""


def is_allowed(role: Role | None, action: Action,
               classification: Classification = Classification.PUBLIC,
               scope: Scope = Scope.WRITE) -> bool:
    """Decide whether an actor may take `action` on something of `classification`.

    Args:
        role: the actor's role in the workspace, or None when not a member.
        action: what is asked.
        classification: the classification of the item concerned (PUBLIC for actions on the
            workspace itself).
        scope: the scope of the credential used (a read-only token cannot write).

    Example:
        >>> is_allowed(Role.ANALYST, Action.ITEM_READ, Classification.SECRET)
        False
    """
    if action.writes and scope is not Scope.WRITE:
        return False
    if role is None:
        return action in NON_MEMBER_ACTIONS and classification is Classification.PUBLIC
    return action in ROLE_ACTIONS[role] and classification.rank <= CLEARANCE[role].rank


def visible(role: Role | None, classification: Classification) -> bool:
    """Whether an item of `classification` shows up for `role` at all (lists, exports)."""
    return is_allowed(role, Action.ITEM_READ, classification, Scope.READ)
