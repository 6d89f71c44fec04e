"""The outlook's design choices, scored, and the evaluation's cost: `python bench/outlook.py`.

Part 1 (`--choices`) runs the whole nested evaluation (leave-one-out and leave-one-country-out)
of the bundled case base once per design variant and prints Brier score and ranked probability
score (RPS) for each, on the paper's mix of outcomes and on an even mix (every outcome class
weighing the same), with the settings the variant fits on all cases. These are the numbers
docs/assessment.md chooses the outlook with.

Part 2 (`--timing`) times one evaluation of the bundled cases and of larger case bases made by
copying them under new ids and countries (the evaluation is computed once per case-base
revision, so this is a per-revision cost, not a per-request one).

Writes everything as JSON to bench/results/outlook.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from parley.analysis.conditions import OutlookSettings
from parley.analysis.evaluate import LOCO, LOO, Evaluation, evaluate, fit_outlook
from parley.analysis.outlook import DESIGN, Design
from parley.analysis.similarity import SimilarityWeights
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import CodedValue
from parley.knowledge.loader import load_bundled_cases, load_codebook
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights

RESULTS = Path(__file__).resolve().parent / "results"


def variants(settings: OutlookSettings, weights: SimilarityWeights
             ) -> list[tuple[str, Design, OutlookSettings, SimilarityWeights]]:
    """(name, design, settings, weights) of every choice compared; the first is the one in use."""
    return [
        ("in use", DESIGN, settings, weights),
        ("keep the paper's frequencies (no shrinkage)", replace(DESIGN, shrinkage_grid=(0.0,)),
         settings, weights),
        ("fit on the paper's mix only", replace(DESIGN, even_weight=0.0), settings, weights),
        ("both: frequencies, paper's mix", replace(DESIGN, shrinkage_grid=(0.0,),
                                                   even_weight=0.0), settings, weights),
        ("nominal vote only (spread 0)", replace(DESIGN, spread_grid=(0.0,)), settings, weights),
        ("ordinal vote always (spread 0.5)", replace(DESIGN, spread_grid=(0.5,)), settings,
         weights),
        ("similarity threshold fixed at 0.5", replace(DESIGN, similarity_grid=(0.5,)),
         settings, weights),
        ("similarity threshold fitted from 0", replace(DESIGN, similarity_grid=(
            0.0, 0.25, 0.5, 0.75)), replace(settings, min_similarity=0.0), weights),
        ("weakly regularised conditions (prior_sd 2)", DESIGN, replace(settings, prior_sd=2.0),
         weights),
        ("equal similarity weights", DESIGN, settings, weights.equal()),
    ]


def row(name: str, result: Evaluation, fitted: dict[str, Any]) -> dict[str, Any]:
    loo, loco = result.score("outlook", LOO), result.score("outlook", LOCO)
    return {"variant": name, "loo_brier": loo.brier, "loo_rps": loo.rps,
            "loco_brier": loco.brier, "loco_rps": loco.rps,
            "even_brier": loo.balanced_brier, "even_rps": loo.balanced_rps,
            "max_p": max(loo.max_probability, loco.max_probability), "fitted": fitted}


def choices(cases: list[Case], codebook: Codebook, settings: OutlookSettings,
            weights: SimilarityWeights) -> list[dict[str, Any]]:
    rows = []
    header = (f"{'variant':<46} | {'LOO Brier':>9} | {'LOO RPS':>7} | {'LOCO Brier':>10} | "
              f"{'LOCO RPS':>8} | {'even Brier':>10} | {'even RPS':>8} | {'max p':>5} | fitted "
              "(k, alpha, spread, beta, shrinkage, cap, threshold)")
    print(header)
    print("-" * len(header))
    first: Evaluation | None = None
    for name, design, s, w in variants(settings, weights):
        result = evaluate(cases, codebook, w, s, design)
        first = first or result
        params = fit_outlook(cases, codebook, w, s, result, design).params
        r = row(name, result, asdict(params))
        rows.append(r)
        print(f"{name:<46} | {r['loo_brier']:>9.3f} | {r['loo_rps']:>7.3f} | "
              f"{r['loco_brier']:>10.3f} | {r['loco_rps']:>8.3f} | {r['even_brier']:>10.3f} | "
              f"{r['even_rps']:>8.3f} | {r['max_p']:>5.2f} | {params.k}, {params.alpha:g}, "
              f"{params.spread:g}, {params.beta:g}, {params.shrinkage:g}, {params.cap:g}, "
              f"{params.min_similarity:g}")
    assert first is not None
    for method in ("ordinal-vote", "conditions-model", "nearest-neighbour", "paper-frequencies",
                   "uniform"):
        loo, loco = first.score(method, LOO), first.score(method, LOCO)
        rows.append({"variant": f"[{method}]", "loo_brier": loo.brier, "loo_rps": loo.rps,
                     "loco_brier": loco.brier, "loco_rps": loco.rps,
                     "even_brier": loo.balanced_brier, "even_rps": loo.balanced_rps,
                     "max_p": max(loo.max_probability, loco.max_probability)})
        print(f"{'[' + method + ']':<46} | {loo.brier:>9.3f} | {loo.rps:>7.3f} | "
              f"{loco.brier:>10.3f} | {loco.rps:>8.3f} | {loo.balanced_brier:>10.3f} | "
              f"{loo.balanced_rps:>8.3f} | {max(loo.max_probability, loco.max_probability):>5.2f}"
              " | (component or baseline, in-use design)")
    return rows


def copies(cases: list[Case], n: int) -> list[Case]:
    """At least `n` cases: the bundled ones, then copies under new ids and countries."""
    out = list(cases)
    round_ = 0
    while len(out) < n:
        round_ += 1
        for c in cases:
            country = c.values["country"]
            values = dict(c.values)
            if not country.is_unknown:
                values["country"] = CodedValue(f"{country.value} {round_}", country.evidence)
            out.append(replace(c, id=f"{c.id}-copy-{round_}", values=values,
                               parent=f"{c.parent}-copy-{round_}" if c.parent else None))
    return out


def timing(cases: list[Case], codebook: Codebook, settings: OutlookSettings,
           weights: SimilarityWeights, sizes: list[int]) -> list[dict[str, Any]]:
    print(f"\n{'cases':>6} | {'evaluated':>9} | {'evaluate (s)':>12} | {'fit (s)':>7}")
    out = []
    for n in sizes:
        base = cases if n <= len(cases) else copies(cases, n)
        t0 = time.perf_counter()
        result = evaluate(base, codebook, weights, settings)
        t1 = time.perf_counter()
        fit_outlook(base, codebook, weights, settings, result)
        t2 = time.perf_counter()
        out.append({"cases": len(base), "evaluated": result.n_cases, "evaluate_s": t1 - t0,
                    "fit_s": t2 - t1})
        print(f"{len(base):>6} | {result.n_cases:>9} | {t1 - t0:>12.2f} | {t2 - t1:>7.2f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--choices", action="store_true", help="only the design choices")
    parser.add_argument("--timing", action="store_true", help="only the timing")
    parser.add_argument("--sizes", default="28,112,280", help="case-base sizes to time")
    args = parser.parse_args()
    both = not args.choices and not args.timing
    codebook = load_codebook()
    cases = load_bundled_cases(codebook)
    settings, weights = load_outlook_settings(codebook), load_similarity_weights(codebook)
    report: dict[str, Any] = {"meta": {"load": os.getloadavg()}}
    if args.choices or both:
        report["choices"] = choices(cases, codebook, settings, weights)
    if args.timing or both:
        report["timing"] = timing(cases, codebook, settings, weights,
                                  [int(s) for s in args.sizes.split(",")])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "outlook.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
