"""An in-memory `CaseBaseStore` (services/ports.py): a fixed list of public cases at one
revision, and the evaluations stored in a dict. For service tests that need a case base the
database does not hold (e.g. one with an edited case)."""

from __future__ import annotations

import hashlib
import json

from parley.domain.access import Visibility
from parley.domain.case import Case, case_to_dict
from parley.domain.listing import StoredCase
from parley.services.ports import CaseBaseSnapshot, PoolRow, PublicCases, StoredEvaluation


class FakeCaseBase:
    def __init__(self, cases: list[Case], revision: int = 1,
                 access: dict[str, StoredCase] | None = None) -> None:
        """`access` gives some cases an owner, a visibility and a workspace (public
        otherwise); the public cases are the ones `public_cases` returns."""
        self.access = access or {}
        self.all = sorted(cases, key=lambda c: c.id)
        self.cases = [c for c in self.all if c.id not in self.access
                      or self.access[c.id].visibility is Visibility.PUBLIC]
        self.rev = revision
        self.stored: dict[tuple[int, str], StoredEvaluation] = {}

    def revision(self) -> int:
        return self.rev

    def bundled_synced(self, digest: str) -> bool:
        return True

    def snapshot(self) -> CaseBaseSnapshot:
        def row(case: Case) -> PoolRow:
            stored = self.access.get(case.id, StoredCase(case, "user", 1))
            return PoolRow(case.id, case.title, case.summary, case.parent,
                           str(case.value("outcome_class")),
                           {k: v.value for k, v in case.values.items() if k != "outcome_class"},
                           stored.visibility, stored.owner, stored.workspace)

        return CaseBaseSnapshot(self.rev, tuple(row(c) for c in self.all))

    def _digest(self) -> str:
        text = json.dumps([case_to_dict(c) for c in self.cases], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def public_digest(self) -> tuple[int, str]:
        return self.rev, self._digest()

    def public_count(self) -> int:
        return len(self.cases)

    def public_cases(self) -> PublicCases:
        return PublicCases(self.rev, tuple(self.cases), self._digest())

    def latest_evaluation(self, settings_digest: str) -> StoredEvaluation | None:
        mine = [e for (_, d), e in self.stored.items() if d == settings_digest]
        return max(mine, key=lambda e: e.revision, default=None)

    def latest_evaluation_revision(self, settings_digest: str) -> int | None:
        latest = self.latest_evaluation(settings_digest)
        return None if latest is None else latest.revision

    def evaluation_of(self, settings_digest: str, public_digest: str
                      ) -> StoredEvaluation | None:
        mine = [e for (_, d), e in self.stored.items()
                if d == settings_digest and e.public_digest == public_digest]
        return max(mine, key=lambda e: e.revision, default=None)

    def store_evaluation(self, evaluation: StoredEvaluation, *, replace: bool = False) -> None:
        key = (evaluation.revision, evaluation.settings_digest)
        if replace or key not in self.stored:
            self.stored[key] = evaluation
