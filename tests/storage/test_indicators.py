"""Indicator series stored per workspace, on SQLite and PostgreSQL through the real service:
classified like items (above clearance: 404, never listed), sealed and bound to their row,
imports all or nothing and audited, replacement version-checked, reads of restricted series
audited, alerts and the feed token."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from parley.domain.monitoring import AlertKind, MonitorSettings
from parley.interchange.indicator_csv import parse_indicator_text, read_indicator_file
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


def _events(app: Parley, workspace: str) -> list[tuple[str, Mapping[str, Any]]]:
    with app.vault.read() as tx:
        return [(e.event, e.details) for e in tx.audit.audit_entries(workspace)]


def test_import_list_and_its_by_clearance(app: Parley) -> None:
    ana, obs, bob = user(app, "ana"), user(app, "obs"), user(app, "bob")
    eve = user(app, "eve")
    ws = app.workspaces.create(ana, "Talks").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    app.workspaces.set_member(ana, ws, "bob", Role.ANALYST)
    report = app.monitoring.import_table(ana, ws, SICILY, Classification.RESTRICTED, SETTINGS)
    assert report.rows == 59 and len(report.created) == 1 and report.gaps == ()
    (series_id,) = report.created
    listed, bad = app.monitoring.list_series(bob, ws)
    assert [s.id for s in listed] == [series_id] and bad == []
    assert listed[0].series.points == SICILY.series[0].points
    assert app.monitoring.list_series(obs, ws) == ([], [])  # above an observer's clearance
    with pytest.raises(NotFound):
        app.monitoring.get_series(obs, ws, series_id)
    with pytest.raises(NotFound):
        app.monitoring.list_series(eve, ws)  # not a member: no such workspace
    with pytest.raises(Forbidden):
        app.monitoring.import_table(obs, ws, SICILY, Classification.PUBLIC, SETTINGS)
    _, result = app.monitoring.its(bob, ws, series_id)
    assert round(result.level_change.rate_ratio, 3) == 0.885
    events = _events(app, ws)
    assert ("indicators.imported", {"created": [series_id], "replaced": [], "rows": 59,
                                    "classification": "restricted"}) in events
    reads = [d for e, d in events if e == "indicators.read"]
    assert {"series": [series_id], "purpose": "list"} in reads
    assert {"series": [series_id], "purpose": "its"} in reads


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


def test_import_is_all_or_nothing_and_replace_is_explicit(app: Parley) -> None:
    ana = user(app, "ana")
    ws = app.workspaces.create(ana, "Talks").id
    app.monitoring.import_table(ana, ws, SICILY, Classification.PUBLIC, SETTINGS)
    two = parse_indicator_text("date,locality,indicator,value\n2005-01,Palermo,aces,3\n"
                               "2005-01,Sicily,aces,5\n", "two.csv")
    with pytest.raises(Conflict, match="Sicily / aces is already stored"):
        app.monitoring.import_table(ana, ws, two, Classification.PUBLIC, MonitorSettings())
    assert len(app.monitoring.list_series(ana, ws)[0]) == 1  # Palermo was not stored either
    report = app.monitoring.import_table(ana, ws, two, Classification.PUBLIC, MonitorSettings(),
                                         replace_existing=True)
    assert len(report.created) == 1 and len(report.replaced) == 1
    stored = {s.series.locality: s for s in app.monitoring.list_series(ana, ws)[0]}
    assert stored["Sicily"].version == 2 and len(stored["Sicily"].series.points) == 1
    with pytest.raises(InvalidInput, match="offset: no column 'nope'"):
        app.monitoring.import_table(ana, ws, two, Classification.PUBLIC,
                                    MonitorSettings(offset="nope"))


def test_alerts_and_feed(app: Parley) -> None:
    ana, obs = user(app, "ana"), user(app, "obs")
    ws = app.workspaces.create(ana, "Talks").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    months = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]
    values = [40] * 24 + [20] * 18 + [45, 48, 50, 47, 52, 55]  # the truce holds, then fails
    text = "date,locality,indicator,value\n" + "".join(
        f"{m},Town,homicides,{v + (i % 3)}\n" for i, (m, v) in enumerate(zip(months, values, strict=True)))
    app.monitoring.import_table(ana, ws, parse_indicator_text(text, "t.csv"),
                                Classification.PUBLIC, MonitorSettings("2012-01"))
    app.workspaces.create_item(ana, ws, _kind("commitment"), Classification.PUBLIC,
                               {"text": "Hand over weapons", "status": "agreed",
                                "deadline": "2013-01-01"})
    app.workspaces.create_item(ana, ws, _kind("breach"), Classification.SECRET,
                               {"date": "2013-06-01",
                                "description": "Shooting in the market"})
    app.monitoring.today = lambda: date(2014, 1, 1)
    kinds = sorted(a.kind for a in app.monitoring.alerts(ana, ws))
    assert kinds == sorted([AlertKind.VIOLENCE_UP, AlertKind.VIOLENCE_UP,
                            AlertKind.COMMITMENT_OVERDUE, AlertKind.BREACH])
    # the observer does not see the secret breach
    assert AlertKind.BREACH not in {a.kind for a in app.monitoring.alerts(obs, ws)}
    token = app.monitoring.feed_token(obs, ws)
    assert app.monitoring.feed_token(ana, ws) != token
    assert {a.kind for a in app.monitoring.feed_alerts(ws, "obs", token)} == {
        AlertKind.VIOLENCE_UP, AlertKind.COMMITMENT_OVERDUE}
    altered = token[:-1] + ("1" if token.endswith("0") else "0")  # never the token itself
    for bad in (("obs", altered), ("ana", token), ("nobody", token)):
        with pytest.raises(NotAuthenticated):
            app.monitoring.feed_alerts(ws, *bad)
    app.workspaces.remove_member(ana, ws, "obs")
    with pytest.raises(NotAuthenticated):
        app.monitoring.feed_alerts(ws, "obs", token)


def _kind(name: str):  # type: ignore[no-untyped-def]
    from parley.domain.workspace import ItemKind

    return ItemKind(name)


def test_two_replacements_from_the_same_version_one_conflicts(app: Parley) -> None:
    """Two members replace the series they both read at version 1, at the same moment: one
    wins, the other gets Conflict and changes nothing (no silent overwrite)."""
    import threading

    ana = user(app, "ana")
    ws = app.workspaces.create(ana, "Talks").id
    (series_id,) = app.monitoring.import_table(ana, ws, SICILY, Classification.PUBLIC,
                                               SETTINGS).created
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def replace(value: int) -> None:
        table = parse_indicator_text(f"date,locality,indicator,value\n2005-01,Sicily,aces,{value}\n",
                                     f"{value}.csv")
        barrier.wait()
        try:
            app.monitoring.import_table(ana, ws, table, Classification.PUBLIC, MonitorSettings(),
                                        replace_existing=True, expected_version=1)
            outcomes.append("stored")
        except Conflict as exc:
            assert "was changed by someone else (version 2, yours 1)" in str(exc)
            outcomes.append("conflict")

    threads = [threading.Thread(target=replace, args=(v,)) for v in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "stored"]
    stored = app.monitoring.get_series(ana, ws, series_id)
    assert stored.version == 2 and len(stored.series.points) == 1
    assert [e for e, _ in _events(app, ws)].count("indicators.imported") == 2
