"""Exports from the web (issue 14 item 4): the list as filtered now, every page, as CSV, JSON
or a data package, with a line saying how to cite; the same cases the list counts."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from fastapi.testclient import TestClient

FILTERS: list[tuple[str, str | int | float | bool | None]] = [
    ("q", "truce"), ("f", "region:latin-america")]


def listed_total(client: TestClient,
                 params: list[tuple[str, str | int | float | bool | None]]) -> int:
    found = re.search(r'<strong id="total">(\d+)</strong>', client.get("/cases", params=params).text)
    assert found
    return int(found.group(1))


def test_csv_is_the_filtered_list(client: TestClient) -> None:
    total = listed_total(client, FILTERS)
    assert 0 < total < 28
    r = client.get("/cases/export", params=[("format", "csv"), *FILTERS])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="parley-cases-\d{4}-\d{2}-\d{2}\.csv"',
                        r.headers["content-disposition"])
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == total == int(r.headers["x-parley-cases"])
    assert {row["region"] for row in rows} == {"latin-america"}


def test_json_is_the_import_shape_and_data_package_has_the_schema(client: TestClient) -> None:
    total = listed_total(client, FILTERS)
    cases = client.get("/cases/export", params=[("format", "json"), *FILTERS]).json()
    assert len(cases) == total and all("values" in c or "country" in c for c in cases)
    pkg = client.get("/cases/export", params=[("format", "datapackage"), *FILTERS])
    assert pkg.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(pkg.content)) as z:
        meta = json.loads(z.read("datapackage.json"))
        rows = z.read("cases.csv").decode().strip().splitlines()
    assert len(rows) - 1 == total
    assert "search “truce”" in meta["description"] and "region:latin-america" in \
        meta["description"]


def test_the_list_links_its_exports_and_says_how_to_cite(client: TestClient) -> None:
    page = client.get("/cases", params=FILTERS).text
    links = re.findall(r'href="(/cases/export\?[^"]+)"', page)
    assert len(links) == 3
    assert all("q=truce" in x and "f=region%3Alatin-america" in x for x in links)
    cite = page[page.index('id="how-to-cite"'):]
    assert "Negotiating with Violent Criminal Groups" in cite and "Parley case base" in cite


def test_bad_export_requests_are_400_naming_the_problem(client: TestClient) -> None:
    bad_format = client.get("/cases/export", params={"format": "xlsx"})
    assert bad_format.status_code in (400, 422)
    assert "csv" in bad_format.text and "datapackage" in bad_format.text
    bad_where = client.get("/cases/export", params={"where": "colour = red"})
    assert bad_where.status_code == 400 and "colour" in bad_where.text
