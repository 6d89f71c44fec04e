"""Spanish stemming for search, where the database has none (SQLite's FTS5 ships Porter only).

Words are folded as PostgreSQL's `parley_unaccent` folds them (case and accents, ñ -> n) and
then stemmed with the Snowball Spanish stemmer, the algorithm behind PostgreSQL's `spanish`
configuration: the index holds the stems of Parley's Spanish text, and a query's words are
stemmed the same way, so "treguas" finds "tregua" and "cárceles" finds "carcel"
(docs/i18n.md, "Search").

The indexed stems carry a trailing `0` (`STEM_MARK`: "tregu0"): SQLite's FTS5 table runs every
column through its Porter tokenizer, which would stem a Spanish stem again ("pandiller" ->
"pandil", so "pandilleros" would find "pandillas" on SQLite and not on PostgreSQL); Porter
leaves a word ending in a digit as it is. PostgreSQL indexes the same column with the `simple`
configuration, so both engines compare exactly the same stems.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
STEM_MARK = "0"
_stemmer = snowballstemmer.stemmer("spanish")


def fold_accents(text: str) -> str:
    """Lower case without accents ("CÁRCEL" -> "carcel", "Ñetas" -> "netas")."""
    # decomposed before and after case folding: "𝐕" has no case until NFKD makes it "V"
    decomposed = unicodedata.normalize(
        "NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _folded_word(word: str) -> str:
    """A word folded, and only its word characters (NFKD may split one: "¼" -> "1⁄4")."""
    return "".join(_WORD.findall(fold_accents(word)))


@lru_cache(maxsize=4096)
def spanish_stem(word: str) -> str:
    """One word's Spanish stem, folded first ("Cárceles" -> "carcel", "treguas" -> "tregu")."""
    return str(_stemmer.stemWord(_folded_word(word)))


def index_stem(word: str) -> str:
    """A word as the stems column holds it: its Spanish stem and `STEM_MARK` ("tregu0")."""
    return spanish_stem(word) + STEM_MARK


def index_prefix(prefix: str) -> str:
    """A typed prefix as it is sought in the stems column: folded, not stemmed ("Cárc" ->
    "carc"; a prefix is a part of a word, and a stem of a part means nothing)."""
    return _folded_word(prefix) or STEM_MARK


def spanish_stems(text: str) -> str:
    """Text as the stems column holds it: each word's `index_stem`, in order (phrases match)."""
    return " ".join(index_stem(w) for w in _WORD.findall(text))
