"""Assessment latency against 100, 10k and 100k synthetic cases: `python bench/assess.py`.

Synthetic cases are drawn from the codebook in memory: each scenario variable is unknown with
probability 0.5 (the bundled cases leave about half their values unknown), otherwise a random
code, list of codes or number. The scenario is tests/data/scenarios/good/gang-truce.yaml and the
guidelines are the bundled ones. "build" is preparing the pool once (the service caches it per
case base); "assess" is one whole assessment: rank every case, explain the most similar, the
outlook, every guideline's condition and the checklist. Aim: under 100 ms at 10k cases.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

from parley.analysis.assess import CasePool, assess
from parley.analysis.outlook import CalibratedParams, OutlookModel
from parley.domain.codebook import Codebook, VarType
from parley.domain.evidence import UNKNOWN
from parley.interchange.scenario_file import read_scenario
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import load_codebook
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights

SCENARIO = Path(__file__).resolve().parents[1] / "tests/data/scenarios/good/gang-truce.yaml"
GROUPS = [f"group-{i}" for i in range(300)]


def synthetic_row(codebook: Codebook, rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for var in codebook.scenario_variables:
        if rng.random() < 0.5:
            row[var.name] = UNKNOWN
            continue
        codes = list(var.codes)
        if var.type is VarType.CODE:
            row[var.name] = rng.choice(codes)
        elif var.type is VarType.CODE_LIST:
            row[var.name] = tuple(sorted(rng.sample(codes, rng.randint(1, min(3, len(codes)))),
                                         key=codes.index))
        elif var.type is VarType.INTEGER:
            row[var.name] = rng.randint(1980, 2025) if var.name == "start_year" else rng.randint(1, 6)
        elif var.type is VarType.TEXT_LIST:
            row[var.name] = tuple(rng.sample(GROUPS, rng.randint(1, 2)))
        else:
            row[var.name] = f"place-{rng.randint(0, 200)}"
    return row


def pool_of(n: int, codebook: Codebook, seed: int = 7) -> CasePool:
    rng = random.Random(seed)
    classes = list(codebook["outcome_class"].codes)
    rows = [(f"synthetic-{i}", f"Synthetic case {i}", "", rng.choice(classes),
             synthetic_row(codebook, rng)) for i in range(n)]
    return CasePool.from_rows(rows, codebook, load_similarity_weights(codebook))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    codebook = load_codebook()
    guidelines = load_guidelines(codebook)
    scenario = read_scenario(SCENARIO, codebook)
    settings = load_outlook_settings(codebook)
    params = OutlookModel(CalibratedParams(7, 0.5, 0.5, 0.5, 0.5, 0.5),
                          tuple(0.1 for _ in settings.conditions), settings)
    print(f"{'cases':>8} | {'build (s)':>9} | {'assess median (ms)':>18} | {'p95 (ms)':>8}")
    print(f"{'-' * 8}-+-{'-' * 9}-+-{'-' * 18}-+-{'-' * 8}")
    for n in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        pool = pool_of(n, codebook)
        build = time.perf_counter() - start
        assess(scenario, guidelines, pool, params, "benchmark")  # warm up
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            assess(scenario, guidelines, pool, params, "benchmark")
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{n:>8} | {build:>9.2f} | {statistics.median(times):>18.1f} | {p95:>8.1f}")


if __name__ == "__main__":
    main()
