"""What a researcher types in the search box, parsed once and compiled by each store.

    prison church          both words (AND is implied; `AND` may be written)
    prison OR church       either (`|` too); OR binds loosest: `a b OR c` is (a b) OR c
    "hurting stalemate"    the phrase, words in this order
    pris*                  a prefix: prison, prisons, prisoners
    -church, NOT church    without the word (a group needs at least one word to find)

Words are letters and digits (`\\w`): anything else separates words, so no operator of the
underlying engine (FTS5, tsquery) can be injected; a hyphenated token is a phrase
("anti-crime"). Matching folds case and accents and stems words in each store (FTS5 porter,
PostgreSQL english and spanish), so "prison" finds "prisons" without a star. FTS5 has no Spanish
stemmer: `to_fts5` is given one (`domain/stemming.py`) and a column of stemmed Spanish text, and
each whole word or phrase also matches its stems there ("treguas" finds "tregua"); a prefix is
never stemmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from parley.domain.errors import QuerySyntaxError, msg

MAX_TERMS = 32
_OR_SIDES = msg("search.or-sides", "OR needs words on both sides")
_TOKEN = re.compile(r'(-?)"([^"]*)"?(\*?)|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    """A word or a phrase (its words in order), maybe a prefix (of its last word), maybe
    excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Groups joined by OR; the terms of a group all hold (the negated ones do not match)."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        """Every word to find (not those excluded), for highlighting."""
        return tuple(w for g in self.groups for t in g if not t.negated for w in t.words)


def parse_search(text: str) -> SearchQuery:
    """Parse search text; a malformed one is refused naming where."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    count = 0
    for m in _TOKEN.finditer(text):
        at = m.start()
        if m.group(4) is not None:
            word = m.group(4)
            if word in ("OR", "|"):
                if negate_next or not groups[-1]:
                    raise QuerySyntaxError(_OR_SIDES, text, at)
                groups.append([])
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
            negated = word.startswith("-") and len(word) > 1
            body = word[1:] if negated else word
            prefix = body.endswith("*")
            words = tuple(_WORD.findall(body))
        else:
            negated = m.group(1) == "-"
            prefix = m.group(3) == "*"
            words = tuple(_WORD.findall(m.group(2)))
        if not words:
            if negate_next or negated:
                raise QuerySyntaxError(msg("search.nothing-to-exclude", "nothing to exclude after "
                                                 "NOT or '-'"), text, at)
            continue  # punctuation alone: nothing to search for
        count += 1
        if count > MAX_TERMS:
            raise QuerySyntaxError(msg("search.too-many-terms", "more than %(limit)s words or "
                                       "phrases", limit=MAX_TERMS), text, at)
        groups[-1].append(Term(words, prefix, negated or negate_next))
        negate_next = False
    if negate_next:
        raise QuerySyntaxError(msg("search.not-needs-word", "NOT needs a word after it"), text,
                               len(text))
    if groups[-1] == [] and len(groups) > 1:
        raise QuerySyntaxError(_OR_SIDES, text, len(text))
    if not any(groups):
        raise QuerySyntaxError(msg("search.no-words", "no words to search for"), text, 0)
    for group in groups:
        if all(t.negated for t in group):
            raise QuerySyntaxError(msg("search.only-excluded", "a search needs a word to find, "
                                       "not only words to exclude (e.g. `truce -church`)"),
                                   text, 0)
    return SearchQuery(tuple(tuple(g) for g in groups))


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def to_fts5(query: SearchQuery, stem: Callable[[str], str] | None = None,
            stem_column: str = "", prefix: Callable[[str], str] | None = None) -> str:
    """The query as SQLite FTS5 MATCH text (every word quoted: no operator injection).

    With `stem` and `stem_column` (a fixed column name, never user input), a term matches as
    typed in any column OR as its stems in `stem_column`:
    `("treguas" OR translated_stems : "tregu0")`; a prefix is not stemmed (`prefix` folds it).
    """

    def term(t: Term) -> str:
        typed = _quoted(t.words) + ("*" if t.prefix else "")
        if stem is None or not stem_column:
            return typed
        if t.prefix:
            *whole, last = t.words
            stems = (*(stem(w) for w in whole), prefix(last) if prefix else last)
        else:
            stems = tuple(stem(w) for w in t.words)
        return f"({typed} OR {stem_column} : {_quoted(stems)}{'*' if t.prefix else ''})"

    # FTS5 joins bare phrases by juxtaposition, but parenthesised ones need an explicit AND
    joiner = " AND " if stem is not None and stem_column else " "
    parts = []
    for group in query.groups:
        found = joiner.join(term(t) for t in group if not t.negated)
        excluded = "".join(f" NOT {term(t)}" for t in group if t.negated)
        parts.append(f"({found}{excluded})")
    return " OR ".join(parts)


def to_tsquery(query: SearchQuery, stem: Callable[[str], str] | None = None,
               prefix: Callable[[str], str] | None = None) -> str:
    """The query as PostgreSQL `to_tsquery` text (words are `\\w+` only: no injection); with
    `stem`, every whole word as its stem and the last word of a prefix through `prefix`, for
    matching the stems column (`domain/stemming.py`)."""

    def term(t: Term) -> str:
        whole = [stem(w) for w in t.words[:-1]] if stem else list(t.words[:-1])
        last = t.words[-1]
        if stem is not None:
            last = (prefix(last) if prefix else last) if t.prefix else stem(last)
        words = [*whole, last + (":*" if t.prefix else "")]
        body = " <-> ".join(words)
        body = f"({body})" if len(words) > 1 else body
        return f"!{body}" if t.negated else body

    return " | ".join("(" + " & ".join(term(t) for t in group) + ")" for group in query.groups)
