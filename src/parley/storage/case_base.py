"""The case base's revision and the outlook evaluations stored per revision.

The revision is raised by trigger on every change of `cases` (migration 0012), so it moves in
the very transaction of the change whatever made it. Reads that must see one revision's cases
read the revision before and after, and retry when a change slipped in between (READ COMMITTED
on PostgreSQL gives each statement its own snapshot).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parley.domain.access import Visibility
from parley.domain.case import parse_case
from parley.domain.codebook import Codebook
from parley.services.ports import CaseBaseSnapshot, PoolRow, PublicCases, StoredEvaluation
from parley.storage.case_rows import POOL_COLUMNS, PoolRowDecoder, public_digest
from parley.storage.database import Database
from parley.storage.tables import CaseBaseEvaluationRow, CaseBaseStateRow, CaseRow

T = TypeVar("T")
OUTCOME = "outcome_class"
RETRIES = 20


class CaseBaseRevisions:
    """`CaseBaseStore` over one database."""

    def __init__(self, db: Database, codebook: Codebook) -> None:
        self.db = db
        self.codebook = codebook

    @staticmethod
    def _revision(s: Session) -> int:
        value = s.scalar(select(CaseBaseStateRow.revision).where(CaseBaseStateRow.id == 1))
        if value is None:
            raise RuntimeError("case_base_state has no row: run `parley db upgrade`")
        return int(value)

    def revision(self) -> int:
        with self.db.read() as s:
            return self._revision(s)

    def bundled_synced(self, digest: str) -> bool:
        """Whether the bundled files of `digest` were synced and no case changed since."""
        with self.db.read() as s:
            row = s.get(CaseBaseStateRow, 1)
            return (row is not None and row.bundled_digest == digest
                    and row.bundled_revision == row.revision)

    def _consistent(self, read: Callable[[Session], T]) -> tuple[int, T]:
        """`read` of one revision: the revision did not move while it ran."""
        for _ in range(RETRIES):
            with self.db.read() as s:
                before = self._revision(s)
                out = read(s)
                s.commit()  # a new snapshot for the check below (PostgreSQL, SQLite WAL)
                if self._revision(s) == before:
                    return before, out
        raise RuntimeError("the case base kept changing while being read")

    def snapshot(self) -> CaseBaseSnapshot:
        """Every stored case at one revision, as pool rows (`case_rows.PoolRowDecoder`)."""
        row = PoolRowDecoder(self.codebook)
        columns = [getattr(CaseRow, name) for name in POOL_COLUMNS]

        def read(s: Session) -> tuple[PoolRow, ...]:
            return tuple(row(tuple(r)) for r in s.execute(select(*columns).order_by(CaseRow.id)))

        revision, cases = self._consistent(read)
        return CaseBaseSnapshot(revision, cases)

    @staticmethod
    def _public_rows(s: Session) -> list[tuple[str, str, str]]:
        stmt = (select(CaseRow.id, CaseRow.content_hash, CaseRow.document)
                .where(CaseRow.visibility == Visibility.PUBLIC.value).order_by(CaseRow.id))
        return [(i, h, d) for i, h, d in s.execute(stmt)]

    def public_digest(self) -> tuple[int, str]:
        def read(s: Session) -> str:
            stmt = (select(CaseRow.id, CaseRow.content_hash)
                    .where(CaseRow.visibility == Visibility.PUBLIC.value).order_by(CaseRow.id))
            return public_digest([(i, h) for i, h in s.execute(stmt)])

        return self._consistent(read)

    def public_count(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(CaseRow)
                                .where(CaseRow.visibility == Visibility.PUBLIC.value)) or 0)

    def public_cases(self) -> PublicCases:
        revision, rows = self._consistent(self._public_rows)
        cases = tuple(parse_case(json.loads(d), self.codebook, file=f"database:{i}")
                      for i, _, d in rows)
        return PublicCases(revision, cases, public_digest([(i, h) for i, h, _ in rows]))

    @staticmethod
    def _stored(row: CaseBaseEvaluationRow) -> StoredEvaluation:
        return StoredEvaluation(row.revision, row.settings_digest, row.public_digest,
                                row.n_public, row.result, row.computed_at, row.seconds)

    def latest_evaluation(self, settings_digest: str) -> StoredEvaluation | None:
        with self.db.read() as s:
            row = s.scalars(select(CaseBaseEvaluationRow)
                            .where(CaseBaseEvaluationRow.settings_digest == settings_digest)
                            .order_by(CaseBaseEvaluationRow.revision.desc()).limit(1)).first()
            return None if row is None else self._stored(row)

    def latest_evaluation_revision(self, settings_digest: str) -> int | None:
        with self.db.read() as s:
            value = s.scalar(select(func.max(CaseBaseEvaluationRow.revision))
                             .where(CaseBaseEvaluationRow.settings_digest == settings_digest))
            return None if value is None else int(value)

    def evaluation_of(self, settings_digest: str, public_digest: str
                      ) -> StoredEvaluation | None:
        with self.db.read() as s:
            row = s.scalars(select(CaseBaseEvaluationRow)
                            .where(CaseBaseEvaluationRow.settings_digest == settings_digest,
                                   CaseBaseEvaluationRow.public_digest == public_digest)
                            .order_by(CaseBaseEvaluationRow.revision.desc()).limit(1)).first()
            return None if row is None else self._stored(row)

    def store_evaluation(self, evaluation: StoredEvaluation, *,
                         replace: bool = False) -> None:
        """Store it; one already stored for the same revision and settings wins (two
        processes that computed the same thing) unless `replace` (it did not parse)."""
        try:
            with self.db.write() as s:
                old = s.get(CaseBaseEvaluationRow, (evaluation.revision,
                                                    evaluation.settings_digest))
                if old is not None and not replace:
                    return
                if old is not None:
                    s.delete(old)
                    s.flush()
                s.add(CaseBaseEvaluationRow(
                    revision=evaluation.revision, settings_digest=evaluation.settings_digest,
                    public_digest=evaluation.public_digest, n_public=evaluation.n_public,
                    result=evaluation.result, computed_at=evaluation.computed_at,
                    seconds=evaluation.seconds))
        except IntegrityError:
            return
