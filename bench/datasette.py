"""Parley's JSON API against Datasette on the same synthetic cases, side by side in one run.

    .venv/bin/uv sync --group bench --inexact      # Datasette: a benchmark-only dependency
    .venv/bin/python bench/datasette.py             # 10,000 cases (building them: a few minutes)
    .venv/bin/python bench/datasette.py --size 2000 --duration 3 --keep /tmp/ds-bench

Builds, from the same cases (bench/synthetic.py, seed 0):

* **Parley's database as a user's import makes it**: a new database with the bundled cases and
  their evaluation (`parley evaluate`: what `scripts/run` computes in its first seconds), then
  the cases written as JSON files of 500 (under the 10 MB file limit) and `parley cases import`
  of them all, public. (Past 2,000 public cases a server does not recompute the quadratic
  evaluation in the background; docs/assessment.md);
* **a flat SQLite file for Datasette**, as a careful Datasette user would publish the same
  cases: one row per case (id, title, parent, summary, the case's distinct quotes, then one
  column per codebook variable; lists as JSON arrays, `unknown` as NULL), an external-content
  FTS5 table on title, summary and quotes with Parley's tokenizer (porter, unicode61, accents
  folded), indexes on the filtered and faceted columns, ANALYZE and VACUUM.

Serves both for real: `parley serve` (the real command, its default workers: one per core)
and `datasette serve` (its CLI, `suggest_facets` off as for a published instance). Parley's
per-client limit of requests that compute is turned off for the run (PARLEY_RATE_LIMIT_WORK=0):
one load generator sends thousands of requests a minute from one address.

For each query: latency (median of 15 sequential requests on one kept-alive connection, after
two warm-ups) and throughput (wrk, 8 connections, `--duration` seconds; without wrk, threads of
httpx2, which share the cores and say so), in `--rounds` rounds over the queries with each tool
measured first in every other round, and the medians over the rounds compared: on a shared
2-core machine one pass moved a ratio by 30% from run to run. Then the size of each database and the median of
cold `parley --help` and `datasette --help` runs. Ratios are printed so that **>= 1 means
Parley is at least as good**: latency Datasette/Parley, throughput Parley/Datasette, size
(2 x flat)/Parley (the target: at most twice the flat file), --help Datasette/Parley and
0.3 s/Parley. JSON goes to bench/results/datasette-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))  # run as a script: make `bench.*` importable

from bench.cases import free_port, load_threads, load_wrk, machine, table  # noqa: E402
from bench.synthetic import iter_cases  # noqa: E402

from parley.domain.case import Case, case_to_dict, value_to_json  # noqa: E402
from parley.domain.codebook import Codebook, VarType  # noqa: E402
from parley.knowledge.loader import load_codebook  # noqa: E402

BIN = Path(sys.executable).parent
PER_FILE = 500
LATENCY_RUNS = 15
HELP_RUNS = 7
HELP_TARGET_S = 0.3
SIZE_FACTOR = 2.0
FLAT_TEXT_TOKENIZER = "porter unicode61 remove_diacritics 2"
FILTER = ("region", "latin-america", "start_year", 2000)
FACETS = ("outcome_class", "violence_level")
LIST_FIELDS = ("title", "country", "parent", "region", "start_year", "outcome_class")
"""The fields of Parley's list rows: Datasette is asked for the same (`_col`)."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----- the queries, in each tool's own terms ----------------------------------------------------


def queries() -> list[tuple[str, str, str]]:
    """(label, Parley path, Datasette path) for each query of issue 14."""
    region, code, year, start = FILTER
    where = f"{region} = {code} and {year} >= {start}"
    ds_filter = [(region, code), (f"{year}__gte", start)]
    cols = [("_col", c) for c in LIST_FIELDS]
    ds_base = [("_size", 50), ("_shape", "objects"), *cols]

    def parley(params: Sequence[tuple[str, Any]]) -> str:
        return "/api/cases?" + urlencode([("limit", 50), *params])

    def datasette(params: Sequence[tuple[str, Any]]) -> str:
        return "/flat/cases.json?" + urlencode([*ds_base, *params])

    return [
        ("list, 50 rows", parley([]), datasette([])),
        ("filter (region and year)", parley([("where", where)]), datasette(ds_filter)),
        ("full-text 'truce'", parley([("q", "truce")]), datasette([("_search", "truce")])),
        ("full-text + filter", parley([("q", "truce"), ("where", where)]),
         datasette([("_search", "truce"), *ds_filter])),
        ("filter + 2 facets", parley([("where", where), *(("facet", f) for f in FACETS)]),
         datasette([*ds_filter, *(("_facet", f) for f in FACETS)])),
    ]


# ----- building the two databases ----------------------------------------------------------------


def parley_env(directory: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{directory / 'parley.db'}",
            "PARLEY_DATA_DIR": str(directory), "PARLEY_RATE_LIMIT_WORK": "0", **extra}


def build_parley(directory: Path, cases: Sequence[Case]) -> dict[str, float]:
    """`parley cases import` of the cases as JSON files, then `parley evaluate`."""
    files = directory / "import"
    files.mkdir(parents=True, exist_ok=True)
    names = []
    for start in range(0, len(cases), PER_FILE):
        path = files / f"cases-{start // PER_FILE:04d}.json"
        path.write_text(json.dumps([case_to_dict(c) for c in cases[start:start + PER_FILE]],
                                   ensure_ascii=False))
        names.append(str(path))
    env = parley_env(directory)
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "parley"), "evaluate", "--format", "json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    t1 = time.perf_counter()
    subprocess.run([str(BIN / "parley"), "cases", "import", *names], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t2 = time.perf_counter()
    shutil.rmtree(files)
    return {"evaluate_bundled_s": t1 - t0, "import_s": t2 - t1}


def flat_columns(codebook: Codebook) -> list[tuple[str, str]]:
    out = [("id", "TEXT PRIMARY KEY"), ("title", "TEXT"), ("parent", "TEXT"),
           ("summary", "TEXT"), ("quotes", "TEXT")]
    for var in codebook.coded:
        out.append((var.name, "INTEGER" if var.type is VarType.INTEGER else "TEXT"))
    return out


def flat_row(case: Case, codebook: Codebook) -> list[Any]:
    quotes = "\n".join(dict.fromkeys(c.quote for c in case.citations()))
    row: list[Any] = [case.id, case.title, case.parent, case.summary, quotes]
    for var in codebook.coded:
        value = value_to_json(case.values[var.name].value)
        if value == "unknown":
            value = None
        elif isinstance(value, list):
            value = json.dumps(value, ensure_ascii=False)
        row.append(value)
    return row


def build_flat(path: Path, cases: Sequence[Case], codebook: Codebook) -> None:
    """One table, FTS5 with external content, indexes on the filtered and faceted columns."""
    columns = flat_columns(codebook)
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE cases (" + ", ".join(f"[{n}] {t}" for n, t in columns) + ")")
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f"INSERT INTO cases VALUES ({marks})",
                         (flat_row(c, codebook) for c in cases))
        conn.execute("CREATE VIRTUAL TABLE [cases_fts] USING FTS5 ([title], [summary], "
                     f"[quotes], tokenize='{FLAT_TEXT_TOKENIZER}', content=[cases])")
        conn.execute("INSERT INTO cases_fts (rowid, title, summary, quotes) "
                     "SELECT rowid, title, summary, quotes FROM cases")
        for column in (FILTER[0], FILTER[2], *FACETS):
            conn.execute(f"CREATE INDEX idx_cases_{column} ON cases ([{column}])")
        conn.execute("ANALYZE")
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()


def database_bytes(path: Path) -> int:
    """The database with its WAL and shared-memory files, if any."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")
               if p.suffix not in (".key",) and p.is_file())


# ----- serving -------------------------------------------------------------------------------------


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    family = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return sum(cpu.get(p, 0.0) for p in family)


def wait_idle(pid: int, timeout: float = 900) -> float:
    """Wait until the server's processes stop computing (start-up warm-up): under 0.1 CPU
    seconds in 2 s. Returns the seconds waited."""
    t0 = time.monotonic()
    last = tree_cpu_seconds(pid)
    while time.monotonic() - t0 < timeout:
        time.sleep(2)
        now = tree_cpu_seconds(pid)
        if now - last < 0.1:
            break
        last = now
    return time.monotonic() - t0


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], health: str
            ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    import httpx2

    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = health.rsplit("/", 1)[0] if health.count("/") > 2 else health
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode}")
            with contextlib.suppress(httpx2.HTTPError):
                if httpx2.get(health, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer within 180 s")
            time.sleep(0.3)
        yield base, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def latency_ms(url: str) -> tuple[float, int]:
    """Median of LATENCY_RUNS sequential requests (one connection), and the status."""
    import httpx2

    samples = []
    with httpx2.Client(timeout=60) as client:
        for _ in range(2):
            status = client.get(url).status_code
        for _ in range(LATENCY_RUNS):
            t0 = time.perf_counter()
            response = client.get(url)
            response.read()
            samples.append((time.perf_counter() - t0) * 1000)
            status = response.status_code
    return statistics.median(samples), status


def matched(url: str, kind: str) -> int | None:
    import httpx2

    body = httpx2.get(url, timeout=60).json()
    if kind == "parley":
        return int(body["total"])
    count = body.get("filtered_table_rows_count")
    return int(count) if count is not None else None


def help_seconds(executable: Path) -> float:
    samples = []
    for _ in range(HELP_RUNS):
        t0 = time.perf_counter()
        subprocess.run([str(executable), "--help"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


# ----- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not (BIN / "datasette").exists():
        sys.exit("Datasette is not installed: .venv/bin/uv sync --group bench --inexact")
    work = args.keep or Path(tempfile.mkdtemp(prefix="parley-ds-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    parley_dir, flat = work / "parley", work / "flat.db"
    result: dict[str, Any] = {"size": args.size, "seed": 0, "workdir": str(work)}
    codebook = load_codebook()
    built = (parley_dir / "parley.db").exists() and flat.exists()
    if built:
        log(f"reusing the databases in {work} (--keep)")
    else:
        shutil.rmtree(parley_dir, ignore_errors=True)
        flat.unlink(missing_ok=True)
        log(f"generating {args.size:,} synthetic cases")
        cases = list(iter_cases(args.size, seed=0, codebook=codebook))
        log("building the flat file for Datasette")
        t0 = time.perf_counter()
        build_flat(flat, cases, codebook)
        result["flat_build_s"] = time.perf_counter() - t0
        log("building Parley's database: parley cases import, then parley evaluate")
        result["parley_build"] = build_parley(parley_dir, cases)
        del cases
    result["bytes"] = {"parley": database_bytes(parley_dir / "parley.db"),
                       "flat": database_bytes(flat)}

    port_p, port_d = free_port(), free_port()
    env = parley_env(parley_dir)
    if args.workers is not None:
        env["PARLEY_WORKERS"] = str(args.workers)
    parley_cmd = [str(BIN / "parley"), "serve", "--port", str(port_p)]
    datasette_cmd = [str(BIN / "datasette"), "serve", str(flat), "--port", str(port_d),
                     "--setting", "suggest_facets", "off"]
    load = load_wrk if shutil.which("wrk") else load_threads
    measured: list[dict[str, Any]] = []
    with serving(parley_cmd, env, f"http://127.0.0.1:{port_p}/healthz") as (p_base, p_proc), \
            serving(datasette_cmd, dict(os.environ),
                    f"http://127.0.0.1:{port_d}/-/versions.json") as (d_base, d_proc):
        d_base = f"http://127.0.0.1:{port_d}"
        log("waiting for both servers to finish warming up")
        result["warm_up_wait_s"] = {"parley": wait_idle(p_proc.pid, args.warm_up_timeout),
                                    "datasette": wait_idle(d_proc.pid, args.warm_up_timeout)}
        result["load_average_at_start"] = os.getloadavg()
        entries: dict[str, dict[str, Any]] = {
            label: {"query": label, "parley_path": p_path, "datasette_path": d_path,
                    "parley": {"rounds": []}, "datasette": {"rounds": []}}
            for label, p_path, d_path in queries()}
        for n in range(args.rounds):
            for label, p_path, d_path in queries():
                log(f"  round {n + 1}/{args.rounds}: {label}")
                both = [("parley", p_base + p_path), ("datasette", d_base + d_path)]
                if n % 2:  # each goes first in every other round: a slow moment of the
                    both.reverse()  # shared machine falls on neither always
                for who, url in both:
                    ms, status = latency_ms(url)
                    entries[label][who]["rounds"].append({"latency_ms": ms, "status": status})
                for who, url in both:
                    entries[label][who]["rounds"][-1]["load"] = load(url, args.duration,
                                                                     args.connections)
        for label, p_path, d_path in queries():
            entry = entries[label]
            for who, url in (("parley", p_base + p_path), ("datasette", d_base + d_path)):
                entry[who] = summarise(entry[who]["rounds"])
                entry[who]["matches"] = matched(url, who)
            measured.append(entry)
        result["load_average_at_end"] = os.getloadavg()
    result["queries"] = measured
    log("timing --help")
    result["help_s"] = {"parley": help_seconds(BIN / "parley"),
                        "datasette": help_seconds(BIN / "datasette")}
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return result


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One tool's measures of one query over the rounds: the median latency and the median
    throughput (errors and statuses over all rounds), the rounds kept beside them."""
    loads = [r["load"] for r in rounds]
    return {"latency_ms": statistics.median(r["latency_ms"] for r in rounds),
            "status": max(r["status"] for r in rounds),
            "load": {**loads[0], "rps": statistics.median(x["rps"] for x in loads),
                     "non_2xx": sum(x["non_2xx"] for x in loads)},
            "rounds": rounds}


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in result["queries"]:
        p, d = q["parley"], q["datasette"]
        out[q["query"]] = {"latency": d["latency_ms"] / p["latency_ms"],
                           "throughput": p["load"]["rps"] / d["load"]["rps"]}
    b = result["bytes"]
    out["size"] = SIZE_FACTOR * b["flat"] / b["parley"]
    h = result["help_s"]
    out["help_vs_datasette"] = h["datasette"] / h["parley"]
    out["help_vs_target"] = HELP_TARGET_S / h["parley"]
    return out


def report(result: dict[str, Any]) -> str:
    r = ratios(result)
    rows = []
    for q in result["queries"]:
        p, d = q["parley"], q["datasette"]
        bad = [f"{who} {x['status']}" for who, x in (("Parley", p), ("Datasette", d))
               if x["status"] != 200 or x["load"]["non_2xx"]]
        rows.append([q["query"], f"{p['latency_ms']:.1f}", f"{d['latency_ms']:.1f}",
                     f"{r[q['query']]['latency']:.2f}", f"{p['load']['rps']:,.0f}",
                     f"{d['load']['rps']:,.0f}", f"{r[q['query']]['throughput']:.2f}",
                     f"{p['matches']}/{d['matches']}", "; ".join(bad) or "ok"])
    b, h = result["bytes"], result["help_s"]
    lines = [
        f"{result['size']:,} synthetic cases (seed 0). Ratios: >= 1 means Parley is at least "
        "as good (latency Datasette/Parley, throughput Parley/Datasette).",
        table(["query", "Parley ms", "Datasette ms", "latency ratio", "Parley req/s",
               "Datasette req/s", "throughput ratio", "matches P/D", "errors"], rows),
        "",
        f"database: Parley {b['parley'] / 1e6:.1f} MB, flat file {b['flat'] / 1e6:.1f} MB "
        f"(Parley/flat {b['parley'] / b['flat']:.2f}; target <= {SIZE_FACTOR:g}; ratio "
        f"{SIZE_FACTOR:g}*flat/Parley = {r['size']:.2f})",
        f"--help (median of {HELP_RUNS} cold runs): parley {h['parley']:.3f} s, datasette "
        f"{h['datasette']:.3f} s (ratio {r['help_vs_datasette']:.2f}; target <= "
        f"{HELP_TARGET_S} s: ratio {r['help_vs_target']:.2f})",
        f"load average {result['load_average_at_start'][0]:.1f} at start, "
        f"{result['load_average_at_end'][0]:.1f} at end of the serving part; load generator: "
        f"{result['queries'][0]['parley']['load']['tool']}",
    ]
    below = [f"{k} {m}" for k, v in r.items() if isinstance(v, dict)
             for m, x in v.items() if x < 1]
    below += [k for k in ("size", "help_vs_datasette", "help_vs_target") if r[k] < 1]
    lines.append("every ratio >= 1" if not below else "ratios below 1: " + ", ".join(below))
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size", type=int, default=10_000, help="synthetic cases (default 10000)")
    p.add_argument("--duration", type=int, default=5,
                   help="seconds of wrk load per query and round (5)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds over the queries, each tool first in every other one; the "
                        "medians are compared (3)")
    p.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    p.add_argument("--workers", type=int, default=None,
                   help="PARLEY_WORKERS for parley serve (default: its own, one per core)")
    p.add_argument("--warm-up-timeout", type=float, default=900,
                   help="seconds to wait for the servers to go idle after start (900)")
    p.add_argument("--keep", type=Path, default=None,
                   help="build the databases in this folder and keep them; reused if there")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now()
    meta: dict[str, Any] = {"started": started.isoformat(timespec="seconds"),
            "command": " ".join([".venv/bin/python", "bench/datasette.py",
                                 *(argv if argv is not None else sys.argv[1:])]),
            "machine": machine()}
    log(f"load average {meta['machine']['load_average_at_start']}")
    result = run(args)
    text = report(result)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"datasette-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"meta": meta, "result": result, "ratios": ratios(result)},
                               indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
