"""The query language: parsing, errors that point at the token, evaluation semantics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.domain.codebook import Codebook
from parley.domain.errors import QuerySyntaxError
from parley.domain.evidence import UNKNOWN, Unknown, Value
from parley.domain.query import And, Compare, Has, In, IsUnknown, Not, Or, evaluate, parse, render
from parley.knowledge.loader import load_codebook

CB = load_codebook()


def test_parses_the_issue_example(codebook: Codebook) -> None:
    node = parse("initiator has religious-leader and outcome_class in (lasting-reduction, "
                 "transformation) and start_year >= 2000", codebook)
    assert node == And((
        Has("initiator", "one", ("religious-leader",)),
        In("outcome_class", ("lasting-reduction", "transformation")),
        Compare("start_year", ">=", 2000),
    ))


def test_precedence_not_and_or(codebook: Codebook) -> None:
    node = parse("not cohesion = high and secrecy = secret or region = europe", codebook)
    assert node == Or((
        And((Not(Compare("cohesion", "=", "high")), Compare("secrecy", "=", "secret"))),
        Compare("region", "=", "europe"),
    ))


def test_keywords_are_case_insensitive(codebook: Codebook) -> None:
    assert parse("cohesion IS NOT UNKNOWN", codebook) == IsUnknown("cohesion", negate=True)


@pytest.mark.parametrize(("query", "message", "position"), [
    ("outcome_class = lasting", "'lasting' is not a code of outcome_class; allowed: no-deal, "
     "collapsed, temporary-reduction, lasting-reduction, transformation", 16),
    ("colour = red", "unknown variable 'colour'; variables: country, locality", 0),
    ("start_year >= soon", "start_year takes a whole number, not 'soon'", 14),
    ("initiator = police", "initiator is a list: use 'has', 'has any (...)' or 'has all (...)'", 10),
    ("cohesion has high", "'has' applies to list variables; cohesion takes one value", 9),
    ("(cohesion = high", "expected ')' but found 'end of query'", 16),
    ("cohesion = high and", "expected a variable name but found 'end of query'", 19),
    ("cohesion = high secrecy = secret", "unexpected 'secrecy'; expected 'and', 'or' or the end", 16),
    ("cohesion ~ high", "unexpected character '~'", 9),
    ("", "empty query", 0),
    ("region >= europe", "'>=' compares numbers; region is not a number", 7),
    ("cohesion = unknown", "use 'cohesion is unknown' to test for unknown", 11),
])
def test_errors_point_at_the_token(codebook: Codebook, query: str, message: str,
                                   position: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query, codebook)
    assert message in str(info.value)
    assert info.value.position == position


def test_allowed_variables_restrict(codebook: Codebook) -> None:
    with pytest.raises(QuerySyntaxError, match="unknown variable 'outcome_class'"):
        parse("outcome_class = no-deal", codebook, allowed={"cohesion"})


ROW: dict[str, Value | Unknown] = {
    "cohesion": "high",
    "initiator": ("religious-leader", "community"),
    "start_year": 2006,
    "country": "El Salvador",
    "secrecy": UNKNOWN,
}


@pytest.mark.parametrize(("query", "expected"), [
    ("cohesion = high", True),
    ("cohesion != high", False),
    ("cohesion in (low, medium)", False),
    ("cohesion not in (low, medium)", True),
    ("initiator has community", True),
    ("initiator has any (police, community)", True),
    ("initiator has all (police, community)", False),
    ("initiator has all (religious-leader, community)", True),
    ("start_year >= 2000 and start_year < 2007", True),
    ('country = "el salvador"', True),
    ("secrecy = secret", False),
    ("secrecy != secret", False),
    ("not secrecy = secret", True),
    ("secrecy is unknown", True),
    ("structure is unknown", True),
    ("cohesion is not unknown", True),
    ("(cohesion = low or initiator has police) or start_year = 2006", True),
])
def test_evaluate(codebook: Codebook, query: str, expected: bool) -> None:
    assert evaluate(parse(query, codebook), ROW) is expected


def _comparisons() -> st.SearchStrategy[str]:
    coded = [v for v in CB.coded if v.type.has_codes]
    var = st.sampled_from(coded)

    def one(v: object) -> st.SearchStrategy[str]:
        from parley.domain.codebook import Variable

        assert isinstance(v, Variable)
        codes = st.sampled_from(list(v.codes))
        if v.type.is_list:
            return st.one_of(codes.map(lambda c: f"{v.name} has {c}"),
                             st.lists(codes, min_size=1, max_size=3, unique=True).map(
                                 lambda cs: f"{v.name} has any ({', '.join(cs)})"))
        return st.one_of(codes.map(lambda c: f"{v.name} = {c}"),
                         codes.map(lambda c: f"{v.name} != {c}"),
                         st.just(f"{v.name} is unknown"))

    return var.flatmap(one)


QUERIES = st.recursive(
    _comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]}) and ({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} or {t[1]}"),
        inner.map(lambda q: f"not ({q})"),
    ),
    max_leaves=6,
)


@settings(max_examples=200)
@given(QUERIES)
def test_render_round_trips(query: str) -> None:
    node = parse(query, CB)
    assert parse(render(node), CB) == node
