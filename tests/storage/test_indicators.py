"""Indicator series as the SQL store keeps them, on SQLite and PostgreSQL: sealed and bound to
their row (a forged column makes the series unreadable, never readable as something else).
What the monitoring service does with them runs on the fakes and both databases:
tests/services/test_monitoring.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from parley.bootstrap import Parley
from parley.domain.access import Classification
from parley.domain.monitoring import MonitorSettings
from parley.interchange.indicator_csv import read_indicator_file
from parley.storage.workspace_tables import IndicatorSeriesRow
from tests.support import build, user

DATA = Path(__file__).parents[1] / "data" / "monitoring"
SICILY = read_indicator_file(DATA / "sicily-long.csv")
SETTINGS = MonitorSettings("2005-01", 2, "stdpop")


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def test_sealed_and_bound_to_its_row(app: Parley) -> None:
    ana = user(app, "ana")
    ws = app.workspaces.create(ana, "Talks").id
    (series_id,) = app.monitoring.import_table(ana, ws, SICILY, Classification.SECRET,
                                               SETTINGS).created
    with app.db.engine.connect() as conn:
        body = conn.execute(select(IndicatorSeriesRow.body)).scalar_one()
    assert b"Sicily" not in body and b"aces" not in body
    with app.db.engine.begin() as conn:  # a forged column: the body no longer opens
        conn.execute(update(IndicatorSeriesRow).values(classification="public"))
    listed, bad = app.monitoring.list_series(ana, ws)
    assert listed == [] and bad == [series_id]
