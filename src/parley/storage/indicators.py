"""Indicator series of a workspace, sealed like items (`workspaces.py`).

Each series is one row whose body is `BOUND || sealed JSON` under the workspace's data key, with
associated data binding workspace, series id, row version and classification: a row edited,
swapped, rolled back or forged fails to open and is reported unreadable. Locality and indicator
names are in the body, never in a column (a place name can be sensitive).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.domain.access import Classification
from parley.domain.errors import ConfigurationError, NotFound
from parley.domain.monitoring import (
    IndicatorSeries,
    MonitorSettings,
    Period,
    Point,
    StoredSeries,
    parse_period_label,
    period_ordinal,
)
from parley.domain.workspace import ItemUnreadable
from parley.storage.keys import derive, seal, unseal
from parley.storage.records import check_version, new_id, now
from parley.storage.workspace_tables import IndicatorSeriesRow, WorkspaceRow

BOUND = b"\x02"

if TYPE_CHECKING:
    from parley.storage.vault import Vault


def _aad(ws_id: str, series_id: str, version: int, classification: str) -> str:
    return f"indicators/1|{ws_id}|{series_id}|{version}|{classification}"


def encode_series(series: IndicatorSeries, settings: MonitorSettings) -> bytes:
    points: list[list[Any]] = [
        [p.label, p.value, p.population, dict(p.covariates) or None] for p in series.points]
    doc = {"locality": series.locality, "indicator": series.indicator,
           "period": series.period.value,
           "settings": {"intervention": settings.intervention,
                        "seasonality": settings.seasonality, "offset": settings.offset},
           "points": points}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_series(raw: bytes) -> tuple[IndicatorSeries, MonitorSettings]:
    doc = json.loads(raw)
    period = Period(doc["period"])
    points = []
    for label, value, population, covariates in doc["points"]:
        _, start = parse_period_label(label)
        points.append(Point(label, start, period_ordinal(period, start), float(value),
                            None if population is None else float(population),
                            covariates or {}))
    s = doc["settings"]
    return (IndicatorSeries(doc["locality"], doc["indicator"], period, tuple(points)),
            MonitorSettings(s.get("intervention"), int(s.get("seasonality") or 0),
                            s.get("offset")))


class IndicatorRepository:
    """Indicator series rows inside one transaction of the confidential store."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self.s = session
        self.vault = vault
        self._rows: dict[str, WorkspaceRow] = {}  # looked up once per transaction

    def _ws(self, workspace_id: str) -> WorkspaceRow:
        row = self._rows.get(workspace_id)
        if row is None:
            row = self.s.scalars(select(WorkspaceRow).where(WorkspaceRow.id == workspace_id)
                                 ).first()
            if row is None:
                raise NotFound(f"no workspace '{workspace_id}'")
            self._rows[workspace_id] = row
        return row

    def _key(self, ws: WorkspaceRow) -> bytes:
        return self.vault.data_key(ws.id, ws.data_key, ws.key_version)

    def _open(self, ws: WorkspaceRow, row: IndicatorSeriesRow) -> StoredSeries:
        if row.body[:1] != BOUND:
            raise ItemUnreadable(ws.id, row.id, "unknown body format")
        key = self._key(ws)
        try:
            raw = unseal(key, row.body[1:], _aad(ws.id, row.id, row.version, row.classification))
            series, settings = decode_series(raw)
        except ConfigurationError:
            raise ItemUnreadable(ws.id, row.id, "its body does not open for its workspace, id, "
                                 "version and classification (edited, swapped, rolled back or "
                                 "forged)") from None
        except (ValueError, KeyError, TypeError):
            raise ItemUnreadable(ws.id, row.id, "its body is not a series") from None
        return StoredSeries(row.id, ws.id, row.classification, row.version, row.created_by,
                            series, settings)

    def classifications(self, workspace_id: str) -> dict[str, Classification]:
        """Every series' id and classification (nothing decrypted); unknown values count as
        secret."""
        rows = self.s.execute(
            select(IndicatorSeriesRow.id, IndicatorSeriesRow.classification)
            .where(IndicatorSeriesRow.workspace_pk == self._ws(workspace_id).pk)
            .order_by(IndicatorSeriesRow.pk)).all()
        out: dict[str, Classification] = {}
        for series_id, c in rows:
            try:
                out[series_id] = Classification(c)
            except ValueError:
                out[series_id] = Classification.SECRET
        return out

    def series(self, workspace_id: str, classifications: Sequence[Classification]
               ) -> tuple[list[StoredSeries], list[str]]:
        """Series of the given classifications only (others never decrypted), and the ids of
        those that fail their integrity check."""
        ws = self._ws(workspace_id)
        rows = self.s.scalars(select(IndicatorSeriesRow).where(
            IndicatorSeriesRow.workspace_pk == ws.pk,
            IndicatorSeriesRow.classification.in_([c.value for c in classifications]))
            .order_by(IndicatorSeriesRow.pk)).all()
        good: list[StoredSeries] = []
        bad: list[str] = []
        for row in rows:
            try:
                good.append(self._open(ws, row))
            except ItemUnreadable:
                bad.append(row.id)
        return good, bad

    def get(self, workspace_id: str, series_id: str) -> StoredSeries:
        ws = self._ws(workspace_id)
        row = self._row(ws, series_id)
        return self._open(ws, row)

    def _row(self, ws: WorkspaceRow, series_id: str) -> IndicatorSeriesRow:
        row = self.s.scalars(select(IndicatorSeriesRow).where(
            IndicatorSeriesRow.id == series_id, IndicatorSeriesRow.workspace_pk == ws.pk)).first()
        if row is None:
            raise NotFound(f"no indicator series '{series_id}' in workspace '{ws.id}'")
        return row

    def add(self, workspace_id: str, series: IndicatorSeries, settings: MonitorSettings,
            classification: Classification, created_by: str) -> str:
        ws = self._ws(workspace_id)
        series_id = new_id()
        body = BOUND + seal(self._key(ws), encode_series(series, settings),
                            _aad(ws.id, series_id, 1, classification.value))
        self.s.add(IndicatorSeriesRow(id=series_id, workspace_pk=ws.pk,
                                      classification=classification.value, body=body,
                                      created_by=created_by, version=1, created_at=now(),
                                      updated_at=now()))
        return series_id

    def replace(self, workspace_id: str, series_id: str, series: IndicatorSeries,
                settings: MonitorSettings, classification: Classification,
                expected_version: int) -> None:
        ws = self._ws(workspace_id)
        row = self._row(ws, series_id)
        check_version("indicator series", series_id, row.version, expected_version)
        row.classification = classification.value
        # SQLAlchemy's optimistic lock sets version + 1 in this UPDATE: the body is bound to it
        row.body = BOUND + seal(self._key(ws), encode_series(series, settings),
                                _aad(ws.id, series_id, row.version + 1, classification.value))

    def flush(self) -> None:
        self.s.flush()

    def feed_secret(self, workspace_id: str) -> bytes:
        """A key for the members' Atom feed tokens, derived from the workspace's data key."""
        return derive(self._key(self._ws(workspace_id)), "alerts-feed")
