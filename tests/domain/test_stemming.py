"""Spanish stems for SQLite search: folded like PostgreSQL's unaccent, then Snowball."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.domain.stemming import STEM_MARK, fold_accents, index_stem, spanish_stems


@pytest.mark.parametrize(("words", "stem"), [
    (("tregua", "treguas", "Tregua"), "tregu"),
    (("cárcel", "cárceles", "carcel", "CÁRCEL"), "carcel"),
    (("negociación", "negociaciones", "negociacion"), "negoci"),
    (("pandilla", "pandillas"), "pandill"),
    (("pandillero", "pandilleros"), "pandiller"),  # a gang member is not a gang, as in PG
])
def test_a_spanish_speakers_variants_share_a_stem(words: tuple[str, ...], stem: str) -> None:
    assert {index_stem(w) for w in words} == {stem + STEM_MARK}


def test_stems_keep_the_order_of_the_words() -> None:
    assert spanish_stems("La tregua de pandillas, en Ñetas") == "la0 tregu0 de0 pandill0 en0 net0"


@given(st.text(max_size=60))
def test_stems_are_one_folded_marked_word_per_word(text: str) -> None:
    stems = spanish_stems(text).split()
    assert len(stems) == len(re.findall(r"\w+", text))
    assert all(re.fullmatch(r"\w+", s) and s.endswith(STEM_MARK) and s == fold_accents(s)
               for s in stems)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúüñÁÉÍÓÚÑ ", max_size=60))
def test_accents_and_case_never_change_a_stem(text: str) -> None:
    assert spanish_stems(fold_accents(text)) == spanish_stems(text)
