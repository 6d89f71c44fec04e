"""Comparative analysis through the API and pages: cross-tabulation, QCA on cases and on CSV."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[1] / "analysis" / "qca" / "fixtures"


def test_crosstab_counts_cases_with_ids(client: TestClient) -> None:
    r = client.get("/api/crosstab", params={"row": "region", "col": "outcome_class"})
    assert r.status_code == 200
    body = r.json()
    europe = body["row_codes"].index("europe")
    lasting = body["col_codes"].index("lasting-reduction")
    ids = body["cases"]["europe"]["lasting-reduction"]
    assert body["counts"][europe][lasting] == len(ids) >= 2
    assert "denmark-motorcycle-gang-truce" in ids
    # leaves only by default: a parent with sub-cases is not counted twice
    assert body["n_cases"] == 24
    everything = client.get("/api/crosstab", params={"row": "region", "col": "outcome_class",
                                                     "leaves_only": "false"}).json()
    assert everything["n_cases"] == 28


def test_crosstab_bad_variable(client: TestClient) -> None:
    r = client.get("/api/crosstab", params={"row": "colour", "col": "region"})
    assert r.status_code == 400
    assert "'colour' is not a variable with codes; allowed: region" in r.json()["error"]["message"]


def test_qca_on_cases_reports_unknowns(client: TestClient) -> None:
    r = client.post("/api/qca/cases", json={"conditions": ["MED", "GOV", "INC"],
                                            "outcome": "LASTING", "include_remainders": True,
                                            "necessity": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conditions"] == ["MED", "GOV", "INC"]
    assert body["unknown"]["policy"] == "excluded"
    assert body["n_cases"] + len(body["unknown"]["cases"]) == 24
    assert {"conservative", "parsimonious"} <= set(body["solutions"])
    assert len(body["necessity"]) == 6
    absent = client.post("/api/qca/cases", json={"conditions": ["MED", "GOV", "INC"],
                                                 "unknown_as_absent": True}).json()
    assert absent["n_cases"] == 24


def test_qca_on_cases_bad_input(client: TestClient) -> None:
    r = client.post("/api/qca/cases", json={"conditions": ["NOPE"], "outcome": "LASTING"})
    assert r.status_code == 400 and "not in the mapping: NOPE" in r.text
    r = client.post("/api/qca/cases", json={"conditions": ["COH", "IDN", "DRUG"]})
    assert r.status_code == 400 and "left out for unknown values" in r.text


def test_qca_csv_matches_the_reference(client: TestClient) -> None:
    """The Lipset crisp data through the API gives R QCA's published conservative solution."""
    csv_file = next(FIXTURES.glob("*lc*.csv"))
    r = client.post("/api/qca", files={"data": ("lc.csv", csv_file.read_bytes())},
                    data={"outcome": "SURV", "conditions": "DEV,URB,LIT,IND,STB",
                          "case_id": "CASE"})
    assert r.status_code == 200, r.text
    exprs = [m["expression"] for m in r.json()["solutions"]["conservative"]["models"]]
    assert exprs == ["DEV*LIT*IND*STB + DEV*~URB*LIT*STB"]


def test_qca_csv_bad_column(client: TestClient) -> None:
    r = client.post("/api/qca", files={"data": ("d.csv", b"A,B,OUT\n1,0,1\n0,x,0\n")},
                    data={"outcome": "OUT", "conditions": "A,B"})
    assert r.status_code == 400
    assert "column 'B'" in r.json()["error"]["message"]


def test_pages_render_tables_and_svg(client: TestClient) -> None:
    page = client.get("/analysis", params={"row": "group_type", "col": "outcome_class"}).text
    assert 'id="crosstab"' in page and page.count("<svg") == 2
    qca = client.get("/analysis/qca", params=[("conditions", "MED"), ("conditions", "GOV"),
                                              ("conditions", "INC"), ("outcome", "LASTING")]).text
    assert 'id="truth-table"' in qca and "Conservative solution" in qca


def test_calibrate_csv(client: TestClient) -> None:
    raw = b"case,gdp\nA,1000\nB,5000\nC,9000\n"
    crisp = client.post("/api/qca/calibrate", files={"data": ("r.csv", raw)},
                        data={"column": "gdp", "new_column": "RICH", "thresholds": "5000"})
    assert crisp.status_code == 200
    assert crisp.text.splitlines() == ["case,gdp,RICH", "A,1000,0", "B,5000,1", "C,9000,1"]
    fuzzy = client.post("/api/qca/calibrate", files={"data": ("r.csv", raw)},
                        data={"column": "gdp", "new_column": "RICH", "anchors": "2000,5000,8000"})
    lines = fuzzy.text.splitlines()
    assert lines[2] == "B,5000,0.5"
    bad = client.post("/api/qca/calibrate", files={"data": ("r.csv", b"case,gdp\nA,lots\n")},
                      data={"column": "gdp", "new_column": "RICH", "thresholds": "1"})
    assert bad.status_code == 400
    assert "r.csv:2: column 'gdp': 'lots' is not a number" in bad.json()["error"]["message"]


def test_qca_csv_with_bare_carriage_returns(client: TestClient) -> None:
    """Old Mac line endings (a bare CR) are line endings, not a server error."""
    r = client.post("/api/qca", files={"data": ("d.csv", b"A,B,OUT\r1,0,1\r0,1,0\r")},
                    data={"outcome": "OUT", "conditions": "A,B"})
    assert r.status_code == 200, r.text
    assert r.json()["n_cases"] == 2


def test_qca_on_three_cases_with_21_left_out_warns_everywhere(client: TestClient) -> None:
    """Issue 14: MED and INC leave 21 of 24 cases out; the result was '1 → LASTING', no warning."""
    body = client.post("/api/qca/cases", json={"conditions": ["MED", "INC"],
                                               "outcome": "LASTING",
                                               "include_remainders": True}).json()
    assert body["n_cases"] == 3
    assert body["warnings"][0].startswith("21 of 24 cases were left out because a chosen "
                                          "condition or the outcome is unknown for them")
    assert body["warnings"][1].startswith("only 3 cases for 2 conditions")
    page = client.get("/analysis/qca", params=[("conditions", "MED"), ("conditions", "INC"),
                                               ("outcome", "LASTING"), ("submitted", "1"),
                                               ("remainders", "true"),
                                               ("leaves_only", "true")]).text
    assert "21 of 24 cases were left out" in page and "only 3 cases for 2 conditions" in page
