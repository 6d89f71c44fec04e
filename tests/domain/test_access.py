"""The one access-control function against the declared table."""

from __future__ import annotations

import itertools

import pytest

from parley.domain.access import (
    CLEARANCE,
    NON_MEMBER_ACTIONS,
    ROLE_ACTIONS,
    Action,
    Classification,
    Role,
    Scope,
    is_allowed,
    visible,
)

ALL = list(itertools.product([*Role, None], Action, Classification, Scope))


@pytest.mark.parametrize(("role", "action", "classification", "scope"), ALL)
def test_decision_follows_the_declared_table(role: Role | None, action: Action,
                                             classification: Classification,
                                             scope: Scope) -> None:
    expected = (
        (not action.writes or scope is Scope.WRITE)
        and (
            (action in NON_MEMBER_ACTIONS and classification is Classification.PUBLIC)
            if role is None
            else action in ROLE_ACTIONS[role] and classification.rank <= CLEARANCE[role].rank
        )
    )
    assert is_allowed(role, action, classification, scope) is expected


def test_the_roles_in_words() -> None:
    s, r, p = Classification.SECRET, Classification.RESTRICTED, Classification.PUBLIC
    assert is_allowed(Role.OWNER, Action.AUDIT_READ)
    assert not is_allowed(Role.NEGOTIATOR, Action.AUDIT_READ)
    assert is_allowed(Role.NEGOTIATOR, Action.ITEM_DELETE, s)
    assert is_allowed(Role.ANALYST, Action.ITEM_UPDATE, r)
    assert not is_allowed(Role.ANALYST, Action.ITEM_READ, s)
    assert not is_allowed(Role.ANALYST, Action.ITEM_DELETE, p)
    assert is_allowed(Role.OBSERVER, Action.ITEM_READ, p)
    assert not is_allowed(Role.OBSERVER, Action.ITEM_READ, r)
    assert not is_allowed(Role.OBSERVER, Action.ITEM_CREATE, p)
    assert not is_allowed(None, Action.WORKSPACE_READ)
    assert is_allowed(None, Action.ACCOUNT_USE)


def test_read_scope_never_writes() -> None:
    for action in Action:
        assert is_allowed(Role.OWNER, action, scope=Scope.READ) is (not action.writes)


def test_visibility_is_clearance() -> None:
    assert visible(Role.ANALYST, Classification.RESTRICTED)
    assert not visible(Role.ANALYST, Classification.SECRET)
    assert not visible(None, Classification.PUBLIC)
