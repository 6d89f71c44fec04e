"""The workspace's process report through the API and the page, on both databases: each
reader gets only what their clearance allows, in every format; documents are opened and read
back (PDF text and page count, DOCX paragraphs and tables); secret reads for it are audited."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.monitoring import MonitorSettings
from parley.domain.workspace import ItemKind
from parley.interchange.indicator_csv import read_indicator_file
from parley.web.app import create_app
from tests.support import build, user
from tests.web.test_workspaces_web import signed_in

DATA = Path(__file__).parents[1] / "data" / "monitoring"
SECRET_TEXT = "Release of the Barrio 18 leader's brother"
RESTRICTED_TEXT = "Church mediator reports to the bishop weekly"
SECRET_PARTY = "Informant close to the leadership"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def app(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    a = build(web_database, tmp_path_factory.mktemp("report"))
    yield a
    a.close()


@pytest.fixture(scope="module")
def ws(app: Parley) -> str:
    """ana (owner) with obs (observer: public only) and ann (analyst: restricted)."""
    ana = user(app, "ana")
    user(app, "obs")
    user(app, "ann")
    ws = app.workspaces.create(ana, "Tregua San Pedro Sula").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    app.workspaces.set_member(ana, ws, "ann", Role.ANALYST)
    today = date.today()
    party = app.workspaces.create_item(ana, ws, ItemKind.ACTOR, Classification.PUBLIC,
                                       {"name": "Barrio 18", "type": "criminal-group"})
    spy = app.workspaces.create_item(ana, ws, ItemKind.ACTOR, Classification.SECRET,
                                     {"name": SECRET_PARTY, "type": "person",
                                      "stance": "opposed",
               "spoiler_type": "internal-factions"})
    app.workspaces.create_item(ana, ws, ItemKind.RELATIONSHIP, Classification.SECRET,
                               {"source": spy.id, "target": party.id, "type": "control"})
    app.workspaces.create_item(ana, ws, ItemKind.COMMITMENT, Classification.PUBLIC, {
        "actor": party.id, "text": "Stop recruiting minors", "status": "agreed",
        "deadline": (today - timedelta(days=3)).isoformat(), "verification": "School reports"})
    app.workspaces.create_item(ana, ws, ItemKind.COMMITMENT, Classification.RESTRICTED, {
        "text": RESTRICTED_TEXT, "status": "in-progress",
        "deadline": (today + timedelta(days=10)).isoformat()})
    secret = app.workspaces.create_item(ana, ws, ItemKind.COMMITMENT, Classification.SECRET, {
        "text": SECRET_TEXT, "status": "agreed"})
    app.workspaces.create_item(ana, ws, ItemKind.BREACH, Classification.SECRET, {
        "date": today.isoformat(), "description": "Shooting in Rivera "
        "Hernández", "commitment": secret.id, "status": "open"})
    table = read_indicator_file(DATA / "sicily-long.csv")
    app.monitoring.import_table(ana, ws, table, Classification.RESTRICTED,
                                MonitorSettings("2005-01", 2, "stdpop"))
    return ws


def bearer(app: Parley, name: str) -> dict[str, str]:
    token = app.accounts.create_token(Principal(name), name).secret
    return {"Authorization": f"Bearer {token}"}


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def docx_text(data: bytes) -> tuple[str, str, str]:
    import docx

    doc = docx.Document(io.BytesIO(data))
    body = [p.text for p in doc.paragraphs]
    body += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    header = " ".join(p.text for s in doc.sections for p in s.header.paragraphs)
    return "\n".join(body), header, doc.core_properties.author or ""


def text_of(data: bytes, fmt: str) -> str:
    if fmt == "html":
        return html.unescape(data.decode())
    if fmt == "pdf":
        return pdf_text(data)[0]
    body, header, _author = docx_text(data)
    return header + "\n" + body


def get(app: Parley, name: str, ws: str, fmt: str) -> bytes:
    with TestClient(create_app(app)) as client:
        r = client.get(f"/api/workspaces/{ws}/report", params={"format": fmt},
                       headers=bearer(app, name))
    assert r.status_code == 200, r.text[:300]
    if fmt != "html":
        assert r.headers["content-disposition"].startswith(
            'attachment; filename="parley-report-tregua-san-pedro-sula-')
    return r.content


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_the_owner_sees_everything_with_the_secret_banner(app: Parley, ws: str,
                                                          fmt: str) -> None:
    data = get(app, "ana", ws, fmt)
    if fmt == "html":
        text = text_of(data, fmt)
        assert "<svg" in text and "its-chart" in text  # the ITS chart, inline
    elif fmt == "pdf":
        text, pages = pdf_text(data)
        assert pages >= 2
        assert text.count("SECRET") >= pages  # the banner on every page
        assert "Page 1 of" in text
    else:
        text, header, author = docx_text(data)
        assert "SECRET" in header and author == ""
    for expected in (SECRET_TEXT, RESTRICTED_TEXT, "Stop recruiting minors", "Barrio 18",
                     "Shooting in Rivera", "aces — Sicily", "0.885", "Actor map",
                     SECRET_PARTY, "control: Barrio 18"):
        assert expected in text, (fmt, expected)


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_an_analyst_sees_no_secret_item_in_any_format(app: Parley, ws: str, fmt: str) -> None:
    data = get(app, "ann", ws, fmt)
    text = text_of(data, fmt)
    assert RESTRICTED_TEXT in text and "aces — Sicily" in text
    assert SECRET_TEXT not in text and "Shooting in Rivera" not in text
    assert SECRET_PARTY not in text and "Actor map" in text
    assert "RESTRICTED" in text and "SECRET" not in text


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_an_observer_sees_public_content_only_and_no_banner(app: Parley, ws: str,
                                                            fmt: str) -> None:
    data = get(app, "obs", ws, fmt)
    text = text_of(data, fmt)
    assert "Stop recruiting minors" in text and "Barrio 18" in text
    for hidden in (SECRET_TEXT, RESTRICTED_TEXT, "aces — Sicily", "RESTRICTED", "SECRET",
                   SECRET_PARTY):
        assert hidden not in text, (fmt, hidden)
    assert "overdue" in text  # the public commitment is three days late


def test_outsiders_and_anonymous_readers_get_nothing(app: Parley, ws: str) -> None:
    user(app, "eve")
    with TestClient(create_app(app)) as client:
        assert client.get(f"/api/workspaces/{ws}/report").status_code == 401
        r = client.get(f"/api/workspaces/{ws}/report", headers=bearer(app, "eve"))
        assert r.status_code == 404


def test_reading_the_report_audits_the_secret_items_and_series(app: Parley, ws: str) -> None:
    get(app, "ana", ws, "html")
    entries = app.workspaces.audit_log(Principal("ana"), ws)
    purposes = {(e.event, e.details.get("purpose")) for e in entries}
    assert ("secret.read", "report") in purposes
    assert ("indicators.read", "report") in purposes


def test_the_page_offers_the_report_and_serves_it(app: Parley, ws: str) -> None:
    client = signed_in(app, "ana")
    page = client.get(f"/workspaces/{ws}")
    assert f'href="/workspaces/{ws}/report?format=pdf"' in page.text
    pdf = client.get(f"/workspaces/{ws}/report", params={"format": "pdf", "paper": "Letter"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 612 and round(float(box.height)) == 792  # Letter
    docx = client.get(f"/workspaces/{ws}/report", params={"format": "docx"})
    assert docx.headers["content-type"] == DOCX
    html = client.get(f"/workspaces/{ws}/report")
    assert html.headers["content-type"].startswith("text/html")
    assert "Tregua San Pedro Sula" in html.text
