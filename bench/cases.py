"""Benchmark the case base: import, `--where` filters, full-text search, API throughput, memory.

    .venv/bin/python bench/cases.py                       # 1k, 10k, 100k on SQLite and PostgreSQL
    .venv/bin/python bench/cases.py --quick               # 1k only, fewer runs: a smoke run
    .venv/bin/python bench/cases.py --sizes 10000 --backends sqlite

For each backend and size a child process (so its peak memory is its own) creates a fresh
database, imports synthetic cases (bench/synthetic.py) through `CaseRepository.import_cases` in
batches, times the queries the CLI and the web list run, then starts the real app under uvicorn
in a further subprocess and drives `GET /api/cases` with wrk (or, without wrk, a threaded httpx2
client). The database is dropped afterwards. Results print as tables and are written to
bench/results/cases-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))  # run as a script: make `bench.synthetic` importable

from bench.synthetic import iter_cases  # noqa: E402

from parley.services.cases import DEFAULT_FACETS  # noqa: E402

DEFAULT_SIZES = (1000, 10_000, 100_000)
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AIM_MS = 50.0
AIM_SIZE = 10_000
PAGE = 50

PAPER_FILTER = ("initiator has religious-leader and outcome_class in (lasting-reduction, "
                "transformation) and start_year >= 2000")
NESTED_FILTER = ("group_type has any (gang, prison-gang) and violence_level = high "
                 "and not (mediator_type is unknown)")
BROAD_FILTER = "region = latin-america"
# (label, where, search, with the web list's facets?); `kind` decides which aim applies.
QUERIES: tuple[tuple[str, str, str | None, str | None, bool], ...] = (
    ("list, no filter + facets", "list", None, None, True),
    ("filter paper example", "filter", PAPER_FILTER, None, False),
    ("filter paper example + facets", "filter", PAPER_FILTER, None, True),
    ("filter nested/not/unknown", "filter", NESTED_FILTER, None, False),
    ("filter broad (region)", "filter", BROAD_FILTER, None, False),
    ("filter broad (region) + facets", "filter", BROAD_FILTER, None, True),
    ("search 'truce'", "search", None, "truce", False),
    ("search 'church prison'", "search", None, "church prison", False),
    ("search 'church prison' + facets", "search", None, "church prison", True),
    ("search + filter", "search", "start_year >= 2000", "homicides extortion", False),
)
API_PATHS = (
    ("GET /api/cases?limit=50", "/api/cases?limit=50"),
    ("same + where + 6 facets", "/api/cases?" + urlencode(
        [("limit", PAGE), ("where", PAPER_FILTER), *(("facet", f) for f in DEFAULT_FACETS)])),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----- databases -----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(backend: str, size: int, pg_admin: str) -> Iterator[str]:
    """A new, empty database URL; removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
            yield f"sqlite:///{tmp}/cases-{size}.db"
        return
    import psycopg

    name = f"parley_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = pg_admin.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_mb(db: Any, url: str) -> float:
    from sqlalchemy import text

    if db.is_sqlite:
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    with db.engine.connect() as conn:
        return float(conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
                     or 0) / 1e6


# ----- one backend and size (runs in its own process) -------------------------------------------


def import_synthetic(repo: Any, size: int, batch: int, label: str) -> dict[str, float]:
    """Import `size` cases in batches; time only `import_cases`, not the generation."""
    cases = iter_cases(size, seed=0, codebook=repo.codebook)
    spent_import = spent_gen = 0.0
    done = 0
    started = time.perf_counter()
    while done < size:
        t0 = time.perf_counter()
        chunk = [next(cases) for _ in range(min(batch, size - done))]
        t1 = time.perf_counter()
        repo.import_cases(chunk)
        t2 = time.perf_counter()
        spent_gen += t1 - t0
        spent_import += t2 - t1
        done += len(chunk)
        rate = done / spent_import
        log(f"  {label}: imported {done:>7}/{size} ({rate:,.0f} cases/s, "
            f"{time.perf_counter() - started:.0f} s elapsed, about "
            f"{(size - done) / rate:.0f} s to go)")
    return {"seconds": spent_import, "cases_per_s": size / spent_import,
            "generate_seconds": spent_gen, "batch": batch}


def time_query(fn: Callable[[], Any], runs: int, budget_s: float
               ) -> tuple[dict[str, float], Any]:
    """Median and p95 over up to `runs` timed calls after a warm-up call, and its result.

    Stops early after `budget_s` (but not before 5 runs); a query whose warm-up alone takes
    over a fifth of the budget gets 2 timed runs (over the whole budget: 1), so a pathological
    plan cannot stall the run.
    """
    t0 = time.perf_counter()
    first = fn()
    warm_up = time.perf_counter() - t0
    if warm_up > budget_s:
        runs = 1
    elif warm_up > budget_s / 5:
        runs = 2
    elif warm_up < budget_s / 50:
        fn()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < runs and (len(samples) < 5 or time.perf_counter() < deadline):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"median_ms": statistics.median(samples), "p95_ms": p95, "runs": len(samples),
            "warm_up_ms": warm_up * 1000}, first


def measure_queries(catalogue: Any, runs: int, budget_s: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, kind, where, search, facets in QUERIES:
        def call(where: str | None = where, search: str | None = search,
                 facets: bool = facets) -> Any:
            return catalogue.browse(where, search, limit=PAGE,
                                    facets=DEFAULT_FACETS if facets else ())

        stats, page = time_query(call, runs, budget_s)
        out[label] = {"kind": kind, "where": where, "search": search, "facets": facets,
                      "matches": page.total, **stats}
    return out


SERVER_CODE = """
import json, resource, sys, uvicorn
from parley.bootstrap import Parley
from parley.config import Settings
from parley.web.app import create_app
parley = Parley.build(Settings(database_url=sys.argv[1]))
uvicorn.run(create_app(parley), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)
"""


@contextlib.contextmanager
def running_server(url: str) -> Iterator[tuple[str, dict[str, float]]]:
    """The real app under uvicorn in a subprocess; yields its base URL and, after it stops,
    fills the dict with its peak memory."""
    import httpx2

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER_CODE, url, str(port)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    stats: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            with contextlib.suppress(httpx2.HTTPError):
                if httpx2.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base, stats
    finally:
        # the peak RSS so far, in case a slow request keeps the server from exiting cleanly
        with contextlib.suppress(OSError, StopIteration, ValueError):
            status = Path(f"/proc/{proc.pid}/status").read_text()
            hwm = next(ln for ln in status.splitlines() if ln.startswith("VmHWM:"))
            stats["server_maxrss_mb"] = int(hwm.split()[1]) / 1024
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        match = re.search(r'\{"maxrss_kb": (\d+)\}', out or "")
        if match:
            stats["server_maxrss_mb"] = int(match.group(1)) / 1024


def _wrk_ms(value: str | None) -> float | None:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value or "")
    if match is None:
        return None
    return float(match.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[match.group(2)]


def load_wrk(url: str, seconds: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "tool": f"wrk -t1 -c{connections} -d{seconds}s",
        "rps": float(rps.group(1)),
        "p50_ms": _wrk_ms(pct.get("50")),
        "p99_ms": _wrk_ms(pct.get("99")),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else None,
    }


def load_threads(url: str, seconds: int, connections: int) -> dict[str, Any]:
    """Fallback load generator: `connections` threads, each with its own httpx2 client."""
    import httpx2

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        mine: list[float] = []
        bad = 0
        with httpx2.Client(timeout=30) as client:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                if client.get(url).status_code != 200:
                    bad += 1
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "tool": f"httpx2, {connections} threads, {seconds} s (wrk not installed)",
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
        "non_2xx": failures[0],
        "socket_errors": None,
    }


def measure_api(url: str, seconds: int, connections: int) -> dict[str, Any]:
    load = load_wrk if shutil.which("wrk") else load_threads
    out: dict[str, Any] = {}
    with running_server(url) as (base, stats):
        for label, path in API_PATHS:
            out[label] = load(base + path, seconds, connections)
    out["server_maxrss_mb"] = stats.get("server_maxrss_mb")
    return out


def run_one(backend: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text

    from parley.knowledge.loader import load_codebook
    from parley.services.cases import CaseCatalogue
    from parley.storage.cases import CaseRepository
    from parley.storage.database import Database

    label = f"{backend} {size:,}"
    result: dict[str, Any] = {"backend": backend, "size": size}
    with fresh_database(backend, size, args.pg_admin) as url:
        db = Database(url)
        try:
            db.upgrade()
            codebook = load_codebook()
            repo = CaseRepository(db, codebook)
            result["import"] = import_synthetic(repo, size, args.batch, label)
            if not db.is_sqlite:
                # autovacuum would analyse the new rows within a minute; do it now, so the
                # planner sees the table as a user would a while after an import
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            result["database_mb"] = database_mb(db, url)
            log(f"  {label}: timing queries")
            result["latency"] = measure_queries(CaseCatalogue(repo, codebook), args.runs,
                                                args.budget)
            result["maxrss_mb_before_api"] = maxrss_mb()
        finally:
            db.dispose()
        log(f"  {label}: load-testing the API")
        result["api"] = measure_api(url, args.duration, args.connections)
    result["bench_maxrss_mb"] = maxrss_mb()
    return result


# ----- orchestration and report ---------------------------------------------------------------


def machine() -> dict[str, Any]:
    import sqlite3

    info: dict[str, Any] = {
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": os.getloadavg(),
    }
    with contextlib.suppress(OSError, StopIteration):
        info["cpu_model"] = next(line.split(":", 1)[1].strip()
                                 for line in Path("/proc/cpuinfo").read_text().splitlines()
                                 if line.startswith("model name"))
    wrk = shutil.which("wrk")
    info["load_generator"] = "wrk" if wrk else "httpx2 threads"
    return info


def fmt_ms(entry: dict[str, Any]) -> str:
    slow = "*" if entry["runs"] < 5 else ""
    return f"{entry['median_ms']:.1f} / {entry['p95_ms']:.1f}{slow}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    render = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                       strict=True)))
        for r in [headers, *rows]
    ]
    return "\n".join([render[0], line, *render[1:]])


def report(results: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    first = [
        [r["backend"], f"{r['size']:,}", f"{r['import']['seconds']:.1f}",
         f"{r['import']['cases_per_s']:,.0f}", f"{r['database_mb']:.0f}",
         *(f"{r['api'][label]['rps']:,.0f}" for label, _ in API_PATHS),
         f"{r['bench_maxrss_mb']:.0f}",
         f"{r['api']['server_maxrss_mb']:.0f}" if r["api"].get("server_maxrss_mb") else "?"]
        for r in results
    ]
    head = ["backend", "cases", "import s", "cases/s", "db MB", "API list req/s",
            "API filter+facets req/s", "bench RSS MB", "server RSS MB"]
    cols = [f"{r['backend']} {r['size'] // 1000}k" for r in results]
    second = [[label, *(fmt_ms(r["latency"][label]) for r in results)] for label, *_ in QUERIES]
    matches = [[label, *(f"{r['latency'][label]['matches']:,}" for r in results)]
               for label, *_ in QUERIES]
    aim: dict[str, Any] = {}
    for r in results:
        if r["size"] != AIM_SIZE:
            continue
        slow = {label: round(v["median_ms"], 1) for label, v in r["latency"].items()
                if v["kind"] in ("filter", "search") and v["median_ms"] >= AIM_MS}
        aim[r["backend"]] = {"met": not slow, "over_50ms_median": slow}
    lines = [table(head, first), "",
             "Latency in ms, median / p95 (limit 50; '+ facets' = the web list's 6 facets):",
             table(["query", *cols], second),
             "* fewer than 5 timed runs: the warm-up call alone took over a fifth of --budget",
             "", "Matching cases:",
             table(["query", *cols], matches)]
    for backend, verdict in aim.items():
        state = "MET" if verdict["met"] else "NOT MET: " + ", ".join(
            f"{k} {v} ms" for k, v in verdict["over_50ms_median"].items())
        lines.append(f"Aim, filter and search under {AIM_MS:.0f} ms (median) at "
                     f"{AIM_SIZE:,} cases, {backend}: {state}")
    return "\n".join(lines), aim


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                   help="comma-separated case counts (default 1000,10000,100000)")
    p.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    p.add_argument("--quick", action="store_true",
                   help="1000 cases only, 10 runs per query, 3 s of load: a smoke run")
    p.add_argument("--runs", type=int, default=50, help="timed runs per query (default 50)")
    p.add_argument("--budget", type=float, default=15.0,
                   help="seconds per query before stopping early (at least 5 runs)")
    p.add_argument("--batch", type=int, default=5000, help="cases per import_cases call")
    p.add_argument("--duration", type=int, default=8, help="seconds of load per API path")
    p.add_argument("--connections", type=int, default=8, help="concurrent API connections")
    p.add_argument("--pg-admin", default=os.environ.get("PARLEY_BENCH_PG_ADMIN",
                                                        DEFAULT_PG_ADMIN),
                   help="PostgreSQL URL allowed to create and drop databases")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # "backend:size", internal
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.duration = "1000", 10, 3
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        backend, size = args.worker.split(":")
        print(json.dumps(run_one(backend, int(size), args)), flush=True)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        sys.exit(f"unknown backend(s) {sorted(unknown)}; use sqlite,postgresql")
    meta: dict[str, Any] = {"started": datetime.now().isoformat(timespec="seconds"),
            "command": " ".join([".venv/bin/python", "bench/cases.py", *sys.argv[1:]]),
            "machine": machine(),
            "settings": {k: (str(v) if isinstance(v, Path) else v)
                         for k, v in vars(args).items() if k != "worker"}}
    log(f"machine: {meta['machine']['cpus']} CPUs, load average "
        f"{meta['machine']['load_average_at_start']}, load generator "
        f"{meta['machine']['load_generator']}")
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    began = time.perf_counter()
    passthrough = list(argv if argv is not None else sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"cases-{datetime.now():%Y%m%d-%H%M%S}.json"
    for backend in backends:
        for size in sizes:
            log(f"{backend}, {size:,} cases")
            t0 = time.perf_counter()
            child = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), *passthrough,
                 "--worker", f"{backend}:{size}"],
                stdout=subprocess.PIPE, text=True, check=False, cwd=ROOT,
            )
            if child.returncode != 0:
                failed.append(f"{backend} {size}: worker exited with {child.returncode}")
                log(failed[-1])
                continue
            result = json.loads(child.stdout.strip().splitlines()[-1])
            result["wall_seconds"] = time.perf_counter() - t0
            results.append(result)
            # written after every step, so an interrupted long run keeps what it measured
            path.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    meta["wall_seconds"] = time.perf_counter() - began
    meta["load_average_at_end"] = os.getloadavg()
    if not results:
        sys.exit("no results: " + "; ".join(failed))
    text, aim = report(results)
    print(text)
    print(f"\nload generator: {results[0]['api'][API_PATHS[0][0]]['tool']}; load average "
          f"{meta['machine']['load_average_at_start'][0]:.1f} at start, "
          f"{meta['load_average_at_end'][0]:.1f} at end; "
          f"whole run {meta['wall_seconds'] / 60:.1f} min")
    for line in failed:
        print(f"FAILED {line}")
    path.write_text(json.dumps({"meta": meta, "aim": aim, "failed": failed, "results": results},
                               indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
