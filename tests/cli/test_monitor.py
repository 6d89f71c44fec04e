"""`parley monitor its` as a user runs it: JSON and table output, exit 2 naming file:line or option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli.main import app
from tests.support import run_cli

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


# -- stored series: parley monitor import / alerts (the CLI is the operator) ---------------------

PW = "a long enough password\n"


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[int, str, str]:
    ran = run_cli(args, env, stdin)
    return ran.returncode, ran.stdout, ran.stderr


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[dict[str, str], str]:
    env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}"}
    assert run(["users", "create", "ana", "--password-stdin"], env, PW)[0] == 0
    code, out, _ = run(["workspaces", "create", "Truce", "--owner", "ana"], env)
    assert code == 0
    return env, out.strip()


def test_import_then_alerts(workspace: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, ws = workspace
    code, out, err = run(["monitor", "import", ws, SICILY, "--intervention", "2005-01",
                          "--seasonality", "2", "--offset", "stdpop"], env)
    assert code == 0, err
    assert "stored 59 rows: 1 new series, 0 replaced" in out
    assert "storing" in err and "reading" in err  # the progress bars, on stderr
    code, _, err = run(["monitor", "import", ws, SICILY], env)
    assert code == 2 and "Sicily / aces is already stored" in err
    code, out, _ = run(["monitor", "import", ws, SICILY, "--replace"], env)
    assert code == 0 and "0 new series, 1 replaced" in out
    code, out, _ = run(["monitor", "alerts", ws, "--format", "json"], env)
    assert code == 0 and json.loads(out) == []  # the replacement has no intervention stored
    months = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(48)]
    values = [40] * 24 + [20] * 18 + [45, 48, 50, 47, 52, 55]
    path = tmp_path / "town.csv"
    path.write_text("date,locality,indicator,value\n" + "".join(
        f"{m},Town,homicides,{v + i % 3}\n" for i, (m, v) in enumerate(zip(months, values,
                                                                          strict=True))))
    assert run(["monitor", "import", ws, str(path), "--intervention", "2012-01",
                "--classification", "secret"], env)[0] == 0
    code, out, _ = run(["monitor", "alerts", ws, "--format", "json"], env)
    alerts = json.loads(out)
    assert {a["kind"] for a in alerts} == {"violence-up"}
    assert any("back to the level expected without the deal" in a["title"] for a in alerts)
    code, out, _ = run(["monitor", "alerts", ws], env)
    assert code == 0 and "violence-up" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--intervention", "2005-13"], "intervention: '2005-13' is not a real date"),
    (["--classification", "top"], "Invalid value for '--classification'"),
    (["--seasonality", "40"], "seasonality: 40; allowed 0 to 26"),
])
def test_import_bad_options_exit_2(workspace: tuple[dict[str, str], str], args: list[str],
                                   message: str) -> None:
    env, ws = workspace
    code, _, err = run(["monitor", "import", ws, SICILY, *args], env)
    assert code == 2 and message in err


def test_import_bad_file_exit_2_nothing_stored(workspace: tuple[dict[str, str], str]) -> None:
    env, ws = workspace
    code, _, err = run(["monitor", "import", ws, str(DATA / "bad" / "mixed-periods.csv")], env)
    assert code == 2 and "mixed-periods.csv:3: field 'date': '2020-W05' is a week" in err
    code, _, err = run(["monitor", "import", "nope", SICILY], env)
    assert code == 2 and "no workspace 'nope'" in err
