"""What the case base's visibility filter costs (issue 8, item 1): list, search, filter and
facet queries as an anonymous reader and as a signed-in owner, on a base that is all public
(the filter is skipped) and on the same base with some cases private.

    .venv/bin/python bench/case_visibility.py                    # 10k cases, 1% private, SQLite
    .venv/bin/python bench/case_visibility.py --size 2000 --private 0.05 --runs 10
    .venv/bin/python bench/case_visibility.py --backend postgresql

Prints one table: median and p95 milliseconds per query and reader, before and after the
private cases are added. PostgreSQL uses PARLEY_BENCH_PG_ADMIN (or PARLEY_TEST_POSTGRES_URL) to
create and drop a database of its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.synthetic import iter_cases  # noqa: E402

from parley.domain.access import ANONYMOUS, CaseReader, Visibility  # noqa: E402
from parley.domain.query import parse  # noqa: E402
from parley.knowledge.loader import load_codebook  # noqa: E402
from parley.services.cases import DEFAULT_FACETS  # noqa: E402
from parley.storage.cases import CaseRepository  # noqa: E402
from parley.storage.database import Database  # noqa: E402

QUERIES: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {
    "first page": (None, None, ()),
    "page + facets": (None, None, DEFAULT_FACETS),
    "filter": ("region = caribbean and start_year >= 2000", None, ()),
    "search": (None, "truce", ()),
}


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg

    admin = (os.environ.get("PARLEY_BENCH_PG_ADMIN") or os.environ.get("PARLEY_TEST_POSTGRES_URL")
             or "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"parley_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(repo: CaseRepository, readers: dict[str, CaseReader], runs: int
            ) -> dict[tuple[str, str], tuple[float, float, int]]:
    out = {}
    for qname, (where, search, facets) in QUERIES.items():
        node = parse(where, repo.codebook) if where else None
        for rname, reader in readers.items():
            def query(node: Any = node, search: str | None = search,
                      facets: tuple[str, ...] = facets, reader: CaseReader = reader) -> Any:
                return repo.list_cases(node, search, limit=50, facets=facets, reader=reader)

            median, p95 = timed(query, runs)
            out[(qname, rname)] = (median, p95, query().total)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--size", type=int, default=10_000)
    p.add_argument("--private", type=float, default=0.01, help="share of cases made private")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    args = p.parse_args(argv)
    codebook = load_codebook()
    with database(args.backend) as url:
        db = Database(url)
        db.upgrade()
        repo = CaseRepository(db, codebook)
        cases = list(iter_cases(args.size, seed=0, codebook=codebook))
        for start in range(0, len(cases), 5000):
            repo.import_cases(cases[start:start + 5000])
        readers = {"anonymous": ANONYMOUS, "owner": CaseReader("ana", frozenset({"w1"}))}
        before = measure(repo, readers, args.runs)
        hidden = [c.id for c in cases[::max(1, round(1 / args.private))]] if args.private else []
        from sqlalchemy import update

        from parley.storage.tables import CaseRow

        with db.write() as s:
            for start in range(0, len(hidden), 500):
                s.execute(update(CaseRow).where(CaseRow.id.in_(hidden[start:start + 500]))
                          .values(visibility=Visibility.PRIVATE.value, owner="ana"))
        after = measure(repo, readers, args.runs)
        db.dispose()
    print(f"{args.backend}, {args.size:,} cases; then {len(hidden):,} of them private "
          f"(owner ana); median / p95 ms over {args.runs} runs")
    print(f"{'query':<15} {'reader':<10} {'all public':>18} {'some private':>18}  total")
    for (qname, rname), (m0, p0, _t0) in before.items():
        m1, p1, t1 = after[(qname, rname)]
        print(f"{qname:<15} {rname:<10} {m0:>8.1f} / {p0:>7.1f} {m1:>8.1f} / {p1:>7.1f}  {t1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
