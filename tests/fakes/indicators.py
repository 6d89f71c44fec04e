"""`IndicatorsTx` in memory: indicator series of a workspace, classified like its items.

Mirrors `storage.indicators.IndicatorRepository`: a missing workspace or series is NotFound,
series come in creation order, only those of the asked classifications are returned (a series
marked corrupt, like an item, is listed as unreadable and raises `ItemUnreadable` when
opened), `replace` checks the version and keeps the series' id and author, and a workspace
being deleted takes its series with it. Encryption is not modelled: tampering is the SQL
store's to test.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import replace

from parley.domain.access import Classification
from parley.domain.errors import NotFound
from parley.domain.monitoring import IndicatorSeries, MonitorSettings, StoredSeries
from parley.domain.workspace import ItemUnreadable
from tests.fakes.state import SeriesRec, State, check_version


class FakeIndicators:
    """`IndicatorsTx` over a `State`."""

    def __init__(self, state: State) -> None:
        self.st = state

    def _mine(self, workspace_id: str) -> list[StoredSeries]:
        self.st.workspace(workspace_id)
        return [r.stored for r in self.st.series.values() if r.stored.workspace_id == workspace_id]

    def _open(self, stored: StoredSeries) -> StoredSeries:
        if stored.id in self.st.corrupt:
            raise ItemUnreadable(stored.workspace_id, stored.id, "corrupted (fake)")
        return stored

    def _found(self, workspace_id: str, series_id: str) -> StoredSeries:
        self.st.workspace(workspace_id)
        rec = self.st.series.get(series_id)
        if rec is None or rec.stored.workspace_id != workspace_id:
            raise NotFound(f"no indicator series '{series_id}' in workspace '{workspace_id}'")
        return rec.stored

    def classifications(self, workspace_id: str) -> dict[str, Classification]:
        return {s.id: Classification(s.classification) for s in self._mine(workspace_id)}

    def series(self, workspace_id: str, classifications: Sequence[Classification]
               ) -> tuple[list[StoredSeries], list[str]]:
        wanted = {c.value for c in classifications}
        chosen = [s for s in self._mine(workspace_id) if s.classification in wanted]
        return ([s for s in chosen if s.id not in self.st.corrupt],
                [s.id for s in chosen if s.id in self.st.corrupt])

    def get(self, workspace_id: str, series_id: str) -> StoredSeries:
        return self._open(self._found(workspace_id, series_id))

    def add(self, workspace_id: str, series: IndicatorSeries, settings: MonitorSettings,
            classification: Classification, created_by: str) -> str:
        self.st.workspace(workspace_id)
        stored = StoredSeries(secrets.token_urlsafe(12), workspace_id, classification.value, 1,
                              created_by, series, settings)
        self.st.series[stored.id] = SeriesRec(stored)
        return stored.id

    def replace(self, workspace_id: str, series_id: str, series: IndicatorSeries,
                settings: MonitorSettings, classification: Classification,
                expected_version: int) -> None:
        old = self._found(workspace_id, series_id)
        check_version("indicator series", series_id, old.version, expected_version)
        self.st.series[series_id] = SeriesRec(replace(
            old, classification=classification.value, version=old.version + 1, series=series,
            settings=settings))

    def flush(self) -> None:
        """Nothing is pending in memory."""

    def feed_secret(self, workspace_id: str) -> bytes:
        """Stable per workspace and different between workspaces, as the derived key is."""
        self.st.workspace(workspace_id)
        return hashlib.sha256(b"fake-feed|" + workspace_id.encode()).digest()
