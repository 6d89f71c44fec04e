"""The alert rules and the before/after table (pure; no disk)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np

from parley.analysis.alerts import before_after, item_alerts, violence_alerts
from parley.analysis.its import ItsSpec, fit_its
from parley.domain.access import Classification
from parley.domain.monitoring import AlertKind, IndicatorSeries, Period, Point, period_label
from parley.domain.workspace import Item, ItemKind


def _series(values: list[float]) -> IndicatorSeries:
    o = 2015 * 12
    pts = tuple(Point(period_label(Period.MONTH, date((o + i) // 12, (o + i) % 12 + 1, 1)),
                      date((o + i) // 12, (o + i) % 12 + 1, 1), o + i, v)
                for i, v in enumerate(values))
    return IndicatorSeries("Town", "homicides", Period.MONTH, pts)


def test_violence_back_up_for_the_last_periods() -> None:
    rng = np.random.default_rng(11)
    held = [float(v) for v in rng.poisson([50] * 24 + [30] * 24)]
    failed = [*held[:-3], 55.0, 58.0, 60.0]
    spec = ItsSpec(date(2017, 1, 1), slope_change=True)
    assert not [a for a in violence_alerts("s", fit_its(_series(held), spec))
                if "back to the level" in a.title]
    alerts = violence_alerts("s", fit_its(_series(failed), spec))
    back = [a for a in alerts if "back to the level" in a.title]
    assert len(back) == 1 and back[0].kind is AlertKind.VIOLENCE_UP
    assert back[0].date == "2018-12" and "2018-10 to 2018-12" in back[0].detail


def test_significant_upward_slope_change() -> None:
    values = [40.0 + (i % 3) for i in range(24)] + [25.0 + 1.2 * i for i in range(24)]
    result = fit_its(_series(values), ItsSpec(date(2017, 1, 1), slope_change=True))
    assert result.slope_change is not None and result.slope_change.p < 0.05
    assert any("rising since the deal" in a.title for a in violence_alerts("s", result))


def _item(kind: ItemKind, **fields: object) -> Item:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return Item(f"i{len(fields)}{kind.value}", "w", kind, Classification.PUBLIC, fields, 1, "a",
                at, at)


def test_commitments_and_breaches() -> None:
    items = [
        _item(ItemKind.COMMITMENT, text="Disarm", status="agreed", deadline="2024-03-01"),
        _item(ItemKind.COMMITMENT, text="Release", status="fulfilled", deadline="2024-03-01"),
        _item(ItemKind.COMMITMENT, text="Future", status="agreed", deadline="2024-09-01"),
        _item(ItemKind.COMMITMENT, text="Stop", status="breached"),
        _item(ItemKind.BREACH, date="2024-04-02", description="Shots", status="open"),
        _item(ItemKind.BREACH, date="2024-04-03", description="Old", status="resolved"),
        _item(ItemKind.INCIDENT, date="2024-04-04", type="violence", description="Fight"),
    ]
    found = item_alerts(items, date(2024, 6, 1))
    assert [(a.kind, a.title) for a in found] == [
        (AlertKind.COMMITMENT_OVERDUE, "Commitment overdue: Disarm"),
        (AlertKind.BREACH, "Commitment breached: Stop"),
        (AlertKind.BREACH, "Breach recorded: Breach 2024-04-02"),
    ]


def test_before_after_means_and_interval() -> None:
    s = _series([10, 12, 14, 5, 6, 7])
    (row,) = before_after([s], date(2015, 4, 1))
    assert (row.n_before, row.n_after, row.mean_before, row.mean_after) == (3, 3, 12, 6)
    assert row.change == 0.5
    assert row.ci is not None and row.ci[0] < 0.5 < row.ci[1]
    se = math.sqrt(1 / (3 * 36) + 4 / (3 * 144))
    assert math.isclose(row.ci[0], 0.5 * math.exp(-1.959963984540054 * se))
    (empty,) = before_after([s], date(2010, 1, 1))
    assert empty.n_before == 0 and empty.change is None
