"""Monitoring through the web: API upload/list/ITS/alerts, the page's SVG chart and tables,
bad files naming file:line with nothing stored, hostile names escaped, the Atom feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.access import Role
from parley.web.app import create_app
from tests.support import build, user
from tests.web.test_workspaces_web import csrf, signed_in

DATA = Path(__file__).parents[1] / "data" / "monitoring"
SICILY = (DATA / "sicily-long.csv").read_bytes()
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def app(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    a = build(web_database, tmp_path_factory.mktemp("monweb"))
    yield a
    a.close()


@pytest.fixture(scope="module")
def setup(app: Parley) -> tuple[str, str, str]:
    """A workspace of ana (owner) with obs (observer); ana's bearer token."""
    ana = user(app, "ana")
    user(app, "obs")
    ws = app.workspaces.create(ana, "Truce").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    token = app.accounts.create_token(ana, "ana").secret
    return ws, token, "ana"


def _api(app: Parley) -> TestClient:
    return TestClient(create_app(app), follow_redirects=False)


def test_api_upload_list_its_and_alerts(app: Parley, setup: tuple[str, str, str]) -> None:
    ws, token, _ = setup
    auth = {"Authorization": f"Bearer {token}"}
    with _api(app) as client:
        r = client.post(f"/api/workspaces/{ws}/indicators", headers=auth,
                        files={"file": ("sicily.csv", SICILY, "text/csv")},
                        data={"classification": "restricted", "intervention": "2005-01",
                              "seasonality": "2", "offset": "stdpop"})
        assert r.status_code == 201, r.text
        assert r.json()["rows"] == 59
        series_id = r.json()["created"][0]
        again = client.post(f"/api/workspaces/{ws}/indicators", headers=auth,
                            files={"file": ("sicily.csv", SICILY, "text/csv")})
        assert again.status_code == 409
        listed = client.get(f"/api/workspaces/{ws}/indicators", headers=auth).json()
        assert [(s["id"], s["locality"], s["points"], s["classification"]) for s in listed] == [
            (series_id, "Sicily", 59, "restricted")]
        its = client.get(f"/api/workspaces/{ws}/indicators/{series_id}/its", headers=auth)
        assert its.status_code == 200
        doc = its.json()
        assert list(doc)[:5] == ["model", "n", "period", "intervention", "level_change"]
        assert round(doc["level_change"]["rate_ratio"], 3) == 0.885
        slope = client.get(f"/api/workspaces/{ws}/indicators/{series_id}/its",
                           params={"slope_change": "true", "model": "negative-binomial"},
                           headers=auth).json()
        assert slope["slope_change"] is not None and slope["model"] == "negative-binomial"
        bad = client.get(f"/api/workspaces/{ws}/indicators/{series_id}/its",
                         params={"intervention": "2012-01"}, headers=auth)
        assert bad.status_code == 400
        assert "intervention: 2012-01-01 is outside the series" in bad.json()["error"]["message"]
        assert client.get(f"/api/workspaces/{ws}/alerts", headers=auth).status_code == 200


def test_bad_file_names_line_and_stores_nothing(app: Parley, setup: tuple[str, str, str]) -> None:
    ws, token, _ = setup
    auth = {"Authorization": f"Bearer {token}"}
    with _api(app) as client:
        before = client.get(f"/api/workspaces/{ws}/indicators", headers=auth).json()
        body = (DATA / "bad" / "negative.csv").read_bytes()
        r = client.post(f"/api/workspaces/{ws}/indicators", headers=auth,
                        files={"file": ("negative.csv", body, "text/csv")})
        assert r.status_code == 400
        problem = r.json()["error"]["problems"][0]
        assert (problem["file"], problem["line"], problem["field"]) == ("negative.csv", 2, "value")
        r = client.post(f"/api/workspaces/{ws}/indicators", headers=auth,
                        files={"file": ("x.csv", SICILY, "text/csv")},
                        data={"classification": "top"})
        assert r.status_code == 400 and "classification" in r.text
        assert client.get(f"/api/workspaces/{ws}/indicators", headers=auth).json() == before


def test_page_chart_tables_and_escaping(app: Parley, setup: tuple[str, str, str]) -> None:
    ws, _, _ = setup
    client = signed_in(app, "ana")
    token = csrf(client, f"/workspaces/{ws}/monitoring")
    months = [f"{2018 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    text = "date,locality,indicator,value\n" + "".join(
        f"{m},{HOSTILE},homicides,{30 - (8 if i >= 18 else 0) + i % 4}\n"
        for i, m in enumerate(months))
    r = client.post(f"/workspaces/{ws}/monitoring",
                    files={"file": ("h.csv", text.encode(), "text/csv")},
                    data={"csrf_token": token, "classification": "public",
                          "intervention": "2019-07"})
    assert r.status_code == 303, r.text[:500]
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    html = page.text
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg = re.search(r"<svg[^>]*class='its-chart'.*?</svg>", html, re.S)
    assert svg is not None
    chart = svg.group(0)
    ET.fromstring(chart)  # well-formed XML
    assert chart.count("class='observed'") == 36
    for part in ("class='fitted'", "class='counterfactual'", "class='band'",
                 "class='intervention'", "intervention 2019-07"):
        assert part in chart
    assert ("Before and after, per locality" in html and "-26." in html) or "%" in html
    bad = client.post(f"/workspaces/{ws}/monitoring",
                      files={"file": ("dup.csv", (DATA / "bad" / "duplicate.csv").read_bytes(),
                                      "text/csv")},
                      data={"csrf_token": token, "classification": "public"})
    assert bad.status_code == 400
    assert "dup.csv:3: duplicate: A / homicides / 2020-01 is already on line 2" in bad.text
    client.close()


def test_atom_feed_behind_the_members_token(app: Parley, setup: tuple[str, str, str]) -> None:
    ws, _, _ = setup
    client = signed_in(app, "obs")
    page = client.get(f"/workspaces/{ws}/monitoring")
    assert page.status_code == 200
    href = re.search(r'href="(/feeds/workspaces/[^"]+)"', page.text)
    assert href is not None
    url = href.group(1).replace("&amp;", "&")
    client.close()
    with _api(app) as anonymous:
        feed = anonymous.get(url)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(feed.text)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        query = parse_qs(urlparse(url).query)
        forged = anonymous.get(f"/feeds/workspaces/{ws}/alerts.atom",
                               params={"user": "ana", "token": query["token"][0]})
        assert forged.status_code == 401
        assert anonymous.get("/feeds/workspaces/nope/alerts.atom",
                             params={"user": "obs", "token": query["token"][0]}
                             ).status_code == 401
