"""Conformance with R QCA 3.23 itself: fixtures recorded by running R on this project's data.

Each ``r_*.json`` fixture holds, per run, the options (in Parley's spelling and as the exact R
call), R's truth table and every model of every solution with its parameters of fit; for the
intermediate solution also R's per-pair models (C1P1, ...) and easy counterfactuals. Where R
refused ("There are no solutions, given these constraints"), the fixture holds the error and
Parley must refuse too.
"""

from __future__ import annotations

from typing import Any

import pytest

from parley.analysis.qca import Options, analyse, read_table, result_to_json
from parley.analysis.qca.errors import NoSolutionError
from parley.analysis.qca.intermediate import parse_directions
from tests.analysis.qca.conftest import load_csv, load_fixture

RECORDED = [
    "r_lf_intermediate.json",
    "r_nf_intermediate.json",
    "r_cvf_intermediate.json",
    "r_lf_options.json",
    "r_cvf_options.json",
    "r_lm_multivalue.json",
]


def normal_form(expression: str) -> str:
    return " + ".join(sorted(t.strip() for t in expression.split("+")))


def cases() -> list[tuple[str, int]]:
    return [(name, i) for name in RECORDED for i in range(len(load_fixture(name)["runs"]))]


def run_options(name: str, index: int, *, remainders: bool | None = None) -> tuple[
        dict[str, Any], Any, Options]:
    fixture = load_fixture(name)
    run = fixture["runs"][index]
    header, rows = load_csv(fixture["data_file"])
    data = read_table(header, rows, outcome=run["outcome"], conditions=fixture["conditions"],
                      case_id=fixture["case_id"], source=fixture["data_file"],
                      multi_value=fixture.get("multi_value", []))
    dir_exp = run.get("dir_exp")
    options = Options(
        incl_cut=(float(run["incl_cut"]),),
        include_remainders=run["include_remainders"] if remainders is None else remainders,
        directions=parse_directions(dir_exp, data.conditions, data.noflevels) if dir_exp
        else None,
        row_dom=run["row_dom"], pi_cons=run["pi_cons"], sol_cons=run["sol_cons"],
        sol_cov=run["sol_cov"],
    )
    return run, data, options


def test_recorded_fixtures_name_r_and_the_call() -> None:
    for name in RECORDED:
        fixture = load_fixture(name)
        prov = fixture["provenance"]
        assert "QCA 3.23" in prov["r_version"] and prov["date"] and prov["data"]
        assert len(prov["sources"]) == len(fixture["runs"])
        for run in fixture["runs"]:
            assert run["r_call"].startswith("tt <- truthTable(")


@pytest.mark.parametrize(("name", "index"), cases())
def test_equal_to_r(name: str, index: int) -> None:
    run, data, options = run_options(name, index)
    want = run["solutions"]
    errors = {kind for kind, models in want.items() if isinstance(models, dict)}
    if errors:
        with pytest.raises(NoSolutionError, match="no solutions, given these constraints"):
            analyse(data, options)
        if "conservative" in errors:
            return
        _, data, options = run_options(name, index, remainders=False)
    got = result_to_json(analyse(data, options))
    rows = {r["config"]: r for r in got["truth_table"]}
    assert sorted(rows) == sorted(r["config"] for r in run["truth_table"])
    for row in run["truth_table"]:
        have = rows[row["config"]]
        assert (have["OUT"], have["n"], have["cases"]) == (row["OUT"], row["n"], row["cases"])
        assert have["incl"] == pytest.approx(row["incl"], abs=1e-6)
        assert have["PRI"] == pytest.approx(row["PRI"], abs=1e-6)
    for kind, models in want.items():
        if kind in errors:
            continue
        have_models = got["solutions"][kind]["models"]
        assert [m["expression"] for m in have_models] == sorted(
            normal_form(m["expression"]) for m in models), kind
        for w, h in zip(sorted(models, key=lambda m: normal_form(m["expression"])),
                        have_models, strict=True):
            for key in ("inclS", "PRI", "covS"):
                assert h[key] == pytest.approx(w[key], abs=1e-6), (kind, key)
            terms = {t["term"]: t for t in h["terms"]}
            for term in w["terms"]:
                for key in ("inclS", "PRI", "covS", "covU"):
                    assert terms[term["term"]][key] == pytest.approx(term[key], abs=1e-6), (
                        kind, term["term"], key)


@pytest.mark.parametrize(("name", "index"), [
    (name, i) for name, i in cases()
    if len(load_fixture(name)["runs"][i].get("intermediate_pairs", [])) == 1])
def test_easy_counterfactuals_equal_to_r(name: str, index: int) -> None:
    run, data, options = run_options(name, index)
    (pair,) = run["intermediate_pairs"]
    got = result_to_json(analyse(data, options))
    for model in got["solutions"]["intermediate"]["models"]:
        assert model["easy_counterfactuals"] == sorted(pair["easy_counterfactuals"])
