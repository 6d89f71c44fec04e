"""Issue 8, item 11: anonymised exports leaked "Ana M." (no word boundary after the dot) and
surnames written alone; the property: no registered name, nor any part of one, survives."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from parley.domain.anonymise import Pseudonymiser, name_parts, pseudonym

SECRET = b"k" * 32


def survives(term: str, text: str) -> bool:
    """Whether `term` still appears as a whole word (not inside a longer word)."""
    pattern = r"(?<![^\W_])" + r"\s+".join(map(re.escape, term.split())) + r"(?![^\W_])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def test_a_name_ending_in_a_dot_is_replaced() -> None:
    out = Pseudonymiser(["Ana M."], SECRET).text("Met Ana M. at the church; Ana M., again.")
    assert "Ana" not in out and "M." not in out.replace("Person-", "")
    assert out.count(pseudonym("Ana M.", SECRET)) == 2


def test_a_surname_alone_is_replaced() -> None:
    p = Pseudonymiser(["Ana Ruiz", "Luis de la Mora"], SECRET)
    out = p.text("Ruiz agreed. MORA refused; la reunión de hoy. Ana Ruiz signed.")
    assert not any(survives(t, out) for t in ("Ruiz", "Mora", "Ana", "Luis"))
    assert "la reunión de hoy" in out  # particles are not names on their own
    assert pseudonym("Ana Ruiz", SECRET) in out  # the whole name keeps its own pseudonym


def test_words_that_merely_contain_a_name_are_kept() -> None:
    assert Pseudonymiser(["Ana"], SECRET).text("Banana, Anatolia, ana_m") == "Banana, Anatolia, " \
        + pseudonym("ana", SECRET) + "_m"


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéñ", min_size=2, max_size=8).map(
    str.capitalize)
NAME = st.lists(WORD, min_size=1, max_size=3).map(" ".join) | st.builds(
    lambda first, initial: f"{first} {initial}.", WORD, st.sampled_from("ABCDMXZ"))
FILLER = st.sampled_from([" ", ", ", ". ", " met ", "\n", " (", ") ", "; ", "-", "'s "])


@given(names=st.lists(NAME, min_size=1, max_size=4),
       pieces=st.lists(st.tuples(st.integers(0, 3), st.booleans(), FILLER), max_size=12))
def test_no_registered_name_or_name_part_survives(
        names: list[str], pieces: list[tuple[int, bool, str]]) -> None:
    text = ""
    for index, part_only, filler in pieces:
        name = names[index % len(names)]
        parts = sorted(name_parts(name))
        chosen = parts[index % len(parts)] if part_only and parts else name
        text += (chosen.upper() if index == 2 else chosen) + filler
    out = Pseudonymiser(names, SECRET).apply({"t": [text]})["t"][0]
    for name in names:
        assert not survives(name, out), (name, text, out)
        for part in name_parts(name):
            assert not survives(part, out), (part, text, out)
