"""`VaultStore` in memory: one unit of work over the fakes of each area.

A write transaction holds one lock (like SQLite's BEGIN IMMEDIATE) and works on a deep copy of
the state that replaces it only when the block succeeds, so a refused write changes nothing,
as in `storage.vault.Vault`. What the fake does not model (master keys and their rotation,
the audit log's signed head, full-text search) raises NotImplementedError when used: those are
tested on the databases.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from parley.domain.access import Visibility
from parley.domain.account import Principal
from parley.services.ports import (
    AccountsTx,
    AuditTx,
    CaseStore,
    CasesTx,
    IndicatorsTx,
    InvitationsTx,
    KeysTx,
    ScenariosTx,
    VaultStore,
    VaultTx,
    WorkspacesTx,
)
from tests.fakes.accounts import FakeAccounts
from tests.fakes.audit import FakeAudit
from tests.fakes.cases import FakeCases, FakeCaseStore
from tests.fakes.indicators import FakeIndicators
from tests.fakes.invitations import FakeInvitations
from tests.fakes.scenarios import FakeScenarios
from tests.fakes.state import State, UserRec, now
from tests.fakes.workspaces import FakeWorkspaces


class FakeKeys:
    """`KeysTx`: every data key is wrapped with master key version 1 (the fake never rotates)."""

    def __init__(self, state: State) -> None:
        self.st = state

    def key_versions_in_use(self) -> set[int]:
        return {1} if self.st.workspaces else set()


class FakeTx:
    """`VaultTx` over one `State`."""

    def __init__(self, state: State) -> None:
        self._accounts = FakeAccounts(state)
        self._workspaces = FakeWorkspaces(state)
        self._audit = FakeAudit(state.audit, state.audit_key)
        self._keys = FakeKeys(state)
        self._invitations = FakeInvitations(state)
        self._scenarios = FakeScenarios(state)
        self._cases = FakeCases(state)
        self._indicators = FakeIndicators(state)

    @property
    def accounts(self) -> AccountsTx:
        return self._accounts

    @property
    def workspaces(self) -> WorkspacesTx:
        return self._workspaces

    @property
    def audit(self) -> AuditTx:
        return self._audit

    @property
    def keys(self) -> KeysTx:
        return self._keys

    @property
    def invitations(self) -> InvitationsTx:
        return self._invitations

    @property
    def scenarios(self) -> ScenariosTx:
        return self._scenarios

    @property
    def cases(self) -> CasesTx:
        return self._cases

    @property
    def indicators(self) -> IndicatorsTx:
        return self._indicators


class FakeVault:
    """`VaultStore` in memory: serialised, all-or-nothing writes; reads see committed state."""

    def __init__(self) -> None:
        self.state = State()
        self._lock = threading.RLock()

    def add_user(self, name: str, *, admin: bool = False) -> Principal:
        """A user without a password (the services' rules, not sign-in, are under test)."""
        self.state.users[name] = UserRec(name, "", admin, now())
        return Principal(name, admin)

    def corrupt(self, item_id: str) -> None:
        """Make an item or a series fail its integrity check, as a row edited without the
        key does."""
        self.state.corrupt.add(item_id)

    def edit_case(self, case_id: str, visibility: Visibility, owner: str | None) -> None:
        """Change a stored case's access behind the services' back, as an edit of its row in
        the database does (for the bundled cases' restore)."""
        rec = self.state.cases[case_id]
        self.state.cases[case_id] = replace(rec, visibility=visibility, owner=owner)

    def case_store(self) -> FakeCaseStore:
        """The case base's reads (`CaseStore`) on what this vault has committed."""
        return FakeCaseStore(lambda: self.state)

    @contextmanager
    def read(self) -> Iterator[VaultTx]:
        with self._lock:
            snapshot = copy.deepcopy(self.state)
        yield FakeTx(snapshot)

    @contextmanager
    def write(self) -> Iterator[VaultTx]:
        with self._lock:
            draft = copy.deepcopy(self.state)
            yield FakeTx(draft)
            self.state = draft

    def rotate(self) -> tuple[int, int]:
        raise NotImplementedError("the fake vault has no master keys: test rotation on a database")

    def scrub(self) -> None:
        """Nothing lingers in memory once replaced."""


def _conforms(vault: FakeVault, tx: FakeTx, scenarios: FakeScenarios, cases: FakeCases,
              indicators: FakeIndicators, store: FakeCaseStore
              ) -> tuple[VaultStore, VaultTx, ScenariosTx, CasesTx, IndicatorsTx, CaseStore]:
    """Never called: mypy checks here that the fakes implement the ports' Protocols."""
    return vault, tx, scenarios, cases, indicators, store
