"""The search syntax: parsed once, compiled for FTS5 and tsquery with nothing injected."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.domain.errors import QuerySyntaxError
from parley.domain.search_syntax import Term, parse_search, to_fts5, to_tsquery
from parley.domain.stemming import index_prefix, index_stem, spanish_stems


def test_the_forms_a_researcher_types() -> None:
    q = parse_search('truce OR "hurting stalemate" pris* -church NOT mafia')
    assert q.groups == (
        (Term(("truce",)),),
        (Term(("hurting", "stalemate")), Term(("pris",), prefix=True),
         Term(("church",), negated=True), Term(("mafia",), negated=True)),
    )
    assert to_fts5(q) == ('("truce") OR ("hurting stalemate" "pris"* NOT "church" '
                          'NOT "mafia")')
    assert to_tsquery(q) == "(truce) | ((hurting <-> stalemate) & pris:* & !church & !mafia)"
    assert q.words == ("truce", "hurting", "stalemate", "pris")


@pytest.mark.parametrize(("bad", "says"), [
    ("-church", "not only words to exclude"), ("OR truce", "both sides"),
    ("truce OR", "both sides"), ("NOT", "after it"), ("...", "no words"),
])
def test_malformed_searches_name_the_problem(bad: str, says: str) -> None:
    with pytest.raises(QuerySyntaxError, match=says):
        parse_search(bad)


_FTS = sqlite3.connect(":memory:")
_FTS.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='porter unicode61 "
             "remove_diacritics 2')")
_FTS.execute("INSERT INTO t VALUES ('prison truce', 'church mafia')")


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_and_never_breaks_fts5(text: str) -> None:
    try:
        query = parse_search(text)
    except QuerySyntaxError:
        return
    _FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?", (to_fts5(query),)).fetchone()
    _FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?",
                 (f"{{a}} : ({to_fts5(query)})",)).fetchone()
    # tsquery text holds only words and its own operators
    assert re.fullmatch(r"[\w\s()|&!<>:*-]*", to_tsquery(query))


_STEMMED = sqlite3.connect(":memory:")
_STEMMED.execute("CREATE VIRTUAL TABLE s USING fts5(a, translated_stems, tokenize='porter "
                 "unicode61 remove_diacritics 2')")
_STEMMED.execute("INSERT INTO s VALUES ('la tregua', ?)", (spanish_stems("la tregua"),))


def test_spanish_stems_compile_beside_the_typed_words() -> None:
    q = parse_search('"tregua de pandillas" Cárceles carc* -iglesias')
    assert to_fts5(q, index_stem, "translated_stems", index_prefix) == (
        '(("tregua de pandillas" OR translated_stems : "tregu0 de0 pandill0") AND '
        '("Cárceles" OR translated_stems : "carcel0") AND ("carc"* OR translated_stems : '
        '"carc"*) NOT ("iglesias" OR translated_stems : "iglesi0"))')
    assert to_tsquery(q, index_stem, index_prefix) == (
        "((tregu0 <-> de0 <-> pandill0) & carcel0 & carc:* & !iglesi0)")
    # the marked stem survives FTS5's Porter tokenizer: "treguas" finds "tregua" by its stem
    hits = _STEMMED.execute("SELECT count(*) FROM s WHERE s MATCH ?", (to_fts5(
        parse_search("treguas"), index_stem, "translated_stems", index_prefix),)).fetchone()
    assert hits == (1,)


@given(st.text(max_size=80))
def test_any_text_with_spanish_stems_never_breaks_fts5(text: str) -> None:
    try:
        query = parse_search(text)
    except QuerySyntaxError:
        return
    compiled = to_fts5(query, index_stem, "translated_stems", index_prefix)
    _STEMMED.execute("SELECT count(*) FROM s WHERE s MATCH ?", (compiled,)).fetchone()
    assert re.fullmatch(r"[\w\s()|&!<>:*-]*", to_tsquery(query, index_stem, index_prefix))
