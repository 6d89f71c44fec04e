"""Cost of the key checks of issue 8 item 3: `python bench/keys.py [--workspaces 50 500]`.

For each backend (SQLite in a temporary directory; PostgreSQL in a database of its own,
`parley_bench_<random>`, created with --pg-admin and dropped afterwards) and each number of
workspaces: the start-up key check (`Parley.check_keys`, run before `parley serve` and every
command that opens the data; median of --runs), and one `parley keys rotate` (every data key
and the audit key re-wrapped in one transaction). Prints a table; loopback only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parley.bootstrap import Parley
from parley.config import Settings
from parley.domain.account import SYSTEM, Principal
from parley.storage.passwords import Argon2Hasher


@contextmanager
def database(backend: str, directory: Path, admin: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    import psycopg

    name = f"parley_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(backend: str, workspaces: int, runs: int, admin: str) -> tuple[float, float]:
    """(median start-up check in ms, rotation in ms) for `workspaces` workspaces."""
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp), admin) as url:
        app = Parley.build(Settings(database_url=url,
                                    master_key_file=Path(tmp) / "bench.master.key"),
                           hasher=Argon2Hasher(cheap=True))
        app.db.upgrade()
        app.accounts.create_user(SYSTEM, "olga", "correct horse battery staple")
        owner = Principal("olga")
        for i in range(workspaces):
            app.workspaces.create(owner, f"W{i}", "")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            app.check_keys()
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        app.keys.rotate()
        rotation = time.perf_counter() - start
        app.close()
        return 1000 * statistics.median(times), 1000 * rotation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg-admin", default=os.environ.get(
        "PARLEY_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(f"{'backend':<11}{'workspaces':>11}{'start-up check ms':>19}{'rotate ms':>11}")
    for backend in args.backends:
        for n in args.workspaces:
            check, rotation = measure(backend, n, args.runs, args.pg_admin)
            print(f"{backend:<11}{n:>11}{check:>19.1f}{rotation:>11.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
