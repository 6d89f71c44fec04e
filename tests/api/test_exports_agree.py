"""Property: for any filter, listing, records, CSV and JSON export name the same cases, and the
same ones the pure query evaluator picks from the bundled files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parley.api as api
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.query import evaluate, parse
from parley.knowledge.loader import load_bundled_cases, load_codebook

CODEBOOK: Codebook = load_codebook()
CODED = [v for v in CODEBOOK.coded if v.type.has_codes]


@cache
def bundled() -> list[Case]:
    return load_bundled_cases(CODEBOOK)


@pytest.fixture(scope="module")
def cases() -> Iterator[api.CaseBase]:
    with api.open_case_base() as opened:
        yield opened


@st.composite
def filters(draw: st.DrawFn) -> str:
    """`var = code`, `var has code`, `var is unknown`, joined by and/or, maybe negated."""
    def one() -> str:
        var = draw(st.sampled_from(CODED))
        if draw(st.booleans()):
            return f"{var.name} is unknown"
        code = draw(st.sampled_from(list(var.codes)))
        return f"{var.name} {'has' if var.type.is_list else '='} {code}"

    terms = [one() for _ in range(draw(st.integers(1, 3)))]
    joined = f" {draw(st.sampled_from(['and', 'or']))} ".join(terms)
    return f"not ({joined})" if draw(st.booleans()) else joined


@settings(max_examples=40)
@given(where=filters())
def test_every_view_of_a_filter_names_the_same_cases(cases: api.CaseBase, where: str) -> None:
    node = parse(where, CODEBOOK)
    expected = sorted(c.id for c in bundled()
                      if evaluate(node, {n: v.value for n, v in c.values.items()}))
    assert [r.id for r in cases.list_cases(where)] == expected
    assert cases.count(where) == len(expected)
    assert [r["id"] for r in cases.records(where)] == expected
    assert [row["id"] for row in csv.DictReader(io.StringIO(cases.to_csv(where)))] == expected
    assert [d["id"] for d in json.loads(cases.to_json(where))] == expected
