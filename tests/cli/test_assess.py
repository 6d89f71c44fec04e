"""`parley assess` and `parley evaluate` as a user runs them: formats, files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import migrated_copy
from tests.support import PARLEY, Ran, run_cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "data" / "scenarios"


def run(args: list[str], db: str) -> Ran:
    """`parley ARGS` on `db`, in-process (`test_assess_through_the_entry_point` runs the
    installed `parley`)."""
    return run_cli(args, {"PARLEY_DATABASE_URL": db})


@pytest.fixture(scope="module")
def db(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_copy(migrated_template, tmp_path_factory.mktemp("assess"))


def test_assess_json_has_the_interface_shape(db: str) -> None:
    out = run(["assess", str(SCENARIOS / "good" / "gang-truce.yaml"), "--format", "json"], db)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == ["scenario", "outlook", "findings", "similar_cases", "checklist",
                          "summary", "warnings"]
    assert data["summary"]["verdict"] in ("talk-now", "prepare-first", "wait")
    assert data["scenario"]["title"] == "Citywide truce between two street gangs"
    assert data["scenario"]["security_dilemma"] == "yes"
    assert data["scenario"]["cohesion"] == "medium"
    assert sum(data["outlook"]["distribution"].values()) == pytest.approx(1.0)
    assert "leave-one-out" in data["outlook"]["caveat"]
    assert all(f["citations"] for f in data["findings"])
    assert {f["guideline"] for f in data["findings"]} >= {"security-dilemma-rivals"}


def test_assess_through_the_entry_point(db: str) -> None:
    """The installed `parley` prints what the in-process calls of this file see."""
    args = ["assess", str(SCENARIOS / "good" / "gang-truce.yaml"), "--format", "json"]
    done = subprocess.run([PARLEY, *args], capture_output=True, text=True, timeout=180,
                          check=False, env={**os.environ, "PARLEY_DATABASE_URL": db})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(run(args, db).stdout)


@pytest.mark.parametrize(("fmt", "marker"), [("md", "## Top risks"), ("html", "<!doctype html>")])
def test_assess_writes_a_brief(db: str, tmp_path: Path, fmt: str, marker: str) -> None:
    target = tmp_path / f"brief.{fmt}"
    out = run(["assess", str(SCENARIOS / "good" / "national-dialogue.json"), "--format", fmt,
               "-o", str(target)], db)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert f"wrote the {fmt} brief to {target}" in out.stderr
    text = target.read_text(encoding="utf-8")
    assert marker in text and "National dialogue with a mafia" in text


@pytest.mark.parametrize("name", ["unknown-code.yaml", "unknown-key.yaml",
                                  "several-problems.json"])
def test_bad_scenario_exits_2_with_the_paired_error(db: str, name: str) -> None:
    path = SCENARIOS / "bad" / name
    out = run(["assess", str(path), "--format", "json"], db)
    assert out.returncode == 2
    assert out.stdout == ""
    expected = path.with_name(name + ".error").read_text(encoding="utf-8").strip()
    flat = " ".join(out.stderr.split())
    for line in expected.splitlines():
        assert " ".join(line.replace(f"bad/{name}", str(path)).split()) in flat


def test_missing_scenario_file_exits_2(db: str, tmp_path: Path) -> None:
    out = run(["assess", str(tmp_path / "none.yaml")], db)
    assert out.returncode == 2 and "cannot read file" in out.stderr


def test_evaluate_json_and_table(db: str) -> None:
    out = run(["evaluate", "--format", "json"], db)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    methods = {"outlook", "ordinal-vote", "conditions-model", "nearest-neighbour",
               "paper-frequencies", "uniform"}
    assert set(data["evaluations"]) == {"leave-one-out", "leave-one-country-out"}
    for scheme in data["evaluations"].values():
        assert set(scheme["methods"]) == methods
        for m in scheme["methods"].values():
            assert {"brier", "rps", "reliability", "even_mix", "accuracy"} <= set(m)
            assert sum(b["n"] for b in m["reliability"]) == data["n_cases"] * 5
        assert scheme["methods"]["uniform"]["brier"] == pytest.approx(0.8)
        assert scheme["methods"]["outlook"]["brier"] < 0.8
        assert scheme["methods"]["outlook"]["rps"] < scheme["methods"]["uniform"]["rps"]
    # the first interface: LOO methods at the top, majority-class kept
    assert {"outlook", "majority-class", "uniform"} <= set(data["methods"])
    assert data["n_cases"] == len(data["predictions"]) > 0
    table = run(["evaluate", "--format", "table"], db)
    assert table.returncode == 0, table.stderr
    for text in ("leave-one-out", "leave-one-country-out", "paper-frequencies", "RPS", "Brier",
                 "reliability", "outlook (in use)"):
        assert text in table.stdout, text


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF-"), ("docx", b"PK\x03\x04")])
def test_assess_writes_documents_named_after_the_scenario(db: str, tmp_path: Path, fmt: str,
                                                           magic: bytes) -> None:
    untitled = tmp_path / "untitled.yaml"
    untitled.write_text("country: Honduras\ncohesion: low\n", encoding="utf-8")
    out = run(["assess", str(untitled), "--format", fmt, "--paper", "Letter", "-o",
               str(tmp_path)], db)
    assert out.returncode == 0, out.stderr
    target = tmp_path / f"parley-brief-honduras.{fmt}"
    assert target.read_bytes().startswith(magic)
    assert f"wrote the {fmt} brief to {target}" in " ".join(out.stderr.split())


def test_evaluate_stores_the_evaluation_and_assess_says_when_it_is_stale(
        tmp_path: Path) -> None:
    """Each command is a new process: the evaluation `parley evaluate` stored is the one
    `parley assess` uses; after a public case is added it says which revision its figures
    are from, until `parley evaluate` runs again."""
    db = f"sqlite:///{tmp_path / 'parley.db'}"
    scenario = str(SCENARIOS / "good" / "gang-truce.yaml")
    first = json.loads(run(["evaluate", "--format", "json"], db).stdout)
    caveat = json.loads(run(["assess", scenario], db).stdout)["outlook"]["caveat"]
    assert f"over {first['n_cases']} past cases" in caveat and "revision" not in caveat
    case = ROOT / "tests" / "data" / "cases" / "good" / "my-august-town-case.yaml"
    text = case.read_text(encoding="utf-8").replace(
        "  outcome_class: unknown",
        "  outcome_class:\n    value: collapsed\n    evidence:\n"
        "    - section: Methodology and Cases\n"
        "      quote: signed a truce in 2008 after a 24-day negotiation process")
    assert text != case.read_text(encoding="utf-8")
    published = tmp_path / "published.yaml"
    published.write_text(text, encoding="utf-8")
    added = run(["cases", "import", str(published), "--visibility", "public"], db)
    assert added.returncode == 0, added.stderr
    stale = json.loads(run(["assess", scenario], db).stdout)["outlook"]["caveat"]
    assert stale.startswith(caveat.rstrip())
    assert "measured on the case base at revision" in stale and "parley evaluate" in stale
    second = json.loads(run(["evaluate", "--format", "json"], db).stdout)
    assert second["n_cases"] == first["n_cases"] + 1
    fresh = json.loads(run(["assess", scenario], db).stdout)["outlook"]["caveat"]
    assert f"over {second['n_cases']} past cases" in fresh and "revision" not in fresh
