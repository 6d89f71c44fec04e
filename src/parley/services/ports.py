"""Protocols the storage adapters implement; services depend on these, never on storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from parley.domain.case import Case
from parley.domain.listing import CasePage, StoredCase, SyncReport
from parley.domain.query import Node
from parley.domain.scenario import SavedScenario, Scenario


class CaseStore(Protocol):
    def get(self, case_id: str) -> StoredCase: ...

    def ids(self) -> set[str]: ...

    def count(self) -> int: ...

    def children(self, case_id: str) -> list[str]: ...

    def all_cases(self, where: Node | None = None) -> list[Case]: ...

    def list_cases(
        self,
        where: Node | None = None,
        search: str | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        facets: Sequence[str] = (),
    ) -> CasePage: ...

    def import_cases(self, cases: Sequence[Case], *, replace: bool = False) -> list[str]: ...

    def sync_bundled(self, cases: Sequence[Case]) -> SyncReport: ...


class ScenarioStore(Protocol):
    def save(self, scenario: Scenario) -> str: ...

    def get(self, scenario_id: str) -> SavedScenario: ...

    def recent(self, limit: int = 50) -> list[SavedScenario]: ...
