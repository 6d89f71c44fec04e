"""Monitoring benchmarks (issue 12): ITS on a ten-year daily series, and importing one million
indicator rows into SQLite through the real CLI (with its progress bar).

    .venv/bin/python bench/monitor.py              # both parts (about 1-2 minutes)
    .venv/bin/python bench/monitor.py --rows 100000 --runs 3

Targets: the model on 3,650 daily points in at most 1 s; the import of 1,000,000 rows in at most
60 s. Prints a table and writes bench/results/monitor.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PARLEY = str(Path(sys.executable).with_name("parley"))


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def bench_its(runs: int) -> list[dict[str, Any]]:
    """Fit times on 3,650 daily points (statsmodels imported once first, timed apart)."""
    start = time.perf_counter()
    import numpy as np
    import statsmodels.genmod.generalized_linear_model  # noqa: F401 - timing the cold import

    cold_import = time.perf_counter() - start
    from parley.analysis.its import ItsSpec, Model, Robust, fit_its
    from parley.domain.monitoring import IndicatorSeries, Period, Point

    rng = np.random.default_rng(0)
    first = date(2010, 1, 1)
    days = [first + timedelta(days=i) for i in range(3650)]
    t = np.arange(3650)
    season = 1 + 0.15 * np.sin(2 * np.pi * t / 365.25)
    means = 6 * season * np.exp(0.00005 * t) * np.where(t >= 1825, 0.75, 1.0)
    counts = rng.poisson(means)
    series = IndicatorSeries("City", "homicides", Period.DAY, tuple(
        Point(d.isoformat(), d, d.toordinal(), float(c)) for d, c in zip(days, counts,
                                                                         strict=True)))
    intervention = first + timedelta(days=1825)
    cases = [
        ("quasi-poisson, level", ItsSpec(intervention)),
        ("quasi-poisson, level + slope + 2 harmonics", ItsSpec(intervention, slope_change=True,
                                                               seasonality=2)),
        ("poisson + HAC, level + slope + 2 harmonics", ItsSpec(
            intervention, slope_change=True, seasonality=2, model=Model.POISSON,
            robust=Robust.HAC)),
        ("negative binomial, level + slope + 2 harmonics", ItsSpec(
            intervention, slope_change=True, seasonality=2, model=Model.NEGATIVE_BINOMIAL)),
    ]
    rows = [{"what": "cold import of statsmodels (once per process)", "n": 0,
             "median_s": cold_import, "max_s": cold_import}]
    fit_its(series, cases[0][1])  # first call: scipy.stats and friends load
    for name, spec in cases:
        times = _timed(partial(fit_its, series, spec), runs)
        rows.append({"what": f"ITS {name}", "n": 3650, "median_s": statistics.median(times),
                     "max_s": max(times)})
    return rows


def write_rows(path: Path, rows: int) -> int:
    """A long-form CSV of `rows` rows: 100 localities × 10 indicators × daily periods."""
    per_series = rows // 1000
    first = date(2015, 1, 1)
    labels = [(first + timedelta(days=i)).isoformat() for i in range(per_series)]
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("date,locality,indicator,value,population\n")
        for loc in range(100):
            for ind in range(10):
                lines = [f"{d},locality-{loc:03d},indicator-{ind},{(i * 7 + loc) % 23},"
                         f"{10000 + loc}\n" for i, d in enumerate(labels)]
                fh.writelines(lines)
                written += len(lines)
    return written


def bench_import(rows: int) -> list[dict[str, Any]]:
    """`parley monitor import` of `rows` rows into a fresh SQLite database (a subprocess: the
    real command, CLI start-up and progress bar included)."""
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        csv_path = d / "indicators.csv"
        written = write_rows(csv_path, rows)
        env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{d / 'parley.db'}",
               "PARLEY_MASTER_KEY_FILE": str(d / "master.key"), "PARLEY_DATA_DIR": str(d)}
        subprocess.run([PARLEY, "users", "create", "bench", "--password-stdin"], env=env,
                       input="a long enough password\n", text=True, check=True,
                       capture_output=True)
        ws = subprocess.run([PARLEY, "workspaces", "create", "Bench", "--owner", "bench"],
                            env=env, text=True, check=True, capture_output=True).stdout.strip()
        start = time.perf_counter()
        done = subprocess.run([PARLEY, "monitor", "import", ws, str(csv_path),
                               "--classification", "restricted"], env=env, text=True,
                              capture_output=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"import failed: {done.stderr[-2000:]}")
        out.append({"what": f"parley monitor import ({written:,} rows, 1,000 series, SQLite, "
                            "restricted: sealed)", "n": written, "median_s": elapsed,
                    "max_s": elapsed, "stdout": done.stdout.strip(),
                    "progress_seen": "storing" in done.stderr,
                    "csv_mb": csv_path.stat().st_size / 1e6,
                    "db_mb": (d / "parley.db").stat().st_size / 1e6})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    results = bench_its(args.runs)
    if not args.skip_import:
        results += bench_import(args.rows)
    width = max(len(r["what"]) for r in results)
    print(f"{'what':<{width}}  {'n':>9}  {'median s':>9}  {'max s':>8}")
    for r in results:
        print(f"{r['what']:<{width}}  {r['n']:>9,}  {r['median_s']:>9.3f}  {r['max_s']:>8.3f}")
    for r in results:
        if "stdout" in r:
            print(f"  {r['stdout']}; CSV {r['csv_mb']:.1f} MB, database {r['db_mb']:.1f} MB, "
                  f"progress bar shown: {r['progress_seen']}")
    meta = {"machine": {"cpus": os.cpu_count(), "load_start": load,
                        "load_end": os.getloadavg()}, "python": sys.version.split()[0]}
    print(f"load average start {load[0]:.2f}, end {os.getloadavg()[0]:.2f}")
    target = ROOT / "bench" / "results"
    target.mkdir(parents=True, exist_ok=True)
    (target / "monitor.json").write_text(json.dumps({"meta": meta, "results": results},
                                                    indent=2))


if __name__ == "__main__":
    main()
