"""The SQL visibility filter (`storage/cases.py::hidden_clause`) is the domain rule
(`domain/access.py::may_read_case`), on SQLite and PostgreSQL, for every read of the case base:
ids, count, list (with search and facets), one case, sub-cases, export."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from parley.domain.access import (
    ANONYMOUS,
    OPERATOR,
    CaseAccess,
    CaseReader,
    Visibility,
    may_read_case,
)
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.storage.cases import CaseRecords, CaseRepository
from parley.storage.database import Database

FACETS = ["region", "initiator", "start_year"]  # one code, a list, a number
OWNERS = [None, "ana", "bob"]
WORKSPACES = [None, "w1", "w2"]
READERS = [ANONYMOUS, OPERATOR, CaseReader("ana"), CaseReader("ana", frozenset({"w1"})),
           CaseReader("ana", frozenset({"w1", "w2"})), CaseReader("bob", frozenset({"w2"})),
           CaseReader("carl"), CaseReader("carl", frozenset({"w1"}))]


def facet_counts(cases: list[Case], codebook: Codebook) -> dict[str, dict[str, int]]:
    """Facet counts computed in Python, the slow and obvious way: leaf cases only (a parent
    of a case in `cases` is not counted), as every count of the case base."""
    parents = {c.parent for c in cases if c.parent}
    cases = [c for c in cases if c.id not in parents]
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        var = codebook[name]
        counts: dict[str, int] = dict.fromkeys(var.codes, 0) if var.type.has_codes else {}
        known = 0
        for case in cases:
            value = case.values[name].value
            if case.values[name].is_unknown:
                continue
            known += 1
            for item in value if isinstance(value, tuple) else (value,):
                counts[str(item)] = counts.get(str(item), 0) + 1
        out[name] = {**counts, "unknown": len(cases) - known}
    return out


@pytest.fixture
def world(database_url: str, codebook: Codebook, bundled_cases: list[Case]
          ) -> Iterator[tuple[CaseRepository, dict[str, CaseAccess]]]:
    """Bundled cases, plus one user case per (visibility, owner, workspace), each a sub-case
    of a bundled parent, with a searchable word in its title."""
    db = Database(database_url)
    db.upgrade()
    repo = CaseRepository(db, codebook)
    repo.sync_bundled(bundled_cases)
    template = next(c for c in bundled_cases if c.parent is None)
    grid: dict[str, CaseAccess] = {}
    with db.write() as s:
        records = CaseRecords(s, codebook)
        for n, (vis, owner, ws) in enumerate(itertools.product(Visibility, OWNERS, WORKSPACES)):
            case_id = f"grid-{n}"
            access = CaseAccess(case_id, False, vis, owner, ws)
            grid[case_id] = access
            records.insert([replace(template, id=case_id, parent=template.id,
                                    title=f"Quokka grid case {n}")], access)
        # a visibility no release writes (a forged row): nobody but its owner and the operator
        s.execute(text("UPDATE cases SET visibility = 'everyone' WHERE id = 'grid-0'"))
    grid["grid-0"] = replace(grid["grid-0"], visibility=Visibility.PRIVATE)
    yield repo, grid
    db.dispose()


def test_every_read_agrees_with_the_domain_rule(
        world: tuple[CaseRepository, dict[str, CaseAccess]], bundled_cases: list[Case]) -> None:
    repo, grid = world
    bundled = {c.id for c in bundled_cases}
    parent = next(c for c in bundled_cases if c.parent is None).id
    for reader in READERS:
        expected = {i for i, a in grid.items() if may_read_case(reader, a)}
        assert repo.ids(reader=reader) == bundled | expected, reader
        assert repo.count(reader=reader) == len(bundled | expected)
        assert {c.id for c in repo.all_cases(reader=reader)} == bundled | expected
        page = repo.list_cases(None, "quokka", limit=1000, reader=reader)
        assert {i.id for i in page.items} == expected and page.total == len(expected)
        facets = repo.list_cases(facets=FACETS, limit=0, reader=reader).facets
        visible = [c for c in repo.all_cases(reader=OPERATOR) if c.id in bundled | expected]
        assert facets == facet_counts(visible, repo.codebook), reader
        assert set(repo.children(parent, reader=reader)) >= expected
        assert not set(repo.children(parent, reader=reader)) & (set(grid) - expected)
        for case_id in grid:
            if case_id in expected:
                assert repo.get(case_id, reader=reader).case.id == case_id
            else:
                with pytest.raises(NotFound, match=f"no case with id '{case_id}'"):
                    repo.get(case_id, reader=reader)
    assert repo.ids(reader=OPERATOR) == bundled | set(grid)
