"""`parley qca` end to end through Typer's runner: the JSON contract, the table, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from parley.cli.main import app
from tests.analysis.qca.conftest import FIXTURES

runner = CliRunner()
LC = str(FIXTURES / "lipset_lc.csv")
BASE = ["qca", "--data", LC, "--case-id", "CASE", "--outcome", "SURV",
        "--conditions", "DEV,URB,LIT,IND,STB"]


def test_json_follows_the_contract() -> None:
    res = runner.invoke(app, [*BASE, "--include-remainders", "--dir-exp",
                              "DEV=1,URB=1,LIT=1,IND=1,STB=1", "--necessity", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["outcome"] == "SURV" and out["n_cases"] == 18
    assert out["conditions"] == ["DEV", "URB", "LIT", "IND", "STB"]
    assert {"config": "10101", "OUT": "1", "n": 2, "incl": 1.0, "PRI": 1.0,
            "cases": ["FI", "IE"]} in out["truth_table"]
    cons = out["solutions"]["conservative"]["models"]
    assert [m["expression"] for m in cons] == ["DEV*LIT*IND*STB + DEV*~URB*LIT*STB"]
    assert set(cons[0]["terms"][0]) >= {"term", "inclS", "PRI", "covS", "covU"}
    assert set(out["solutions"]) == {"conservative", "parsimonious", "intermediate"}
    assert [r["condition"] for r in out["necessity"]][:2] == ["DEV", "~DEV"]


def test_table_and_negated_outcome() -> None:
    res = runner.invoke(app, [*BASE[:-4], "--outcome", "~SURV", *BASE[-2:],
                              "--include-remainders", "--format", "table"])
    assert res.exit_code == 0, res.output
    assert "~DEV + ~STB" in res.stdout


def test_bad_input_exits_2_naming_the_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("CASE,A,B,Y\nx,1,0,1\ny,0,oops,0\n", encoding="utf-8")
    res = runner.invoke(app, ["qca", "--data", str(bad), "--outcome", "Y",
                              "--conditions", "A,B", "--format", "json"])
    assert res.exit_code == 2
    assert "data row 2 (line 3), column 'B': 'oops' is not a number" in res.stderr
    res = runner.invoke(app, [*BASE[:-2], "--conditions", "DEV,NOPE", "--format", "json"])
    assert res.exit_code == 2 and "no column 'NOPE'" in res.stderr


def test_calibrate_writes_a_csv(tmp_path: Path) -> None:
    raw = tmp_path / "raw.csv"
    raw.write_text("CASE,GDP,CAB\na,300,12\nb,550,5\nc,900,8\n", encoding="utf-8")
    out = tmp_path / "cal.csv"
    res = runner.invoke(app, ["qca", "calibrate", "--data", str(raw), "-c",
                              "GDP=fuzzy:350,550,900", "-c", "CAB=crisp:10", "-o", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "CASE,GDP,CAB"
    assert lines[2] == "b,0.5,0"
    res = runner.invoke(app, ["qca", "calibrate", "--data", str(raw), "-c", "GDP=fuzzy:1,2",
                              "-o", str(out)])
    assert res.exit_code == 2
