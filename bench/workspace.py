"""Workspace benchmarks (issue 11): the living assessment and the item list of a workspace, through
the API a team calls (`GET /api/workspaces/{id}/assessment`, `GET .../items`), in process over an
SQLite file, at workspaces of 50, 500 and 2,000 items (actors, relationships, demands,
commitments, breaches, notes; a third of them secret, so every read is audited).

    .venv/bin/python bench/workspace.py                    # 50, 500 and 2000 items
    .venv/bin/python bench/workspace.py --sizes 50 --runs 11

No target is set by the issue; the figures are reported in the closing note. Prints a table and
writes bench/results/workspace.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _fill(app: Any, ws: str, n: int) -> None:
    from parley.domain.access import Classification
    from parley.domain.account import SYSTEM
    from parley.domain.workspace import ItemKind

    levels = list(Classification)
    add = app.workspaces.create_item
    actors: list[str] = []
    for i in range(n):
        c = levels[i % 3]
        kind = i % 6
        if kind == 0 or len(actors) < 2:
            actors.append(add(SYSTEM, ws, ItemKind.ACTOR, Classification.PUBLIC, {
                "name": f"Actor {i}", "type": "criminal-group",
                "spoiler_type": "internal-factions" if i % 12 == 0 else None}).id)
        elif kind == 1:
            add(SYSTEM, ws, ItemKind.RELATIONSHIP, Classification.PUBLIC, {
                "source": actors[-1], "target": actors[-2], "type": "rivalry"})
        elif kind == 2:
            add(SYSTEM, ws, ItemKind.DEMAND, c, {"code": "jobs", "text": f"Jobs {i}",
                                                 "position": "conditional"})
        elif kind == 3:
            add(SYSTEM, ws, ItemKind.COMMITMENT, c, {"text": f"Commitment {i}",
                                                     "status": "agreed"})
        elif kind == 4:
            add(SYSTEM, ws, ItemKind.BREACH, c, {"date": "2026-01-01",
                                                 "description": f"Breach {i}"})
        else:
            add(SYSTEM, ws, ItemKind.NOTE, c, {"title": f"Note {i}", "text": "x" * 400})


def bench(size: int, runs: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from tests.support import build, user

    from parley.domain.account import SYSTEM
    from parley.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = build(f"sqlite:///{Path(tmp) / 'parley.db'}", Path(tmp))
        user(app, "ana")
        ws = app.workspaces.create(SYSTEM, "Bench", owner="ana").id
        _fill(app, ws, size)
        app.living_assessments.set_situation(SYSTEM, ws, {"cohesion": "low"})
        token = app.accounts.create_token(SYSTEM, "ana").secret
        h = {"Authorization": f"Bearer {token}"}
        out: dict[str, Any] = {"size": size}
        with TestClient(create_app(app)) as client:
            for name, url in (("assessment", f"/api/workspaces/{ws}/assessment"),
                              ("items", f"/api/workspaces/{ws}/items")):
                assert client.get(url, headers=h).status_code == 200  # warm
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    response = client.get(url, headers=h)
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200
                out[name] = {"median_ms": round(statistics.median(times) * 1000, 1),
                             "max_ms": round(max(times) * 1000, 1)}
        app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    rows = [bench(int(s), args.runs) for s in args.sizes.split(",")]
    print(f"{'items':>6} | {'GET assessment (median / max)':>30} | {'GET items (median / max)':>26}")
    for r in rows:
        a, i = r["assessment"], r["items"]
        print(f"{r['size']:>6} | {a['median_ms']:>12} ms / {a['max_ms']:>8} ms | "
              f"{i['median_ms']:>10} ms / {i['max_ms']:>8} ms")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "workspace.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
