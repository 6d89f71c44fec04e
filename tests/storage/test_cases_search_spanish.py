"""Search for Spanish speakers (issue 13, migration 0014), on SQLite and PostgreSQL: accents and
case ignored, Parley's Spanish titles and summaries of the bundled cases indexed, and migration
0014 up, down and up again on a database that holds cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from parley.domain.case import Case, case_to_dict
from parley.domain.codebook import Codebook
from parley.knowledge.translations import translated_search_text
from parley.storage.cases import CaseRepository
from parley.storage.database import Database
from tests.support import migrate

SALVADOR = "el-salvador-mara-truce-2012"
PRISONS = {"brazil-prison-gangs", "brazil-amazonas-prisons-2017", "brazil-parana-prisons-2014"}


@pytest.fixture
def loaded(database_url: str, codebook: Codebook, bundled_cases: list[Case]) -> Iterator[CaseRepository]:
    db = Database(database_url)
    db.upgrade()
    repo = CaseRepository(db, codebook, translated_search_text)
    repo.sync_bundled(bundled_cases)
    yield repo
    db.dispose()


def _found(repo: CaseRepository, search: str) -> set[str]:
    return {i.id for i in repo.list_cases(search=search, limit=100).items}


def test_spanish_words_find_cases_through_their_spanish_text(loaded: CaseRepository) -> None:
    assert SALVADOR in _found(loaded, "tregua de pandillas")
    assert _found(loaded, "cárcel") >= PRISONS
    assert "mexico-guerrero-territorial-access" in _found(loaded, "iglesia")


@pytest.mark.parametrize("variant", ["cárcel", "carcel", "CÁRCEL", "Carcel"])
def test_accents_and_case_do_not_matter(loaded: CaseRepository, variant: str) -> None:
    assert _found(loaded, variant) == _found(loaded, "cárcel")


def test_english_search_is_unchanged(loaded: CaseRepository) -> None:
    assert _found(loaded, "prison riots") >= PRISONS
    assert _found(loaded, "Ñetas") == _found(loaded, "netas") != set()


SHARED = [
    # (query, a case it must find, or None, the count both engines agree on)
    ("tregua de pandillas", SALVADOR, 8),
    ('"tregua de pandillas"', "south-africa-covid-gang-truce-2020", 1),
    ("treguas", SALVADOR, 11),
    ("tregua", SALVADOR, 11),
    ("tregua*", SALVADOR, 11),
    ("pandillas", SALVADOR, 19),
    ("pandill*", SALVADOR, 19),
    ("pandilleros", None, 2),  # Snowball keeps the gang member apart from the gang
    ("cárceles", "brazil-prison-gangs", 4),
    ("carcel", "brazil-prison-gangs", 4),
    ("carc*", "brazil-prison-gangs", 6),
    ("cárcel -brasil", None, 1),
    ("negociación", SALVADOR, 16),
    ("negociaciones", SALVADOR, 16),
    ("desmovilización", "bangladesh-sundarbans-pirates-2016", 1),
    ("beneficios judiciales", None, 4),
    ("iglesias", "mexico-guerrero-territorial-access", 1),
    ("tregua OR iglesia", "mexico-guerrero-territorial-access", 12),
    ("motines carcelarios", None, 3),
    ("prison riots", "brazil-prison-gangs", 3),
]
"""Spanish searches a speaker types, with what both engines find: SQLite through the Snowball
stems column (domain/stemming.py), PostgreSQL through the same stems (migration 0017). Run on
both backends: the same count on each is the agreement."""


@pytest.mark.parametrize(("search", "case", "count"), SHARED, ids=[q for q, _, _ in SHARED])
def test_both_engines_agree_on_spanish_searches(loaded: CaseRepository, search: str,
                                                case: str | None, count: int) -> None:
    found = _found(loaded, search)
    assert len(found) == count
    if case is not None:
        assert case in found


def test_a_case_found_only_by_its_stems_says_translation(loaded: CaseRepository) -> None:
    page = loaded.list_cases(search="negociaciones", limit=100)
    assert page.items and all("translation" in i.matched for i in page.items)
    # the snippet shows text, never the stems ("negoci0") it was found by
    assert all(i.snippet and "negoci0" not in i.snippet for i in page.items)
    if loaded.db.is_sqlite:  # PostgreSQL's ts_headline starts the text where nothing marks
        assert any(i.snippet and "Tregua entre maras" in i.snippet for i in page.items)


def test_a_user_case_gets_no_translation(loaded: CaseRepository, bundled_cases: list[Case]
                                         ) -> None:
    from dataclasses import replace

    mine = replace(bundled_cases[0], id="my-own-truce", parent=None)
    loaded.import_cases([mine])
    with loaded.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT translated_text FROM cases WHERE id = :i"),
                              {"i": "my-own-truce"}).scalar_one()
    assert stored == ""


def test_0014_up_down_up_keeps_search_working(database_url: str, tmp_path: Path,
                                              codebook: Codebook,
                                              bundled_cases: list[Case]) -> None:
    db = Database(database_url)
    migrate(db, "0011")
    insert = text("INSERT INTO cases (id, title, parent_id, summary, quotes_text, origin, "
                  "visibility, document, content_hash, version) VALUES (:id, :title, NULL, "
                  ":summary, '', 'bundled', 'public', :doc, :hash, 1)")
    with db.engine.begin() as conn:  # as a release before 0014 stored them
        for case in bundled_cases:
            conn.execute(insert, {"id": case.id, "title": case.title, "summary": case.summary,
                                  "hash": "0" * 64, "doc": json.dumps(case_to_dict(case))})
    migrate(db, "head")  # 0014, 0016 (list columns) and 0017 (the stems): the code reads them
    repo = CaseRepository(db, codebook, translated_search_text)
    assert _found(repo, "tregua de pandillas") == set()  # not filled until the sync
    repo.sync_bundled(bundled_cases)  # what every start and `db upgrade` run
    assert SALVADOR in _found(repo, "tregua de pandillas")
    assert _found(repo, "carcel") >= PRISONS
    migrate(db, "0011", down=True)
    with db.engine.connect() as conn:  # the 0001 index again, English only
        hits = conn.execute(text(
            "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH '\"prison\" \"riots\"'"
            if db.is_sqlite else
            "SELECT count(*) FROM cases WHERE search_vector @@ "
            "websearch_to_tsquery('english', 'prison riots')")).scalar_one()
        assert hits >= len(PRISONS)
    migrate(db, "head")
    repo.sync_bundled(bundled_cases)
    assert SALVADOR in _found(repo, "tregua de pandillas")
    db.dispose()
