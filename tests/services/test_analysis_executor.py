"""QCA over the case base gives the same answer in a worker process as in the calling thread,
and a search stopped at its deadline in the worker reaches the caller as QCATimeout (the web
turns it into the 422 that names the budget)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from parley.analysis.qca import Options, QCATimeout, SearchLimits, SetData
from parley.bootstrap import Parley
from parley.domain.codebook import Codebook
from parley.knowledge.qca_mapping import load_default_mapping
from parley.services.analysis import ComparativeAnalysis, run_qca
from tests.support import build


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parley]:
    folder = tmp_path_factory.mktemp("executor")
    a = build(f"sqlite:///{folder / 'parley.db'}", folder, cpu_workers=1)
    a.upgrade()
    yield a
    a.close()


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def test_the_same_result_in_the_apps_worker_process(app: Parley, codebook: Codebook) -> None:
    catalogue = app.cases
    mapping = load_default_mapping(codebook)
    defs = {**mapping.conditions, **mapping.outcomes}
    options = Options(include_remainders=True, necessity=True)
    here = ComparativeAnalysis(catalogue).qca_on_cases(defs, ["MED", "GOV", "INC"], "LASTING",
                                                       options)
    there = ComparativeAnalysis(catalogue, app.cpu).qca_on_cases(defs, ["MED", "GOV", "INC"],
                                                              "LASTING", options)
    assert there.result == here.result and here.result["solutions"]


def test_a_deadline_passed_in_the_worker_is_a_timeout_here(pool: ProcessPoolExecutor) -> None:
    rows = 40
    names = [f"C{i}" for i in range(16)]
    columns = [[(r >> (i % 6)) & 1 ^ (i % 2) for r in range(rows)] for i in range(16)]
    data = SetData.from_columns(names, columns, "Y", [r % 2 for r in range(rows)],
                                [f"r{r}" for r in range(rows)])
    options = replace(Options(include_remainders=True),
                      limits=SearchLimits(deadline=time.monotonic() - 1))
    with pytest.raises(QCATimeout):
        run_qca(data, options, pool)


def test_close_stops_the_workers(tmp_path: Path) -> None:
    a = build(f"sqlite:///{tmp_path / 'parley.db'}", tmp_path, cpu_workers=1)
    assert a.cpu.submit(sum, [1, 2]).result() == 3
    a.close()
    with pytest.raises(RuntimeError, match="shutdown"):
        a.cpu.submit(sum, [1])
