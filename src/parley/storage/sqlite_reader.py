"""A read-only view of an SQLite case base through the standard library's `sqlite3`.

The cold `parley assess` (`parley.quick`) reads the case base and the stored outlook fit
without SQLAlchemy, whose import alone costs more than the command's whole budget. Everything
is read in one read transaction, so the revision, the cases and the fit belong together (no
retry loop as in `case_base`). It writes nothing: a path that would need to store something
raises `ReadOnlyCaseBase`, and the caller takes the full path instead.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from types import TracebackType

from parley.domain.access import Visibility
from parley.domain.case import parse_case
from parley.domain.codebook import Codebook
from parley.services.ports import CaseBaseSnapshot, PublicCases, StoredEvaluation
from parley.storage.case_rows import POOL_COLUMNS, PoolRowDecoder, public_digest
from parley.storage.packing import unpack_document

_POOL_SELECT = f"SELECT {', '.join(POOL_COLUMNS)} FROM cases ORDER BY id"  # noqa: S608 - constants


class ReadOnlyCaseBase(RuntimeError):
    """The read-only reader was asked to store something."""


class SqliteCaseBase:
    """`CaseBaseStore`, read-only, over one SQLite file, in one read transaction."""

    def __init__(self, path: Path, codebook: Codebook) -> None:
        self.codebook = codebook
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                     check_same_thread=False)
        try:
            self._conn.execute("PRAGMA busy_timeout = 5000")
            self._conn.execute("BEGIN")
            self._conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # snapshot
        except sqlite3.Error:
            self._conn.close()
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteCaseBase:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def migration(self) -> str | None:
        """The Alembic revision the file is at (None: never migrated)."""
        try:
            row = self._conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
        return None if row is None else str(row[0])

    def _state(self) -> tuple[int, str | None, int | None]:
        row = self._conn.execute("SELECT revision, bundled_digest, bundled_revision "
                                 "FROM case_base_state WHERE id = 1").fetchone()
        if row is None:
            raise RuntimeError("case_base_state has no row: run `parley db upgrade`")
        return int(row[0]), row[1], None if row[2] is None else int(row[2])

    def revision(self) -> int:
        return self._state()[0]

    def bundled_synced(self, digest: str) -> bool:
        revision, synced_digest, synced_revision = self._state()
        return synced_digest == digest and synced_revision == revision

    def snapshot(self) -> CaseBaseSnapshot:
        decode = PoolRowDecoder(self.codebook)
        rows = self._conn.execute(_POOL_SELECT)
        return CaseBaseSnapshot(self.revision(), tuple(decode(tuple(r)) for r in rows))

    def _public(self) -> list[tuple[str, str, str]]:
        rows = self._conn.execute("SELECT id, content_hash, document FROM cases "
                                  "WHERE visibility = ? ORDER BY id", (Visibility.PUBLIC.value,))
        return [(str(i), str(h), unpack_document(d)) for i, h, d in rows]

    def public_digest(self) -> tuple[int, str]:
        return self.revision(), public_digest((i, h) for i, h, _ in self._public())

    def public_count(self) -> int:
        row = self._conn.execute("SELECT count(*) FROM cases WHERE visibility = ?",
                                 (Visibility.PUBLIC.value,)).fetchone()
        return int(row[0])

    def public_cases(self) -> PublicCases:
        rows = self._public()
        cases = tuple(parse_case(json.loads(d), self.codebook, file=f"database:{i}")
                      for i, _, d in rows)
        return PublicCases(self.revision(), cases, public_digest((i, h) for i, h, _ in rows))

    _EVALUATION = ("SELECT revision, settings_digest, public_digest, n_public, result, "
                   "computed_at, seconds FROM case_base_evaluations ")

    def _evaluation(self, where: str, *args: str) -> StoredEvaluation | None:
        row = self._conn.execute(self._EVALUATION + where + " ORDER BY revision DESC LIMIT 1",
                                 args).fetchone()
        if row is None:
            return None
        revision, settings, public, n_public, result, computed_at, seconds = row
        return StoredEvaluation(int(revision), str(settings), str(public), int(n_public),
                                str(result), datetime.fromisoformat(str(computed_at)),
                                float(seconds))

    def latest_evaluation(self, settings_digest: str) -> StoredEvaluation | None:
        return self._evaluation("WHERE settings_digest = ?", settings_digest)

    def latest_evaluation_revision(self, settings_digest: str) -> int | None:
        row = self._conn.execute("SELECT max(revision) FROM case_base_evaluations "
                                 "WHERE settings_digest = ?", (settings_digest,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def evaluation_of(self, settings_digest: str, public_digest: str
                      ) -> StoredEvaluation | None:
        return self._evaluation("WHERE settings_digest = ? AND public_digest = ?",
                                settings_digest, public_digest)

    def store_evaluation(self, evaluation: StoredEvaluation, *,
                         replace: bool = False) -> None:
        raise ReadOnlyCaseBase(f"the read-only reader cannot store the evaluation of revision "
                               f"{evaluation.revision}")
