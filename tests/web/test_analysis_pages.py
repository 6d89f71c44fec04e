"""The researcher's pages answer in words (issue 14 items 5-6): ticks for comparison survive a
new search, the four-case limit is explained, QCA with no condition ticked and calibration of a
mistyped column say what is wrong on the page instead of a blank page or raw JSON."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

DENMARK = "denmark-motorcycle-gang-truce"
NORWAY = "norway-oslo-police-dialogue-1997"
SALVADOR = "el-salvador-mara-truce-2012"
RAW = b"case,gdp\nA,1000\nB,6000\nC,9000\n"


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"{path} has no CSRF field"
    return found.group(1)


def test_ticks_are_kept_by_a_search_that_no_longer_shows_them(client: TestClient) -> None:
    """The reported bug: live search redraws the list and loses the ticks. A search for
    'motorcycle' shows Denmark ticked; El Salvador, ticked too but not matching, is listed apart."""
    page = client.get("/cases", params=[("q", "motorcycle"), ("ids", DENMARK), ("ids", SALVADOR)],
                      headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert re.search(rf'id="pick-{DENMARK}"[^>]* checked', page.text)
    kept = page.text[page.text.index('id="kept-picks"'):page.text.index('class="case-list"')]
    assert f'value="{SALVADOR}" checked' in kept and "El Salvador" in kept
    assert DENMARK not in kept


def test_links_carry_the_ticks_and_hidden_or_unknown_ids_are_dropped(client: TestClient) -> None:
    page = client.get("/cases", params=[("ids", DENMARK), ("ids", "no-such-case")]).text
    assert re.search(rf'id="pick-{DENMARK}"[^>]* checked', page)
    assert "no-such-case" not in page.split('id="results"')[1]
    facet_links = re.findall(r'href="(/cases\?[^"]*f=region[^"]*)"', page)
    assert facet_links and all(f"ids={DENMARK}" in link for link in facet_links)
    assert 'hx-include="#compare-form input[name=ids]:checked"' in page
    assert "Tick 2 to 4 cases to compare them" in page


def test_five_ticks_are_explained_in_words_with_the_ticks_kept(client: TestClient) -> None:
    ids = [DENMARK, NORWAY, SALVADOR, "haiti-incentives-ngo",
           "haiti-humanitarian-access-ngo"]
    r = client.get("/compare", params=[("ids", i) for i in ids])
    assert r.status_code == 400
    words = " ".join(r.text.split())
    assert "Compare shows 2 to 4 cases side by side" in words
    assert "You ticked 5: untick 1 and compare again" in words
    back = re.search(r'href="([^"]+)" id="compare-back"', r.text)
    assert back and all(f"ids={i}" in back.group(1).replace("&amp;", "&") for i in ids)
    assert "validation" not in r.text.lower() and "max_length" not in r.text


def test_one_tick_asks_for_one_more(client: TestClient) -> None:
    r = client.get("/compare", params={"ids": DENMARK})
    assert r.status_code == 400 and "You ticked 1: tick 1 more." in " ".join(r.text.split())


def test_two_ticks_compare(client: TestClient) -> None:
    r = client.get("/compare", params=[("ids", DENMARK), ("ids", NORWAY)])
    assert r.status_code == 200 and "Comparing 2 cases" in r.text


def test_qca_submitted_without_a_condition_says_to_tick_one(client: TestClient) -> None:
    r = client.get("/analysis/qca", params={"submitted": "1", "outcome": "LASTING"})
    assert r.status_code == 400
    assert "Tick at least one condition (up to 16) to run QCA" in r.text
    assert client.get("/analysis/qca").status_code == 200  # the first visit is no error


def test_a_mistyped_calibration_column_is_named_on_the_page(client: TestClient) -> None:
    token = _csrf(client, "/analysis/calibrate")
    r = client.post("/analysis/calibrate", files={"data": ("raw.csv", RAW)}, data={
        "column": "gpd", "new_column": "RICH", "thresholds": "5000", "csrf_token": token})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "raw.csv: no column &#39;gpd&#39;; columns: case, gdp" in r.text
    assert 'value="gpd"' in r.text and 'value="RICH"' in r.text and 'value="5000"' in r.text
    bad = client.post("/analysis/calibrate", files={"data": ("raw.csv", RAW)}, data={
        "column": "gdp", "new_column": "RICH", "anchors": "low,mid,high", "csrf_token": token})
    assert bad.status_code == 400
    assert "Fuzzy anchors must be numbers separated by commas" in bad.text


def test_calibration_from_the_page_downloads_the_csv(client: TestClient) -> None:
    token = _csrf(client, "/analysis/calibrate")
    r = client.post("/analysis/calibrate", files={"data": ("raw.csv", RAW)}, data={
        "column": "gdp", "new_column": "RICH", "thresholds": "5000", "csrf_token": token})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == ["case,gdp,RICH", "A,1000,0", "B,6000,1", "C,9000,1"]


def test_calibration_without_the_csrf_field_is_refused(client: TestClient) -> None:
    r = client.post("/analysis/calibrate", files={"data": ("raw.csv", RAW)},
                    data={"column": "gdp", "new_column": "RICH", "thresholds": "5000"})
    assert r.status_code == 400 and "CSRF check failed" in r.text


def test_search_syntax_and_where_it_matched_through_the_api_and_page(
        client: TestClient) -> None:
    either = client.get("/api/cases", params={"q": "prison OR church", "limit": 100}).json()
    prison = client.get("/api/cases", params={"q": "prison", "limit": 100}).json()
    assert either["total"] > prison["total"]
    honduras = client.get("/api/cases", params={"q": "Honduras", "limit": 100}).json()
    assert honduras["cases"][0]["matched"][0] == "title"
    assert ["quotes"] in [i["matched"] for i in honduras["cases"]]
    bad = client.get("/api/cases", params={"q": "-church"})
    assert bad.status_code == 400 and "only words to exclude" in bad.text
    page = client.get("/cases", params={"q": "Honduras"})
    assert page.status_code == 200 and "Found in:" in page.text
    wrong = client.get("/cases", params={"q": "truce OR"})
    assert wrong.status_code == 200 and "OR needs words on both sides" in wrong.text
    assert 'class="error"' in wrong.text and "{" not in wrong.text.split('class="error"')[1][:80]


def test_lists_and_facets_count_leaf_cases_and_say_so(client: TestClient) -> None:
    """"28 cases" counted 4 parents and their 8 sub-cases together; the facets now count leaf
    cases, as the cross-tab and QCA do, and the list says how many are counted and why."""
    body = client.get("/api/cases", params={"facet": "region", "limit": 0}).json()
    assert body["leaves"] == body["total"] - body["parents"] and body["parents"] > 0
    assert sum(body["facets"]["region"].values()) == body["leaves"]
    tab = client.get("/api/crosstab", params={"row": "region", "col": "outcome_class"})
    assert tab.status_code == 200 and tab.json()["n_cases"] == body["leaves"]
    page = client.get("/cases")
    assert 'id="leaves"' in page.text and "not counted twice" in page.text
