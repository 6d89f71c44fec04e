"""`parley qca` on a CSV: mvQCA and R's chart options (row.dom, pi.cons, sol.cons).

Through Typer's runner (in process: no database, nothing to migrate). The CLI and the API
answering the same bad CSV the same way: tests/web/test_analysis_qca.py.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parley.cli.main import app
from tests.analysis.qca.conftest import FIXTURES, load_fixture

runner = CliRunner()
LM = str(FIXTURES / "lipset_lm_r.csv")
LF = str(FIXTURES / "lipset_lf_r.csv")
FIVE = ["--conditions", "DEV,URB,LIT,IND,STB", "--case-id", "CASE", "--outcome", "SURV"]


def qca(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["qca", *args])
    return res.exit_code, res.stdout, res.stderr


def test_multi_value_gives_r_s_models_in_r_s_notation() -> None:
    want = load_fixture("r_lm_multivalue.json")["runs"][1]["solutions"]
    code, out, err = qca("--data", LM, *FIVE, "--multi-value", "DEV", "--include-remainders",
                         "--dir-exp", "DEV=1;2,URB=1,LIT=1,IND=1,STB=1", "--format", "json")
    assert code == 0, err
    body = json.loads(out)
    assert body["multi_value"] == {"DEV": 3}
    rows = load_fixture("r_lm_multivalue.json")["runs"][1]["truth_table"]
    assert [(r["config"], r["OUT"], r["n"], r["cases"]) for r in body["truth_table"]] == [
        (r["config"], r["OUT"], r["n"], r["cases"]) for r in rows]
    for kind in ("parsimonious", "intermediate"):
        got = [m["expression"] for m in body["solutions"][kind]["models"]]
        assert got == sorted(" + ".join(sorted(m["expression"].split(" + ")))
                             for m in want[kind])


def test_an_mv_column_not_declared_is_refused_with_the_option_to_use() -> None:
    code, _, err = qca("--data", LM, *FIVE, "--format", "json")
    assert code == 2
    assert ("lipset_lm_r.csv: data row 2 (line 3), column 'DEV': '2' is outside [0, 1]; "
            "calibrate raw data first (parley qca calibrate), or declare it multi-value "
            "(--multi-value DEV)") in err
    code, _, err = qca("--data", LF, *FIVE, "--multi-value", "DEV", "--format", "json")
    assert code == 2 and "column 'DEV': '0.81' is not a multi-value code" in err
    code, _, err = qca("--data", LM, *FIVE, "--multi-value", "DEV", "--include-remainders",
                       "--dir-exp", "DEV=3", "--format", "json")
    assert code == 2 and "--dir-exp: DEV='3'; use values 0 to 2 separated by ; or -" in err


def test_row_dom_pi_cons_sol_cons_as_r() -> None:
    runs = load_fixture("r_lf_options.json")["runs"]
    code, out, err = qca("--data", LF, *FIVE, "--incl-cut", "0.8", "--include-remainders",
                         "--pi-cons", "0.85", "--format", "json")
    assert code == 0, err
    pars = [m["expression"] for m in json.loads(out)["solutions"]["parsimonious"]["models"]]
    assert pars == [m["expression"] for m in runs[3]["solutions"]["parsimonious"]]
    code, _, err = qca("--data", LF, *FIVE, "--incl-cut", "0.7", "--sol-cons", "0.9",
                       "--format", "json")
    assert code == 2 and "there are no solutions, given these constraints" in err
    code, out, err = qca("--data", LF, *FIVE, "--incl-cut", "0.7", "--include-remainders",
                         "--row-dom", "--format", "table")
    assert code == 0 and "DEV*STB" in out
    code, _, err = qca("--data", LF, *FIVE, "--pi-cons", "1.5")
    assert code == 2 and "--pi-cons 1.5 must be within [0, 1]" in err
