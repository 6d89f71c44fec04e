"""Benchmark of the QCA engine on crisp data: k = 8..16 conditions, n = 10 k cases.

Two outcomes per k: a random one (the worst case: about half the observed rows positive,
nothing to simplify) and a structured one, ``A*~C + B*D*E + F*~G*H``. For each it times the
truth table, the conservative solution, the parsimonious solution's prime implicants with
its first minimal model, and the listing of all minimal models (capped: the table says when
the cap was hit). Seeded, so runs are comparable.

Run:  .venv/bin/python bench/qca.py [--ks 8,10,12,14,16] [--max-models 10000] [--max-seconds 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from parley.analysis.qca import SearchLimits, SetData, build_truth_table
from parley.analysis.qca.analysis import solve
from parley.analysis.qca.minimise import minimum_covers, prime_implicants

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def dataset(k: int, outcome: str, seed: int) -> SetData:
    rng = np.random.default_rng(seed)
    n = 10 * k
    x = rng.integers(0, 2, size=(n, k)).astype(np.float64)
    if outcome == "random":
        y = rng.integers(0, 2, size=n).astype(np.float64)
    else:  # A*~C + B*D*E + F*~G*H on the first eight conditions
        a, b, c, d, e, f, g, h = (x[:, j] for j in range(8))
        y = np.maximum.reduce(
            [np.minimum(a, 1 - c), np.minimum.reduce([b, d, e]), np.minimum.reduce([f, 1 - g, h])]
        )
    names = [chr(ord("A") + j) for j in range(k)]
    return SetData.from_columns(names, x.T.tolist(), "Y", y.tolist())


def run(k: int, outcome: str, max_models: int, seconds: float, seed: int) -> dict[str, str]:
    data = dataset(k, outcome, seed)
    tt, t_tt = timed(lambda: build_truth_table(data))
    limits = SearchLimits(max_models=max_models, max_seconds=seconds)
    _, t_cons = timed(lambda: solve(tt, data, remainders=False, limits=limits))
    pos, neg = tt.positives, tt.negatives
    (primes, _), t_pi = timed(
        lambda: prime_implicants(pos, neg, tt.k, remainders=True, limits=limits)
    )
    first, t_first = timed(
        lambda: minimum_covers(primes, pos, SearchLimits(max_models=1, max_seconds=3 * seconds))
    )
    every, t_all = timed(lambda: minimum_covers(primes, pos, limits))
    capped = "" if every.complete else " (cap)"
    return {
        "k": str(k),
        "outcome": outcome,
        "rows +/-": f"{len(pos)}/{len(neg)}",
        "truth table": f"{t_tt:.3f}",
        "conservative": f"{t_cons:.3f}",
        "PIs": str(len(primes)),
        "PIs + 1st model": f"{t_pi + t_first:.3f}",
        "PIs/model": (str(len(first.models[0])) + ("" if first.proven_minimal else "?"))
        if first.models
        else "-",
        "all models": f"{t_pi + t_all:.3f}",
        "models": f"{len(every.models)}{capped}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", default="8,10,12,14,16")
    parser.add_argument("--max-models", type=int, default=10_000)
    parser.add_argument("--max-seconds", type=float, default=40.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rows = []
    for k in (int(v) for v in args.ks.split(",")):
        for outcome in ("random", "structured"):
            rows.append(run(k, outcome, args.max_models, args.max_seconds, args.seed + k))
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    print("  ".join(c.rjust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(r[c].rjust(widths[c]) for c in cols))
    print(
        f"\nseconds; n = 10 k cases; seed {args.seed}; caps: max_models = {args.max_models}, "
        f"max_seconds = {args.max_seconds:g} for the listing, 3x that for the first model; "
        f"(cap) = a cap stopped the listing; ? = minimum not proven"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
