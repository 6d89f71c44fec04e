"""Properties of the engine on random crisp data, checked against brute force for small k."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.analysis.qca import Options, SetData, analyse, build_truth_table, result_to_json
from parley.analysis.qca.minimise import SearchLimits, minimum_covers, prime_implicants
from parley.analysis.qca.terms import Implicant


@st.composite
def crisp_data(draw: st.DrawFn) -> SetData:
    k = draw(st.integers(2, 5))
    n = draw(st.integers(4, 24))
    rows = draw(st.lists(st.tuples(st.lists(st.integers(0, 1), min_size=k, max_size=k),
                                   st.integers(0, 1)), min_size=n, max_size=n))
    names = [chr(ord("A") + j) for j in range(k)]
    columns = [[float(r[0][j]) for r in rows] for j in range(k)]
    y = [float(r[1]) for r in rows]
    return SetData.from_columns(names, columns, "Y", y, [f"c{i}" for i in range(n)])


def all_terms(k: int) -> list[Implicant]:
    out = []
    for lits in itertools.product((None, 0, 1), repeat=k):
        mask = value = 0
        for j, lit in enumerate(lits):
            if lit is not None:
                bit = 1 << (k - 1 - j)
                mask |= bit
                value |= bit if lit else 0
        out.append(Implicant(mask, value))
    return out


def brute_primes(pos: set[int], off: set[int], k: int) -> set[Implicant]:
    """Implicants covering a positive and nothing in ``off``, with no removable literal."""
    imps = {t for t in all_terms(k)
            if any(t.covers(p) for p in pos) and not any(t.covers(m) for m in off)}
    return {t for t in imps if not any(o != t and o.contains(t) for o in imps)}


def brute_min_covers(primes: list[Implicant], pos: list[int]) -> set[frozenset[Implicant]]:
    for size in range(1, len(primes) + 1):
        found = {frozenset(c) for c in itertools.combinations(primes, size)
                 if all(any(t.covers(p) for t in c) for p in pos)}
        if found:
            return found
    return set()


@settings(max_examples=60, deadline=None)
@given(crisp_data(), st.booleans())
def test_primes_and_covers_match_brute_force(data: SetData, remainders: bool) -> None:
    tt = build_truth_table(data)
    pos, neg = tt.positives, tt.negatives
    if not pos:
        return
    k = data.k
    off = set(neg) if remainders else set(range(1 << k)) - set(pos)
    primes, complete = prime_implicants(pos, neg, k, remainders=remainders)
    assert complete
    assert set(primes) == brute_primes(set(pos), off, k)
    search = minimum_covers(primes, pos, SearchLimits())
    got = {frozenset(primes[i] for i in m) for m in search.models}
    assert search.complete and got == brute_min_covers(primes, pos)
    for model in got:  # covers every positive row and no negative row
        assert all(any(t.covers(p) for t in model) for p in pos)
        assert not any(t.covers(m) for t in model for m in neg)
        if not remainders:
            assert not any(t.covers(m) for t in model for m in off)


@settings(max_examples=40, deadline=None)
@given(crisp_data(), st.randoms(use_true_random=False))
def test_results_invariant_under_row_order(data: SetData, rnd: object) -> None:
    order = list(range(len(data.cases)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = SetData(data.conditions, data.outcome, tuple(data.cases[i] for i in order),
                       data.x[order], data.y[order])
    opts = Options(incl_cut=(0.8,), include_remainders=True,
                   directions=dict.fromkeys(data.conditions, 1), necessity=True)
    a, b = result_to_json(analyse(data, opts)), result_to_json(analyse(shuffled, opts))
    for row in [*a["truth_table"], *b["truth_table"]]:
        row["cases"].sort()
    for res in (a, b):
        for sol in res["solutions"].values():
            for model in sol["models"]:
                for term in model["terms"]:
                    term["cases"].sort()
    assert a == b


@settings(max_examples=40, deadline=None)
@given(crisp_data())
def test_intermediate_lies_between_conservative_and_parsimonious(data: SetData) -> None:
    opts = Options(include_remainders=True, directions=dict.fromkeys(data.conditions, 1))
    result = analyse(data, opts)
    tt = result.truth_table
    if not tt.positives:
        return
    k = data.k
    observed = {r.config for r in tt.rows if r.out != "?"}
    pars = [set().union(*(t.minterms(k) for t in _terms(m.expression, data.conditions)))
            for m in result.solutions["parsimonious"].models]
    for model in result.solutions["intermediate"].models:
        cover = set().union(*(t.minterms(k) for t in _terms(model.expression, data.conditions)))
        assert set(tt.positives) <= cover
        assert not cover & set(tt.negatives)
        assert not (cover - set(tt.positives)) & observed
        assert any(cover <= p for p in pars)


def _terms(expression: str, conditions: tuple[str, ...]) -> list[Implicant]:
    k = len(conditions)
    out = []
    for term in expression.split(" + "):
        mask = value = 0
        for lit in term.split("*"):
            if lit == "1":
                continue
            name = lit.lstrip("~")
            bit = 1 << (k - 1 - conditions.index(name))
            mask |= bit
            value |= 0 if lit.startswith("~") else bit
        out.append(Implicant(mask, value))
    return out


def test_cap_reports_what_it_left_out() -> None:
    # 1842 minimal models on this random k = 8 chart; ask for 5.
    import numpy as np

    rng = np.random.default_rng(2034)
    x = rng.integers(0, 2, size=(80, 8)).astype(float)
    y = rng.integers(0, 2, size=80).astype(float)
    data = SetData.from_columns([chr(65 + j) for j in range(8)], x.T.tolist(), "Y", y.tolist())
    tt = build_truth_table(data)
    primes, _ = prime_implicants(tt.positives, tt.negatives, 8, remainders=True)
    search = minimum_covers(primes, tt.positives, SearchLimits(max_models=5))
    assert len(search.models) == 5
    assert not search.complete
    assert search.left_out is not None and "max_models = 5" in search.left_out
    sizes = {len(m) for m in search.models}
    assert len(sizes) == 1
