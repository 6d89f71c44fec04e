"""The QCA front ends agree: the same bad CSV gets the same message from `parley qca` and from
`POST /api/qca` (one reader, `interchange.set_table`, behind `services.qca`); the API and the
page take mvQCA and R's chart options, and the page shows problems as a page, never as JSON.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parley.cli.main import app
from tests.analysis.qca.conftest import FIXTURES, load_fixture

runner = CliRunner()


def qca(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["qca", *args])
    return res.exit_code, res.stdout, res.stderr


BAD_FILES = {
    "binary.csv": (b"CASE,A,Y\nx,1\x00,1\n", "binary.csv: file is binary, not CSV text"),
    "latin1.csv": ("CASE,A,Y\nx\xe9,1,1\n".encode("latin-1"),
                   "latin1.csv: file is not UTF-8 text (byte 10)"),
    "cell.csv": (b"CASE,A,Y\nx,1,1\ny,0,0\nz,high,1\n",
                 "cell.csv: data row 3 (line 4), column 'A': 'high' is not a number"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_cli_and_the_api_say_the_same_about_the_same_bad_csv(
        name: str, tmp_path: Path, client: TestClient) -> None:
    raw, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(raw)
    code, _, err = qca("--data", str(path), "--outcome", "Y", "--conditions", "A",
                       "--case-id", "CASE", "--format", "json")
    api = client.post("/api/qca", data={"outcome": "Y", "conditions": "A", "case_id": "CASE"},
                      files={"data": (name, raw, "text/csv")})
    assert code == 2 and api.status_code == 400
    api_message = api.json()["error"]["message"]
    assert message in err and message in api_message


def test_calibration_the_same_on_the_cli_and_the_api(tmp_path: Path, client: TestClient) -> (
        None):
    raw = b"case,gdp\nA,1000\nB,lots\n"
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    res = runner.invoke(app, ["qca", "calibrate", "--data", str(path), "-c",
                              "gdp=crisp:5000", "-o", str(tmp_path / "out.csv")])
    api = client.post("/api/qca/calibrate", data={"column": "gdp", "new_column": "RICH",
                                                  "thresholds": "5000"},
                      files={"data": ("r.csv", raw, "text/csv")})
    message = "r.csv:3: column 'gdp': 'lots' is not a number"
    assert res.exit_code == 2 and message.replace("r.csv", str(path)) in res.stderr
    assert api.status_code == 400 and message in api.json()["error"]["message"]


def test_api_multi_value_and_row_dom_as_r(client: TestClient) -> None:
    run = load_fixture("r_lm_multivalue.json")["runs"][4]  # row.dom = TRUE
    raw = (FIXTURES / "lipset_lm_r.csv").read_bytes()
    r = client.post("/api/qca", data={
        "outcome": "SURV", "conditions": "DEV,URB,LIT,IND,STB", "case_id": "CASE",
        "multi_value": "DEV", "include_remainders": "true", "row_dom": "true"},
        files={"data": ("lm.csv", raw, "text/csv")})
    assert r.status_code == 200, r.text
    pars = [m["expression"] for m in r.json()["solutions"]["parsimonious"]["models"]]
    assert pars == [" + ".join(sorted(m["expression"].split(" + ")))
                    for m in run["solutions"]["parsimonious"]]
    bad = client.post("/api/qca", data={
        "outcome": "SURV", "conditions": "DEV,URB", "case_id": "CASE", "multi_value": "SURV"},
        files={"data": ("lm.csv", raw, "text/csv")})
    assert bad.status_code == 400
    assert "multi-value 'SURV' is not one of the conditions (DEV, URB)" in bad.text


def test_api_on_cases_takes_the_chart_options(client: TestClient) -> None:
    body = {"conditions": ["MED", "GOV", "INC"], "outcome": "LASTING",
            "include_remainders": True, "unknown_as_absent": True}
    plain = client.post("/api/qca/cases", json=body)
    dominated = client.post("/api/qca/cases", json=body | {"row_dom": True})
    assert plain.status_code == dominated.status_code == 200, dominated.text
    n_terms = {len(m["terms"]) for m in plain.json()["solutions"]["parsimonious"]["models"]}
    n_dom = {len(m["terms"]) for m in dominated.json()["solutions"]["parsimonious"]["models"]}
    assert n_dom <= n_terms  # row dominance never needs more terms
    strict = client.post("/api/qca/cases", json=body | {"sol_cons": 1.0, "sol_cov": 1.0})
    assert strict.status_code == 400
    assert strict.json()["error"]["message"] == (
        "there are no solutions, given these constraints: no disjunction of prime implicants "
        "reaches sol_cons = 1 with sol_cov = 1")
    lenient = client.post("/api/qca/cases", json=body | {"pi_cons": 0.6})
    pars = [m["expression"] for m in lenient.json()["solutions"]["parsimonious"]["models"]]
    assert pars == ["MED*GOV", "MED*INC"]  # pi.cons admits an implicant covering a 0 row


def test_page_chart_options_and_their_errors_stay_on_the_page(client: TestClient) -> None:
    params = {"submitted": "1", "conditions": ["MED", "GOV", "INC"], "outcome": "LASTING",
              "remainders": "true", "unknown_as_absent": "true", "row_dom": "true",
              "pi_cons": "abc"}
    r = client.get("/analysis/qca", params=params)
    assert r.headers["content-type"].startswith("text/html")
    assert "pi.cons must be a number from 0 to 1, not &#39;abc&#39;" in r.text
    assert 'value="abc"' in r.text and 'name="row_dom" value="true" checked' in r.text
    ok = client.get("/analysis/qca", params=params | {"pi_cons": "0.5"})
    assert ok.status_code == 200 and 'id="truth-table"' in ok.text
    none = client.get("/analysis/qca", params=params | {"pi_cons": "0", "sol_cons": "1.0",
                                                       "sol_cov": "1"})
    assert none.headers["content-type"].startswith("text/html")
    assert "there are no solutions, given these constraints" in none.text
    assert 'value="1.0"' in none.text
