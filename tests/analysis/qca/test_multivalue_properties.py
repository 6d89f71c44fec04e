"""Properties of multi-value QCA and of R's chart options, on random data (hypothesis)."""

from __future__ import annotations

import itertools
import re

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from parley.analysis.qca import Options, SetData, analyse, build_truth_table, result_to_json
from parley.analysis.qca.errors import QCAInputError
from parley.analysis.qca.minimise import SearchLimits, cover_chart
from parley.analysis.qca.multivalue import MVImplicant
from parley.analysis.qca.solutions import ChartOptions, Space, solve_chart
from parley.analysis.qca.terms import decode_config


@st.composite
def mv_data(draw: st.DrawFn, max_level: int = 3) -> SetData:
    k = draw(st.integers(2, 4))
    levels = [draw(st.integers(2, max_level)) for _ in range(k)]
    n = draw(st.integers(4, 20))
    rows = draw(st.lists(
        st.tuples(st.tuples(*[st.integers(0, m - 1) for m in levels]), st.integers(0, 1)),
        min_size=n, max_size=n))
    names = [chr(ord("A") + j) for j in range(k)]
    columns = [[float(r[0][j]) for r in rows] for j in range(k)]
    return SetData.from_columns(names, columns, "Y", [float(r[1]) for r in rows],
                                [f"c{i}" for i in range(n)], multi_value=names)


def crisp_spelling(term: str) -> str:
    """``A[1]*B[0]`` -> ``A*~B``: a multi-value term over 0/1 codes in crisp notation."""
    return re.sub(r"(\w+)\[(\d)\]", lambda m: m[1] if m[2] == "1" else f"~{m[1]}", term)


def models(space: Space, data: SetData, remainders: bool,
           options: ChartOptions | None = None) -> set[frozenset[str]]:
    tt = build_truth_table(data)
    if not tt.positives:
        return set()
    primes, _ = space.primes(tt.positives, tt.negatives, remainders=remainders,
                             limits=SearchLimits())
    solved = solve_chart(space, data, tt.positives, primes, options or ChartOptions(),
                         SearchLimits(), remainders=remainders)
    return {frozenset(solved.primes[i].format(data.conditions) for i in m)
            for m in solved.models}


@settings(max_examples=60, deadline=None)
@given(mv_data(max_level=2), st.booleans())
def test_binary_codes_through_the_mv_engine_give_the_crisp_solutions(
        data: SetData, remainders: bool) -> None:
    crisp = models(Space(data.noflevels, multivalue=False), data, remainders)
    mv = models(Space(data.noflevels, multivalue=True), data, remainders)
    assert {frozenset(crisp_spelling(t) for t in m) for m in mv} == crisp


def brute_mv_primes(pos: set[int], off: set[int], levels: list[int]) -> set[MVImplicant]:
    k = len(levels)
    terms = []
    for lits in itertools.product(*[(None, *range(m)) for m in levels]):
        mask = sum(1 << (k - 1 - j) for j, v in enumerate(lits) if v is not None)
        terms.append(MVImplicant(mask, tuple(v or 0 for v in lits)))

    def covers(t: MVImplicant, c: int) -> bool:
        return t.covers_values(decode_config(c, levels))

    imps = {t for t in terms if any(covers(t, p) for p in pos)
            and not any(covers(t, m) for m in off)}
    return {t for t in imps if not any(o != t and o.contains(t) for o in imps)}


@settings(max_examples=60, deadline=None)
@given(mv_data(), st.booleans())
def test_mv_prime_implicants_match_brute_force(data: SetData, remainders: bool) -> None:
    tt = build_truth_table(data)
    assume(tt.positives)
    space = Space(data.noflevels, multivalue=True)
    primes, complete = space.primes(tt.positives, tt.negatives, remainders=remainders,
                                    limits=SearchLimits())
    assert complete
    every = set(range(space.size))
    off = set(tt.negatives) if remainders else every - set(tt.positives)
    assert set(primes) == brute_mv_primes(set(tt.positives), off, list(data.noflevels))


ALL_POSITIVE = SetData.from_columns(["A", "B"], [[0.0, 0.0, 2.0], [0.0, 1.0, 0.0]], "Y",
                                   [1.0, 1.0, 1.0], ["c0", "c1", "c2"], multi_value=["A", "B"])
"""Every observed configuration positive: with remainders the solution is the tautology `1`
(the empty conjunction), which the test once failed to read (found by hypothesis)."""


@settings(max_examples=60, deadline=None)
@given(mv_data(), st.booleans())
@example(ALL_POSITIVE, True)
def test_mv_models_cover_every_positive_and_no_negative(data: SetData, remainders: bool) -> (
        None):
    assume(data.is_multivalue)
    try:
        result = result_to_json(analyse(data, Options(include_remainders=remainders)))
    except QCAInputError:
        return
    positives = [r["config"] for r in result["truth_table"] if r["OUT"] == "1"]
    negatives = [r["config"] for r in result["truth_table"] if r["OUT"] != "1"]
    kind = "parsimonious" if remainders else "conservative"
    for model in result["solutions"][kind]["models"]:
        lits = [[(t.split("[")[0], t[-2]) for t in term["term"].split("*") if t != "1"]
                for term in model["terms"]]  # "1", the empty conjunction, holds everywhere

        def inside(config: str, term: list[tuple[str, str]]) -> bool:
            return all(config[data.conditions.index(c)] == v for c, v in term)

        assert all(any(inside(p, t) for t in lits) for p in positives)
        assert not any(any(inside(n, t) for t in lits) for n in negatives)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 255), min_size=1, max_size=9))
def test_row_dominance_keeps_the_minimum_and_only_drops_models(rows: list[int]) -> None:
    ncol = 8
    union = 0
    for r in rows:
        union |= r
    assume(union == (1 << ncol) - 1)
    from parley.analysis.qca.minimise import row_dominance

    full = cover_chart(rows, ncol)
    kept = row_dominance(rows)
    reduced = cover_chart([rows[i] for i in kept], ncol)
    size = {len(m) for m in full.models}
    assert {len(m) for m in reduced.models} == size  # never more terms
    full_sets = {frozenset(m) for m in full.models}
    assert {frozenset(kept[i] for i in m) for m in reduced.models} <= full_sets


@settings(max_examples=40, deadline=None)
@given(mv_data())
def test_mv_results_do_not_depend_on_row_order(data: SetData) -> None:
    try:
        first = result_to_json(analyse(data, Options(include_remainders=True)))
    except QCAInputError:
        return
    order = np.random.default_rng(0).permutation(len(data.cases))
    shuffled = SetData(data.conditions, data.outcome, tuple(data.cases[i] for i in order),
                       data.x[order], data.y[order], data.levels, data.multi_value)
    second = result_to_json(analyse(shuffled, Options(include_remainders=True)))
    assert first["solutions"] == second["solutions"] or all(
        [m["expression"] for m in first["solutions"][k]["models"]]
        == [m["expression"] for m in second["solutions"][k]["models"]]
        for k in first["solutions"])
