"""Issue 14, item 2, on SQLite and PostgreSQL: OR, phrases, prefixes and NOT in case search,
stemming, and each hit saying where it matched."""

from __future__ import annotations

import pytest

from parley.domain.errors import QuerySyntaxError
from parley.storage.cases import CaseRepository
from tests.storage.test_cases_search_spanish import loaded  # noqa: F401 - the fixture

PRISONS = {"brazil-prison-gangs", "brazil-amazonas-prisons-2017", "brazil-parana-prisons-2014"}


def found(repo: CaseRepository, search: str) -> set[str]:
    return {i.id for i in repo.list_cases(search=search, limit=100).items}


def test_or_finds_either_and_and_finds_both(loaded: CaseRepository) -> None:  # noqa: F811
    prison, church = found(loaded, "prison"), found(loaded, "church")
    assert found(loaded, "prison OR church") == prison | church
    assert found(loaded, "prison | church") == prison | church
    assert found(loaded, "prison church") == prison & church == found(loaded, "prison AND church")


def test_not_excludes(loaded: CaseRepository) -> None:  # noqa: F811
    truce, mara = found(loaded, "truce"), found(loaded, "mara")
    assert found(loaded, "truce -mara") == truce - mara == found(loaded, "truce NOT mara")
    assert truce - mara and truce & mara  # the test means something on this base


def test_prefix_and_stemming(loaded: CaseRepository) -> None:  # noqa: F811
    assert found(loaded, "pris*") >= PRISONS
    assert found(loaded, "prisons") == found(loaded, "prison")  # stemmed: no star needed


def test_a_phrase_needs_its_words_in_order(loaded: CaseRepository) -> None:  # noqa: F811
    phrase = found(loaded, '"temporary ceasefire"')
    words = found(loaded, "temporary ceasefire")
    assert phrase and phrase <= words
    assert not found(loaded, '"ceasefire temporary"') & (words - phrase)


def test_each_hit_says_where_it_matched(loaded: CaseRepository) -> None:  # noqa: F811
    """"Honduras" matched 15 of 28 cases through one shared region quote: a hit now says so,
    and the case titled Honduras comes first."""
    page = loaded.list_cases(search="Honduras", limit=100)
    first = page.items[0]
    assert first.id == "honduras-mara-truce-2013" and "title" in first.matched
    through_quotes = [i for i in page.items if i.matched == ("quotes",)]
    assert through_quotes, "the shared quote's hits say they matched only in quotes"
    assert all(i.matched for i in page.items)
    spanish = loaded.list_cases(search="tregua", limit=100).items
    assert any("translation" in i.matched for i in spanish)


@pytest.mark.parametrize("bad", ["-church", "truce OR", "NOT", "prison NOT", '""'])
def test_malformed_searches_are_refused_naming_where(loaded: CaseRepository, bad: str) -> None:  # noqa: F811
    with pytest.raises(QuerySyntaxError):
        loaded.list_cases(search=bad)
