"""Stable pseudonyms for personal names in exports.

A pseudonym is derived with HMAC-SHA-256 under a per-workspace secret, so the same name gets
the same pseudonym in every export of that workspace, but pseudonyms cannot be reversed by
hashing a list of candidate names without the secret.

What is replaced: every registered name as a whole ("Ana M.", whatever the spacing), and each
of its parts of two letters or more on its own ("Ana", "Ruiz"), so a surname alone is caught
too (lower-case particles such as "de" excepted). A match never starts or ends inside a word
(no letter or digit right before or after it), but it may end in punctuation that belongs to
the name ("M."): the edges are look-arounds, not a regex word boundary, which needs a word
character next to it. Single initials ("M") are not replaced alone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

PART = re.compile(r"[^\W_]{2,}(?:[-'’][^\W_]{2,})*")
"""A name part: two letters or more (hyphenated and apostrophe names kept whole)."""


def pseudonym(name: str, secret: bytes) -> str:
    """`Person-XXXXXXXX`: stable for (name, secret); case and spacing do not matter."""
    key = " ".join(name.split()).casefold().encode("utf-8")
    return "Person-" + hmac.new(secret, key, hashlib.sha256).hexdigest()[:8].upper()


PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du",
                       "le", "van", "von", "der", "den", "ter", "bin", "al", "el"})
"""Lower-case particles of names ("María de la Cruz"): not replaced on their own."""


def name_parts(name: str) -> set[str]:
    """The parts of a name that identify on their own (initials and particles excluded)."""
    return {p for p in PART.findall(name)
            if p.casefold() != "person" and not (p.islower() and p in PARTICLES)}


def _pattern(term: str) -> str:
    body = r"\s+".join(re.escape(t) for t in term.split())
    # not inside a word: no letter/digit immediately before or after
    return r"(?<![^\W_])" + body + r"(?![^\W_])"


class Pseudonymiser:
    """Replaces every occurrence of the given names and their parts, in any string of a
    JSON-like value."""

    def __init__(self, names: Iterable[str], secret: bytes) -> None:
        self.secret = secret
        wholes = {" ".join(n.split()) for n in names if n.strip()}
        terms = wholes | {p for n in wholes for p in name_parts(n)}
        # longest first, so a whole name wins over its parts
        ordered = sorted(terms, key=lambda t: (-len(t), t))
        self._pattern = (re.compile("|".join(_pattern(t) for t in ordered), re.IGNORECASE)
                         if ordered else None)

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: pseudonym(m.group(0), self.secret), value)

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.apply(v) for v in value]
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        return value
