"""Conformance with R's QCA package, against published results stored as JSON fixtures.

Each fixture names where every expected figure was published (R QCA's own help pages and
snapshot tests, the book examples) and the R command that produced it.
"""

from __future__ import annotations

from typing import Any

import pytest

from parley.analysis.qca import Options, analyse, read_table, result_to_json
from parley.analysis.qca.minimise import SearchLimits, minimum_covers, prime_implicants
from parley.analysis.qca.terms import Implicant, format_model, parse_config
from tests.analysis.qca.conftest import load_csv, load_fixture

LIPSET = ["lipset_lc.json", "lipset_lf.json"]


def normal_form(expression: str) -> str:
    return " + ".join(sorted(t.strip() for t in expression.split("+")))


def runs(key: str = "solutions") -> list[tuple[str, int]]:
    return [
        (name, i)
        for name in LIPSET
        for i, run in enumerate(load_fixture(name)["runs"])
        if key in run
    ]


def run_fixture(name: str, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    fixture = load_fixture(name)
    run = fixture["runs"][index]
    header, rows = load_csv(fixture["data_file"])
    data = read_table(header, rows, outcome=run["outcome"], conditions=fixture["conditions"],
                      case_id=fixture["case_id"], source=fixture["data_file"])
    options = Options(
        incl_cut=tuple(run["incl_cut"]),
        include_remainders=run.get("include_remainders", False),
        directions=run.get("dir_exp"),
        necessity="necessity" in run,
    )
    return run | {"tolerance": fixture["tolerance"]}, result_to_json(analyse(data, options))


def test_every_fixture_names_its_sources() -> None:
    for name in [*LIPSET, "cvf_truth_table.json"]:
        prov = load_fixture(name)["provenance"]
        assert prov["reference"] and prov["data"] and prov["r_version"]
        for source in prov["sources"]:
            assert source["what"] and source["where"] and source["command"]


@pytest.mark.parametrize(("name", "index"), runs("truth_table"))
def test_truth_table(name: str, index: int) -> None:
    run, got = run_fixture(name, index)
    tol = run.get("truth_table_tolerance", run["tolerance"])
    rows = {r["config"]: r for r in got["truth_table"]}
    assert sorted(rows) == sorted(r["config"] for r in run["truth_table"])
    for want in run["truth_table"]:
        have = rows[want["config"]]
        assert have["OUT"] == want["OUT"] and have["n"] == want["n"], want["config"]
        assert have["incl"] == pytest.approx(want["incl"], abs=max(tol, 1e-6))
        assert have["PRI"] == pytest.approx(want["PRI"], abs=max(tol, 1e-6))
        if "cases" in want:
            assert have["cases"] == want["cases"]


@pytest.mark.parametrize(("name", "index"), runs())
def test_solutions(name: str, index: int) -> None:
    run, got = run_fixture(name, index)
    tol = run["tolerance"]
    for kind, models in run["solutions"].items():
        have_models = got["solutions"][kind]["models"]
        assert [m["expression"] for m in have_models] == sorted(
            normal_form(m["expression"]) for m in models
        ), kind
        for want, have in zip(sorted(models, key=lambda m: normal_form(m["expression"])),
                              have_models, strict=True):
            for key in ("inclS", "PRI", "covS"):
                if key in want:
                    assert have[key] == pytest.approx(want[key], abs=tol), (kind, key)
            terms = {t["term"]: t for t in have["terms"]}
            for term in want.get("terms", []):
                for key in ("inclS", "PRI", "covS", "covU"):
                    if key in term:
                        assert terms[term["term"]][key] == pytest.approx(term[key], abs=tol), (
                            kind, term["term"], key)


@pytest.mark.parametrize(("name", "index"), runs("necessity"))
def test_necessity(name: str, index: int) -> None:
    run, got = run_fixture(name, index)
    rows = {r["condition"]: r for r in got["necessity"]}
    for want in run["necessity"]:
        for key in ("inclN", "RoN", "covN"):
            assert rows[want["condition"]][key] == pytest.approx(want[key], abs=run["tolerance"])


def test_simplifying_assumptions_lc() -> None:
    run = load_fixture("lipset_lc.json")["runs"][0]
    want = run["solutions"]["parsimonious"][0]["simplifying_assumptions"]
    observed = {r["config"] for r in run["truth_table"]}
    term = Implicant(0b10001, 0b10001)  # DEV*STB
    got = sorted(format(m, "05b") for m in term.minterms(5) if format(m, "05b") not in observed)
    assert got == want


def test_cvf_prime_implicants_and_all_four_models() -> None:
    fx = load_fixture("cvf_truth_table.json")
    conds = fx["conditions"]
    pos = [parse_config(c) for c in fx["positives"]]
    neg = [parse_config(c) for c in fx["negatives"]]
    primes, complete = prime_implicants(pos, neg, len(conds), remainders=True)
    assert complete
    assert sorted(p.format(conds) for p in primes) == sorted(fx["prime_implicants"])
    search = minimum_covers(primes, pos, SearchLimits())
    assert search.complete
    got = sorted(format_model([primes[i] for i in m], conds) for m in search.models)
    assert got == sorted(normal_form(m) for m in fx["parsimonious_models"])
    # R's row-dominance model (row.dom = TRUE) is one of the minimal models.
    assert normal_form(fx["row_dominance_model"]) in got
