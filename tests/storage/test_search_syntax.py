"""Issue 14, item 2, on SQLite and PostgreSQL: OR, phrases, prefixes and NOT in case search,
stemming, and each hit saying where it matched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import QuerySyntaxError
from parley.knowledge.translations import translated_search_text
from parley.storage.cases import CaseRepository
from parley.storage.database import Database

PRISONS = {"brazil-prison-gangs", "brazil-amazonas-prisons-2017", "brazil-parana-prisons-2014"}


@pytest.fixture
def repo(database_url: str, codebook: Codebook, bundled_cases: list[Case]
         ) -> Iterator[CaseRepository]:
    db = Database(database_url)
    db.upgrade()
    r = CaseRepository(db, codebook, translated_search_text)
    r.sync_bundled(bundled_cases)
    yield r
    db.dispose()


def found(repo: CaseRepository, search: str) -> set[str]:
    return {i.id for i in repo.list_cases(search=search, limit=100).items}


def test_or_finds_either_and_and_finds_both(repo: CaseRepository) -> None:
    prison, church = found(repo, "prison"), found(repo, "church")
    assert found(repo, "prison OR church") == prison | church
    assert found(repo, "prison | church") == prison | church
    assert found(repo, "prison church") == prison & church == found(repo, "prison AND church")


def test_not_excludes(repo: CaseRepository) -> None:
    truce, mara = found(repo, "truce"), found(repo, "mara")
    assert found(repo, "truce -mara") == truce - mara == found(repo, "truce NOT mara")
    assert truce - mara and truce & mara  # the test means something on this base


def test_prefix_and_stemming(repo: CaseRepository) -> None:
    assert found(repo, "pris*") >= PRISONS
    assert found(repo, "prisons") == found(repo, "prison")  # stemmed: no star needed


def test_a_phrase_needs_its_words_in_order(repo: CaseRepository) -> None:
    phrase = found(repo, '"temporary ceasefire"')
    words = found(repo, "temporary ceasefire")
    assert phrase and phrase <= words
    assert not found(repo, '"ceasefire temporary"') & (words - phrase)


def test_each_hit_says_where_it_matched(repo: CaseRepository) -> None:
    """"Honduras" matched 15 of 28 cases through one shared region quote: a hit now says so,
    and the case titled Honduras comes first."""
    page = repo.list_cases(search="Honduras", limit=100)
    first = page.items[0]
    assert first.id == "honduras-mara-truce-2013" and "title" in first.matched
    through_quotes = [i for i in page.items if i.matched == ("quotes",)]
    assert through_quotes, "the shared quote's hits say they matched only in quotes"
    assert all(i.matched for i in page.items)
    spanish = repo.list_cases(search="tregua", limit=100).items
    assert any("translation" in i.matched for i in spanish)


@pytest.mark.parametrize("bad", ["-church", "truce OR", "NOT", "prison NOT", '""'])
def test_malformed_searches_are_refused_naming_where(repo: CaseRepository, bad: str) -> None:
    with pytest.raises(QuerySyntaxError):
        repo.list_cases(search=bad)
