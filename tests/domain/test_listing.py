"""Search snippets shown in one way per medium, the case's own text never becoming markup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parley.domain.listing import MARK_END, MARK_START, marked_html, show_marks


def test_marks_become_the_mediums_markup_after_escaping() -> None:
    snippet = f"a <b>{MARK_START}truce{MARK_END}</b> [x]"
    assert marked_html(snippet) == "a &lt;b&gt;<mark>truce</mark>&lt;/b&gt; [x]"
    assert show_marks(snippet, "[", "]") == "a <b>[truce]</b> [x]"


@given(st.text(alphabet=st.characters(blacklist_characters=MARK_START + MARK_END)))
def test_no_text_of_a_case_becomes_html(text: str) -> None:
    html = marked_html(f"{text}{MARK_START}{text}{MARK_END}")
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
