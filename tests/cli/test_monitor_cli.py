"""`parley monitor its` as a user runs it: JSON and table output, exit 2 naming file:line or option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli.main import app

DATA = Path(__file__).parents[1] / "data" / "monitoring"
SICILY = str(DATA / "sicily-long.csv")
BASE = ["monitor", "its", "--data", SICILY, "--indicator", "aces", "--intervention", "2005-01"]


def invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_json_reproduces_the_published_estimate() -> None:
    code, stdout, _ = invoke([*BASE, "--offset", "stdpop", "--seasonality", "2", "--format", "json"])
    assert code == 0
    doc = json.loads(stdout)
    assert doc["model"] == "quasi-poisson" and doc["n"] == 59 and doc["period"] == "month"
    assert doc["intervention"] == "2005-01"
    assert round(doc["level_change"]["rate_ratio"], 3) == 0.885
    assert [round(v, 3) for v in doc["level_change"]["ci"]] == [0.839, 0.933]
    assert doc["slope_change"] is None
    assert len(doc["series"]) == 59 and doc["series"][0]["date"] == "2002-01"


def test_table_and_slope_change() -> None:
    code, stdout, _ = invoke([*BASE, "--offset", "stdpop", "--seasonality", "2", "--slope-change",
                              "--model", "negative-binomial", "--robust", "hac"])
    assert code == 0, stdout
    assert "negative-binomial, HAC, n = 59 months, intervention 2005-01" in stdout
    assert "slope change (per period)" in stdout
    assert "events prevented after the intervention" in stdout


def test_control_locality(tmp_path: Path) -> None:
    lines = ["date,locality,indicator,value"]
    for i in range(48):
        month = f"{2015 + i // 12}-{i % 12 + 1:02d}"
        lines.append(f"{month},Treated,homicides,{100 + (i % 5) - (30 if i >= 24 else 0)}")
        lines.append(f"{month},Control,homicides,{50 + (i % 3)}")
    path = tmp_path / "two.csv"
    path.write_text("\n".join(lines) + "\n")
    code, stdout, _ = invoke(["monitor", "its", "--data", str(path), "--indicator", "homicides",
                              "--locality", "Treated", "--intervention", "2017-01",
                              "--control-locality", "Control", "--format", "json"])
    assert code == 0, stdout
    doc = json.loads(stdout)
    assert doc["control"] == {"kind": "locality", "name": "Control", "n": 48}
    assert doc["n"] == 96
    assert doc["level_change"]["rate_ratio"] < 0.8


@pytest.mark.parametrize(("args", "message"), [
    (["monitor", "its", "--data", str(DATA / "bad" / "duplicate.csv"), "--indicator", "homicides",
      "--intervention", "2020-01"], "duplicate.csv:3: duplicate: A / homicides / 2020-01"),
    ([*BASE[:-1], "2009-01"], "--intervention: 2009-01-01 is outside the series"),
    ([*BASE[:-1], "Jan 2005"], "--intervention: 'Jan 2005' is not a date of the form"),
    ([*BASE, "--offset", "nope"], "--offset: no column 'nope'"),
    ([*BASE, "--seasonality", "9"], "--seasonality: 9 harmonic pairs; allowed 0 to 6"),
    ([*BASE, "--locality", "Rome"], "--locality: no locality 'Rome' for 'aces'"),
    ([*BASE, "--control-locality", "A", "--control-indicator", "B"], "give at most one"),
    ([*BASE, "--end", "2004-06"], "--end: 2004-06-01 is before the intervention"),
])
def test_bad_input_exits_2_naming_it(args: list[str], message: str) -> None:
    code, _, stderr = invoke(args)
    assert code == 2
    assert message in stderr


def test_unknown_model_is_a_usage_error() -> None:
    code, _, stderr = invoke([*BASE, "--model", "gaussian"])
    assert code == 2
    assert "quasi-poisson" in stderr
