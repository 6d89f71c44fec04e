"""In a real browser (Chromium) against `parley serve`: the workspace page's report buttons.
The owner reads the HTML report with its ITS chart and downloads the PDF; the observer's PDF
holds no restricted content."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.monitoring import MonitorSettings
from parley.domain.workspace import ItemKind
from parley.interchange.indicator_csv import read_indicator_file
from tests.support import build, served, server_env, user
from tests.web.conftest import browser_sign_in

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "data" / "monitoring"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("report-browser")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    for name in ("olga", "otto"):
        user(app, name)
    ws = app.workspaces.create(SYSTEM, "Sicily ban", owner="olga").id
    app.workspaces.set_member(SYSTEM, ws, "otto", Role.OBSERVER)
    app.workspaces.create_item(SYSTEM, ws, ItemKind.COMMITMENT, Classification.PUBLIC,
                               {"text": "Open the clinics", "status": "agreed",
                                "deadline": "2020-01-31"})
    app.monitoring.import_table(SYSTEM, ws, read_indicator_file(DATA / "sicily-long.csv"),
                                Classification.RESTRICTED,
                                MonitorSettings("2005-01", 2, "stdpop"))
    try:
        with served(server_env(url, tmp)) as server:
            yield server.url, ws
    finally:
        app.close()


def _sign_in(browser: Any, base: str, name: str) -> Any:
    return browser_sign_in(browser, base, name, accept_downloads=True)


def _pdf_text(page: Any, tmp_path: Path) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = info.value
    assert download.suggested_filename.startswith("parley-report-sicily-ban-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_the_owner_reads_and_downloads_the_report(browser: Any, server: tuple[str, str],
                                                  tmp_path: Path) -> None:
    base, ws = server
    page = _sign_in(browser, base, "olga")
    page.goto(f"/workspaces/{ws}")
    page.get_by_role("link", name="read", exact=True).click()
    expect(page.locator("h1")).to_have_text("Sicily ban")
    expect(page.locator("svg.its-chart")).to_have_count(1)
    expect(page.locator("#deadlines + table")).to_contain_text("overdue")
    expect(page.locator(".classification-banner").first).to_have_text("RESTRICTED")
    page.go_back()
    text = _pdf_text(page, tmp_path)
    assert "aces — Sicily" in text and "0.885" in text and "RESTRICTED" in text


def test_the_observer_downloads_a_report_without_restricted_series(
        browser: Any, server: tuple[str, str], tmp_path: Path) -> None:
    base, ws = server
    page = _sign_in(browser, base, "otto")
    page.goto(f"/workspaces/{ws}")
    text = _pdf_text(page, tmp_path)
    assert "Open the clinics" in text
    assert "Sicily" not in text.replace("Sicily ban", "") and "RESTRICTED" not in text
