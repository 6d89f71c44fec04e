"""In a real browser (Chromium, JavaScript off: the page needs none) against `parley serve`:
an analyst uploads the Sicily series on the workspace's Monitoring page, sees the ITS chart,
the published estimate and the before/after table; an overdue commitment shows as an alert;
a bad file is refused naming its line; the observer sees no restricted series."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.account import SYSTEM
from parley.domain.workspace import ItemKind
from tests.support import build, served, server_env, user
from tests.web.conftest import browser_sign_in

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "data" / "monitoring"


@dataclass(frozen=True)
class Server:
    url: str
    app: Parley
    workspace: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("monitoring")
    url = f"sqlite:///{tmp / 'parley.db'}"
    app = build(url, tmp)
    for name in ("olga", "anton", "otto"):
        user(app, name)
    ws = app.workspaces.create(SYSTEM, "Sicily ban", owner="olga").id
    app.workspaces.set_member(SYSTEM, ws, "anton", Role.ANALYST)
    app.workspaces.set_member(SYSTEM, ws, "otto", Role.OBSERVER)
    app.workspaces.create_item(SYSTEM, ws, ItemKind.COMMITMENT, Classification.PUBLIC,
                               {"text": "Open the clinics", "status": "agreed",
                                "deadline": "2020-01-31"})
    try:
        with served(server_env(url, tmp)) as server:
            yield Server(server.url, app, ws)
    finally:
        app.close()


def _sign_in(browser: Any, server: Server, name: str) -> Any:
    return browser_sign_in(browser, server.url, name, java_script_enabled=False)


def test_upload_chart_estimate_table_and_alerts(browser: Any, server: Server) -> None:
    page = _sign_in(browser, server, "anton")
    page.goto(f"/workspaces/{server.workspace}")
    page.get_by_role("link", name="Monitoring").click()
    expect(page.locator("h1")).to_have_text("Monitoring: Sicily ban")
    expect(page.locator("ul.alerts")).to_contain_text("Commitment overdue: Open the clinics")

    page.set_input_files("#u-file", str(DATA / "bad" / "population-zero.csv"))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("div.errors")).to_contain_text(
        "population-zero.csv:2: field 'population': '0' must be a number above 0")
    assert server.app.monitoring.list_series(SYSTEM, server.workspace) == ([], [])

    page.set_input_files("#u-file", str(DATA / "sicily-long.csv"))
    page.select_option("#u-class", "restricted")
    page.fill("#u-intervention", "2005-01")
    page.fill("#u-seasonality", "2")
    page.fill("#u-offset", "stdpop")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("h2#its")).to_have_text("Interrupted time series: aces in Sicily")
    chart = page.locator("svg.its-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.observed")).to_have_count(59)
    expect(chart.locator("path.counterfactual")).to_have_count(1)
    expect(chart.locator("path.band")).to_have_count(1)
    expect(chart.locator("line.intervention")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    first = page.locator("table.estimates tbody tr").first
    expect(first).to_contain_text("0.885")
    expect(first).to_contain_text("0.839–0.933")
    expect(page.locator("table.before-after tbody tr")).to_have_count(1)
    expect(page.locator("table.before-after")).to_contain_text("Sicily")

    page.check("input[name=slope_change]")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("table.estimates")).to_contain_text("Slope change (per month)")
    page.context.close()


def test_observer_sees_no_restricted_series(browser: Any, server: Server) -> None:
    page = _sign_in(browser, server, "otto")
    page.goto(f"/workspaces/{server.workspace}/monitoring")
    expect(page.locator("table.series")).to_contain_text("No series yet.")
    expect(page.locator("#u-file")).to_have_count(0)  # an observer cannot upload
    page.context.close()
