"""Export -> import round-trips exactly for any valid case (property test)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.domain.case import Case, case_to_dict, parse_case
from parley.domain.codebook import Variable, VarType
from parley.domain.evidence import UNKNOWN, Citation, CodedValue
from parley.knowledge.loader import load_codebook

CB = load_codebook()
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
               min_size=1, max_size=40).map(str.strip).filter(bool)
CITATION = st.builds(Citation, st.just("ifit-2021"), st.sampled_from(["Introduction", "x"]),
                     TEXT)


def value_for(var: Variable) -> st.SearchStrategy[object]:
    codes = list(var.codes)
    if var.type is VarType.CODE:
        return st.sampled_from(codes)
    if var.type is VarType.CODE_LIST:
        return st.lists(st.sampled_from(codes), min_size=1, unique=True).map(
            lambda xs: tuple(sorted(xs, key=codes.index)))
    if var.type is VarType.INTEGER:
        return st.integers(0, 100_000)
    if var.type is VarType.TEXT_LIST:
        return st.lists(TEXT, min_size=1, max_size=3, unique=True).map(tuple)
    return TEXT


def coded(var: Variable) -> st.SearchStrategy[CodedValue]:
    known = st.builds(CodedValue, value_for(var), st.lists(CITATION, min_size=1, max_size=2)
                      .map(tuple), st.none() | TEXT)
    return st.one_of(st.just(CodedValue(UNKNOWN)), known)


CASES = st.builds(
    Case,
    id=st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True),
    title=TEXT, summary=TEXT,
    values=st.fixed_dictionaries({v.name: coded(v) for v in CB.coded}),
    parent=st.none() | st.just("some-parent"),
)


@settings(max_examples=150, deadline=None)
@given(CASES)
def test_json_round_trip(case: Case) -> None:
    text = json.dumps(case_to_dict(case), ensure_ascii=False)
    assert parse_case(json.loads(text), CB) == case
