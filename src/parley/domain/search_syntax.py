"""What a researcher types in the search box, parsed once and compiled by each store.

    prison church          both words (AND is implied; `AND` may be written)
    prison OR church       either (`|` too); OR binds loosest: `a b OR c` is (a b) OR c
    "hurting stalemate"    the phrase, words in this order
    pris*                  a prefix: prison, prisons, prisoners
    -church, NOT church    without the word (a group needs at least one word to find)

Words are letters and digits (`\\w`): anything else separates words, so no operator of the
underlying engine (FTS5, tsquery) can be injected; a hyphenated token is a phrase
("anti-crime"). Matching folds case and accents and stems words in each store (FTS5 porter,
PostgreSQL english and spanish), so "prison" finds "prisons" without a star.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley.domain.errors import QuerySyntaxError

MAX_TERMS = 32
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
                    raise QuerySyntaxError("OR needs words on both sides", text, at)
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
                raise QuerySyntaxError("nothing to exclude after NOT or '-'", text, at)
            continue  # punctuation alone: nothing to search for
        count += 1
        if count > MAX_TERMS:
            raise QuerySyntaxError(f"more than {MAX_TERMS} words or phrases", text, at)
        groups[-1].append(Term(words, prefix, negated or negate_next))
        negate_next = False
    if negate_next:
        raise QuerySyntaxError("NOT needs a word after it", text, len(text))
    if groups[-1] == [] and len(groups) > 1:
        raise QuerySyntaxError("OR needs words on both sides", text, len(text))
    if not any(groups):
        raise QuerySyntaxError("no words to search for", text, 0)
    for group in groups:
        if all(t.negated for t in group):
            raise QuerySyntaxError("a search needs a word to find, not only words to "
                                   "exclude (e.g. `truce -church`)", text, 0)
    return SearchQuery(tuple(tuple(g) for g in groups))


def to_fts5(query: SearchQuery) -> str:
    """The query as SQLite FTS5 MATCH text (every word quoted: no operator injection)."""

    def term(t: Term) -> str:
        return '"' + " ".join(w.replace('"', '""') for w in t.words) + '"' + (
            "*" if t.prefix else "")

    parts = []
    for group in query.groups:
        found = " ".join(term(t) for t in group if not t.negated)
        excluded = "".join(f" NOT {term(t)}" for t in group if t.negated)
        parts.append(f"({found}{excluded})")
    return " OR ".join(parts)


def to_tsquery(query: SearchQuery) -> str:
    """The query as PostgreSQL `to_tsquery` text (words are `\\w+` only: no injection)."""

    def term(t: Term) -> str:
        words = [*t.words[:-1], t.words[-1] + (":*" if t.prefix else "")]
        body = " <-> ".join(words)
        body = f"({body})" if len(words) > 1 else body
        return f"!{body}" if t.negated else body

    return " | ".join("(" + " & ".join(term(t) for t in group) + ")" for group in query.groups)
