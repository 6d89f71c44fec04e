"""Indicator series through the monitoring service (services/monitoring.py), on the in-memory
fakes, SQLite and PostgreSQL: classified like items (above clearance: 404, never listed),
imports all or nothing and audited, replacement explicit and version-checked, reads of
restricted series audited, alerts and the members' feed token. (That a series is sealed and
bound to its row is the SQL store's own: tests/storage/test_indicators.py.)"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from parley.domain.access import Classification, Role
from parley.domain.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from parley.domain.monitoring import AlertKind, MonitorSettings
from parley.domain.workspace import ItemKind
from parley.interchange.indicator_csv import parse_indicator_text, read_indicator_file
from parley.services.monitoring import Monitoring
from tests.services.conftest import Backend, Store

DATA = Path(__file__).parents[1] / "data" / "monitoring"
SICILY = read_indicator_file(DATA / "sicily-long.csv")
SETTINGS = MonitorSettings("2005-01", 2, "stdpop")


@pytest.fixture
def monitoring(backend: Backend, store: Store) -> Monitoring:
    return Monitoring(store.vault, backend.service)


def _events(store: Store, workspace: str) -> list[tuple[str, Mapping[str, Any]]]:
    with store.vault.read() as tx:
        return [(e.event, e.details) for e in tx.audit.audit_entries(workspace)]


def test_import_list_and_its_by_clearance(monitoring: Monitoring, backend: Backend,
                                          store: Store) -> None:
    ana, obs, bob = (backend.add_user(n) for n in ("ana", "obs", "bob"))
    eve = backend.add_user("eve")
    ws = backend.service.create(ana, "Talks").id
    backend.service.set_member(ana, ws, "obs", Role.OBSERVER)
    backend.service.set_member(ana, ws, "bob", Role.ANALYST)
    report = monitoring.import_table(ana, ws, SICILY, Classification.RESTRICTED, SETTINGS)
    assert report.rows == 59 and len(report.created) == 1 and report.gaps == ()
    (series_id,) = report.created
    listed, bad = monitoring.list_series(bob, ws)
    assert [s.id for s in listed] == [series_id] and bad == []
    assert listed[0].series.points == SICILY.series[0].points
    assert monitoring.list_series(obs, ws) == ([], [])  # above an observer's clearance
    with pytest.raises(NotFound):
        monitoring.get_series(obs, ws, series_id)
    with pytest.raises(NotFound):
        monitoring.list_series(eve, ws)  # not a member: no such workspace
    with pytest.raises(Forbidden):
        monitoring.import_table(obs, ws, SICILY, Classification.PUBLIC, SETTINGS)
    _, result = monitoring.its(bob, ws, series_id)
    assert round(result.level_change.rate_ratio, 3) == 0.885
    events = _events(store, ws)
    assert ("indicators.imported", {"created": [series_id], "replaced": [], "rows": 59,
                                    "classification": "restricted"}) in events
    reads = [d for e, d in events if e == "indicators.read"]
    assert {"series": [series_id], "purpose": "list"} in reads
    assert {"series": [series_id], "purpose": "its"} in reads


def test_import_is_all_or_nothing_and_replace_is_explicit(monitoring: Monitoring,
                                                          backend: Backend) -> None:
    ana = backend.add_user("ana")
    ws = backend.service.create(ana, "Talks").id
    monitoring.import_table(ana, ws, SICILY, Classification.PUBLIC, SETTINGS)
    two = parse_indicator_text("date,locality,indicator,value\n2005-01,Palermo,aces,3\n"
                               "2005-01,Sicily,aces,5\n", "two.csv")
    with pytest.raises(Conflict, match="Sicily / aces is already stored"):
        monitoring.import_table(ana, ws, two, Classification.PUBLIC, MonitorSettings())
    assert len(monitoring.list_series(ana, ws)[0]) == 1  # Palermo was not stored either
    report = monitoring.import_table(ana, ws, two, Classification.PUBLIC, MonitorSettings(),
                                     replace_existing=True)
    assert len(report.created) == 1 and len(report.replaced) == 1
    stored = {s.series.locality: s for s in monitoring.list_series(ana, ws)[0]}
    assert stored["Sicily"].version == 2 and len(stored["Sicily"].series.points) == 1
    with pytest.raises(InvalidInput, match="offset: no column 'nope'"):
        monitoring.import_table(ana, ws, two, Classification.PUBLIC,
                                MonitorSettings(offset="nope"))


def test_alerts_and_feed(monitoring: Monitoring, backend: Backend) -> None:
    ana, obs = backend.add_user("ana"), backend.add_user("obs")
    ws = backend.service.create(ana, "Talks").id
    backend.service.set_member(ana, ws, "obs", Role.OBSERVER)
    months = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]
    values = [40] * 24 + [20] * 18 + [45, 48, 50, 47, 52, 55]  # the truce holds, then fails
    text = "date,locality,indicator,value\n" + "".join(
        f"{m},Town,homicides,{v + (i % 3)}\n"
        for i, (m, v) in enumerate(zip(months, values, strict=True)))
    monitoring.import_table(ana, ws, parse_indicator_text(text, "t.csv"),
                            Classification.PUBLIC, MonitorSettings("2012-01"))
    backend.service.create_item(ana, ws, ItemKind.COMMITMENT, Classification.PUBLIC,
                                {"text": "Hand over weapons", "status": "agreed",
                                 "deadline": "2013-01-01"})
    backend.service.create_item(ana, ws, ItemKind.BREACH, Classification.SECRET,
                                {"date": "2013-06-01", "description": "Shooting in the market"})
    monitoring.today = lambda: date(2014, 1, 1)
    kinds = sorted(a.kind for a in monitoring.alerts(ana, ws))
    assert kinds == sorted([AlertKind.VIOLENCE_UP, AlertKind.VIOLENCE_UP,
                            AlertKind.COMMITMENT_OVERDUE, AlertKind.BREACH])
    # the observer does not see the secret breach
    assert AlertKind.BREACH not in {a.kind for a in monitoring.alerts(obs, ws)}
    token = monitoring.feed_token(obs, ws)
    assert monitoring.feed_token(ana, ws) != token
    assert {a.kind for a in monitoring.feed_alerts(ws, "obs", token)} == {
        AlertKind.VIOLENCE_UP, AlertKind.COMMITMENT_OVERDUE}
    altered = token[:-1] + ("1" if token.endswith("0") else "0")  # never the token itself
    for bad in (("obs", altered), ("ana", token), ("nobody", token)):
        with pytest.raises(NotAuthenticated):
            monitoring.feed_alerts(ws, *bad)
    with pytest.raises(NotAuthenticated):  # another workspace's token is no token here
        monitoring.feed_alerts("nope", "obs", token)
    backend.service.remove_member(ana, ws, "obs")
    with pytest.raises(NotAuthenticated):
        monitoring.feed_alerts(ws, "obs", token)


def test_two_replacements_from_the_same_version_one_conflicts(monitoring: Monitoring,
                                                              backend: Backend,
                                                              store: Store) -> None:
    """Two members replace the series they both read at version 1, at the same moment: one
    wins, the other gets Conflict and changes nothing (no silent overwrite)."""
    ana = backend.add_user("ana")
    ws = backend.service.create(ana, "Talks").id
    (series_id,) = monitoring.import_table(ana, ws, SICILY, Classification.PUBLIC,
                                           SETTINGS).created
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def replace(value: int) -> None:
        table = parse_indicator_text(
            f"date,locality,indicator,value\n2005-01,Sicily,aces,{value}\n", f"{value}.csv")
        barrier.wait()
        try:
            monitoring.import_table(ana, ws, table, Classification.PUBLIC, MonitorSettings(),
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
    stored = monitoring.get_series(ana, ws, series_id)
    assert stored.version == 2 and len(stored.series.points) == 1
    assert [e for e, _ in _events(store, ws)].count("indicators.imported") == 2
