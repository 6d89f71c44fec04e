"""The process report of a workspace (services/process_reports.py), on the in-memory fakes,
SQLite and PostgreSQL: each reader's report holds only what their clearance allows (items,
series, alerts, the actor map, the banner's classification), outsiders get 404, and secret items
and restricted series read for it are audited with the purpose `report`. How each format draws
it is tested through the web (tests/web/test_reports.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.errors import NotFound
from parley.domain.monitoring import AlertKind, MonitorSettings
from parley.domain.workspace import ItemKind
from parley.interchange.indicator_csv import read_indicator_file
from parley.services.monitoring import Monitoring
from parley.services.process_reports import ProcessReport, ProcessReports
from tests.services.conftest import Backend, Store

C = Classification
TODAY = date(2026, 3, 1)
SICILY = read_indicator_file(Path(__file__).parents[1] / "data" / "monitoring"
                             / "sicily-long.csv")
SECRET_TEXT = "Release of the Barrio 18 leader's brother"
RESTRICTED_TEXT = "Church mediator reports to the bishop weekly"
SECRET_PARTY = "Informant close to the leadership"


@pytest.fixture
def reports(backend: Backend, store: Store) -> ProcessReports:
    return ProcessReports(backend.service, Monitoring(store.vault, backend.service),
                          today=lambda: TODAY)


@pytest.fixture
def ws(backend: Backend, reports: ProcessReports) -> str:
    """ana (owner) with obs (observer: public only) and ann (analyst: restricted)."""
    s = backend.service
    ana = backend.add_user("ana")
    for name in ("obs", "ann", "eve"):
        backend.add_user(name)
    ws = s.create(ana, "Tregua San Pedro Sula").id
    s.set_member(ana, ws, "obs", Role.OBSERVER)
    s.set_member(ana, ws, "ann", Role.ANALYST)
    party = s.create_item(ana, ws, ItemKind.ACTOR, C.PUBLIC,
                          {"name": "Barrio 18", "type": "criminal-group"})
    spy = s.create_item(ana, ws, ItemKind.ACTOR, C.SECRET,
                        {"name": SECRET_PARTY, "type": "person", "stance": "opposed",
                         "spoiler_type": "internal-factions"})
    s.create_item(ana, ws, ItemKind.RELATIONSHIP, C.SECRET,
                  {"source": spy.id, "target": party.id, "type": "control"})
    s.create_item(ana, ws, ItemKind.COMMITMENT, C.PUBLIC, {
        "actor": party.id, "text": "Stop recruiting minors", "status": "agreed",
        "deadline": (TODAY - timedelta(days=3)).isoformat()})
    s.create_item(ana, ws, ItemKind.COMMITMENT, C.RESTRICTED, {
        "text": RESTRICTED_TEXT, "status": "in-progress",
        "deadline": (TODAY + timedelta(days=10)).isoformat()})
    secret = s.create_item(ana, ws, ItemKind.COMMITMENT, C.SECRET, {
        "text": SECRET_TEXT, "status": "agreed"})
    s.create_item(ana, ws, ItemKind.BREACH, C.SECRET, {
        "date": TODAY.isoformat(), "description": "Shooting in Rivera Hernández",
        "commitment": secret.id, "status": "open"})
    reports.monitoring.import_table(ana, ws, SICILY, C.RESTRICTED,
                                    MonitorSettings("2005-01", 2, "stdpop"))
    return ws


def _texts(report: ProcessReport) -> set[str]:
    return {str(i.fields.get("text")) for i in report.commitments}


def test_the_owner_sees_everything_under_the_secret_banner(reports: ProcessReports,
                                                           ws: str) -> None:
    report = reports.report(Principal("ana"), ws)
    assert (report.classification, report.role, report.today) == (C.SECRET, Role.OWNER, TODAY)
    assert report.workspace.name == "Tregua San Pedro Sula"
    assert _texts(report) == {"Stop recruiting minors", RESTRICTED_TEXT, SECRET_TEXT}
    assert [i.fields["text"] for i in report.overdue] == ["Stop recruiting minors"]
    assert [i.fields["text"] for i in report.upcoming] == [RESTRICTED_TEXT]
    assert [i.fields["description"] for i in report.breaches] == [
        "Shooting in Rivera Hernández"]
    (section,) = report.series
    assert section.result is not None and section.problem is None
    assert round(section.result.level_change.rate_ratio, 3) == 0.885
    assert len(section.table) == 1  # one locality measures the indicator
    assert {n.name for n in report.actors.nodes} == {"Barrio 18", SECRET_PARTY}
    assert [e.type for e in report.actors.edges] == ["control"]
    assert {AlertKind.BREACH, AlertKind.COMMITMENT_OVERDUE} <= {a.kind for a in report.alerts}
    assert SECRET_PARTY in report.names.values()


def test_an_analyst_sees_no_secret_item(reports: ProcessReports, ws: str) -> None:
    report = reports.report(Principal("ann"), ws)
    assert report.classification is C.RESTRICTED and report.classified
    assert _texts(report) == {"Stop recruiting minors", RESTRICTED_TEXT}
    assert report.breaches == () and len(report.series) == 1
    assert [n.name for n in report.actors.nodes] == ["Barrio 18"] and report.actors.edges == ()
    assert AlertKind.BREACH not in {a.kind for a in report.alerts}
    assert SECRET_PARTY not in report.names.values()


def test_an_observer_sees_public_content_only_and_no_banner(reports: ProcessReports,
                                                            ws: str) -> None:
    report = reports.report(Principal("obs"), ws)
    assert report.classification is C.PUBLIC and not report.classified
    assert _texts(report) == {"Stop recruiting minors"}
    assert [i.fields["text"] for i in report.overdue] == ["Stop recruiting minors"]
    assert report.upcoming == () and report.series == () and report.breaches == ()


def test_outsiders_get_nothing(reports: ProcessReports, ws: str) -> None:
    with pytest.raises(NotFound):
        reports.report(Principal("eve"), ws)
    with pytest.raises(NotFound):
        reports.report(Principal("ana"), "nope")


def test_reading_the_report_audits_the_secret_items_and_series(
        reports: ProcessReports, ws: str, store: Store) -> None:
    def purposes() -> list[tuple[str, object]]:
        with store.vault.read() as tx:
            return [(e.event, e.details.get("purpose")) for e in tx.audit.audit_entries(ws)
                    if e.event in ("secret.read", "indicators.read")]

    before = purposes()
    reports.report(Principal("obs"), ws)  # nothing above public: nothing to audit
    assert purposes() == before
    reports.report(Principal("ana"), ws)
    assert purposes()[len(before):] == [("secret.read", "report"),
                                        ("indicators.read", "report")]
