"""The one access-control function against the declared table."""

from __future__ import annotations

import itertools

import pytest

from parley.domain.access import (
    ACCOUNT_ACTIONS,
    ANONYMOUS,
    CASE_ACTIONS,
    CLEARANCE,
    NON_MEMBER_ACTIONS,
    OPERATOR,
    ROLE_ACTIONS,
    AccountRole,
    Action,
    CaseAccess,
    CaseReader,
    Classification,
    Role,
    Scope,
    Visibility,
    account_role,
    audience_covers,
    case_change_refusal,
    is_allowed,
    may_read_case,
    visible,
)

ALL = list(itertools.product([*Role, None], Action, Classification, Scope, AccountRole))


@pytest.mark.parametrize(("role", "action", "classification", "scope", "account"), ALL)
def test_decision_follows_the_declared_table(role: Role | None, action: Action,
                                             classification: Classification,
                                             scope: Scope, account: AccountRole) -> None:
    expected = (
        (not action.writes or scope is Scope.WRITE)
        and (
            (action in ACCOUNT_ACTIONS[account] and classification is Classification.PUBLIC)
            if role is None
            else action in ROLE_ACTIONS[role] and classification.rank <= CLEARANCE[role].rank
        )
    )
    assert is_allowed(role, action, classification, scope, account) is expected


def test_the_case_base_is_changed_by_curators_and_admins_only() -> None:
    for action in CASE_ACTIONS:
        assert action.writes
        assert not is_allowed(None, action)  # a plain account
        assert not is_allowed(None, action, account=AccountRole.USER)
        assert is_allowed(None, action, account=AccountRole.CURATOR)
        assert is_allowed(None, action, account=AccountRole.ADMIN)
        assert not is_allowed(None, action, scope=Scope.READ, account=AccountRole.CURATOR)
        assert all(not is_allowed(r, action, account=AccountRole.ADMIN) for r in Role)
    assert ACCOUNT_ACTIONS[AccountRole.USER] == NON_MEMBER_ACTIONS
    assert account_role(is_admin=True, is_curator=False) is AccountRole.ADMIN
    assert account_role(is_admin=False, is_curator=True) is AccountRole.CURATOR
    assert account_role(is_admin=False, is_curator=False) is AccountRole.USER


V = Visibility
CASES = [CaseAccess(f"c{i}", bundled, vis, owner, ws)
         for i, (bundled, vis, owner, ws) in enumerate(itertools.product(
             [False, True], V, [None, "ana", "bob"], [None, "w1"]))]
READERS = [ANONYMOUS, OPERATOR, CaseReader("ana"), CaseReader("ana", frozenset({"w1"})),
           CaseReader("bob", frozenset({"w1"})), CaseReader("carl", frozenset({"w1"}))]


@pytest.mark.parametrize("reader", READERS)
def test_who_reads_a_case_in_words(reader: CaseReader) -> None:
    for case in CASES:
        expected = (reader.everything or case.visibility is V.PUBLIC
                    or (reader.user is not None and case.owner == reader.user)
                    or (reader.user is not None and case.visibility is V.WORKSPACE
                        and case.workspace is not None and case.workspace in reader.workspaces))
        assert may_read_case(reader, case) is expected, case


def test_who_changes_a_case() -> None:
    ana = CaseReader("ana", frozenset({"w1"}))
    bob = CaseReader("bob", frozenset({"w1"}))
    draft = CaseAccess("d", False, V.PRIVATE, "ana")
    shared = CaseAccess("s", False, V.WORKSPACE, "ana", "w1")
    published = CaseAccess("p", False, V.PUBLIC, "ana")
    bundled = CaseAccess("b", True)
    assert case_change_refusal(ana, draft) is None
    assert case_change_refusal(bob, draft) == ("missing", "no case with id 'd'")
    assert case_change_refusal(bob, shared)[0] == "owner"  # type: ignore[index]
    assert case_change_refusal(bob, published) is None
    assert case_change_refusal(OPERATOR, draft) is None
    for reader in (ana, bob, OPERATOR):
        refusal = case_change_refusal(reader, bundled)
        assert refusal is not None and refusal[0] == "bundled"
        assert refusal[1].startswith("case 'b' is a bundled case: bundled cases change only "
                                     "through a Parley release and `parley db upgrade`")


def test_a_sub_case_is_never_seen_by_more_people_than_its_parent() -> None:
    public = CaseAccess("p", False, V.PUBLIC)
    shared = CaseAccess("w", False, V.WORKSPACE, "ana", "w1")
    private = CaseAccess("x", False, V.PRIVATE, "ana")
    for child in CASES:
        assert audience_covers(public, child)
        assert audience_covers(shared, child) is (
            child.visibility is V.PRIVATE
            or (child.visibility is V.WORKSPACE and child.workspace == "w1"))
        assert audience_covers(private, child) is (child.visibility is V.PRIVATE
                                                   and child.owner == "ana")


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
