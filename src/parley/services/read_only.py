"""A case-base store for a reader that must not write (the Python library): what it computes
stays in this process.

The server and the CLI store the outlook's evaluation per case-base revision so that no
request recomputes it; a library session promises to leave the database as it found it, so an
evaluation it has to compute is kept here instead and used like a stored one."""

from __future__ import annotations

from parley.services.ports import CaseBaseSnapshot, CaseBaseStore, PublicCases, StoredEvaluation


class EvaluationsInMemory:
    """`inner` for every read; evaluations "stored" are kept in memory and read first."""

    def __init__(self, inner: CaseBaseStore) -> None:
        self._inner = inner
        self._kept: list[StoredEvaluation] = []

    def revision(self) -> int:
        return self._inner.revision()

    def bundled_synced(self, digest: str) -> bool:
        return self._inner.bundled_synced(digest)

    def snapshot(self) -> CaseBaseSnapshot:
        return self._inner.snapshot()

    def public_cases(self) -> PublicCases:
        return self._inner.public_cases()

    def public_digest(self) -> tuple[int, str]:
        return self._inner.public_digest()

    def public_count(self) -> int:
        return self._inner.public_count()

    def latest_evaluation(self, settings_digest: str) -> StoredEvaluation | None:
        mine = [e for e in self._kept if e.settings_digest == settings_digest]
        stored = self._inner.latest_evaluation(settings_digest)
        candidates = [*mine, *([stored] if stored is not None else [])]
        return max(candidates, key=lambda e: e.revision, default=None)

    def latest_evaluation_revision(self, settings_digest: str) -> int | None:
        latest = self.latest_evaluation(settings_digest)
        return None if latest is None else latest.revision

    def evaluation_of(self, settings_digest: str, public_digest: str
                      ) -> StoredEvaluation | None:
        mine = [e for e in self._kept
                if e.settings_digest == settings_digest and e.public_digest == public_digest]
        stored = self._inner.evaluation_of(settings_digest, public_digest)
        candidates = [*mine, *([stored] if stored is not None else [])]
        return max(candidates, key=lambda e: e.revision, default=None)

    def store_evaluation(self, evaluation: StoredEvaluation, *,
                         replace: bool = False) -> None:
        """Keep it; as the database does, one kept for the same revision and settings wins
        unless `replace` (it did not parse)."""
        same = [e for e in self._kept if (e.revision, e.settings_digest)
                == (evaluation.revision, evaluation.settings_digest)]
        if same and not replace:
            return
        self._kept = [e for e in self._kept if e not in same] + [evaluation]
