"""The case repository on SQLite and PostgreSQL: loading, import, filters, search, facets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from parley.domain.access import OPERATOR, CaseReader, Visibility
from parley.domain.case import Case, case_to_dict, parse_case
from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound, ValidationFailed
from parley.domain.evidence import Unknown, Value
from parley.domain.listing import MARK_END, MARK_START
from parley.domain.query import evaluate, parse
from parley.storage.cases import CaseRecords, CaseRepository
from parley.storage.database import Database
from tests.domain.test_query import QUERIES

DATA = Path(__file__).resolve().parents[1] / "data" / "cases"


def _codes(value: Value | Unknown) -> tuple[str, ...]:
    """The codes of a list variable's value (none when unknown)."""
    return value if isinstance(value, tuple) else ()


@pytest.fixture
def repo(database_url: str, codebook: Codebook) -> Iterator[CaseRepository]:
    db = Database(database_url)
    db.upgrade()
    yield CaseRepository(db, codebook)
    db.dispose()


@pytest.fixture
def loaded(repo: CaseRepository, bundled_cases: list[Case]) -> CaseRepository:
    repo.sync_bundled(bundled_cases)
    return repo


def _user_case(codebook: Codebook) -> Case:
    raw = __import__("yaml").safe_load((DATA / "good" / "my-august-town-case.yaml").read_text())
    return parse_case(raw, codebook)


def test_bundled_load_is_idempotent(repo: CaseRepository, bundled_cases: list[Case]) -> None:
    first = repo.sync_bundled(bundled_cases)
    assert len(first.added) == len(bundled_cases)
    second = repo.sync_bundled(bundled_cases)
    assert second.added == () and second.updated == () and second.unchanged == len(bundled_cases)
    assert repo.count() == len(bundled_cases)


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    db.upgrade()
    assert db.current_revision() is not None
    db.dispose()


def test_bulk_loader_refuses_bundled_ids(loaded: CaseRepository,
                                         bundled_cases: list[Case]) -> None:
    original = next(c for c in bundled_cases if c.id == "jamaica-august-town-truce-2008")
    mine = replace(original, summary="My own recoding of this case.")
    with pytest.raises(ValidationFailed, match=r"jamaica-august-town-truce-2008.*is a bundled "
                       "case: bundled cases change only through a Parley release"):
        loaded.import_cases([mine], replace=True)
    assert loaded.get(original.id, reader=OPERATOR).case == original


EDIT_DOCUMENT = "edit the stored document"
"""Marks a tamper that also edits the document as stored (SQLite: packed, so edited through the
column's own type: unpacked, 'Jamaica' replaced, packed again)."""
TAMPERS = {
    # the issue's attack as it was stored before the fix: a user's replacement of a bundled case
    "taken over": "UPDATE cases SET origin = 'user', summary = 'x' WHERE id = :id;"
                  + EDIT_DOCUMENT,
    "document edited, hash kept": EDIT_DOCUMENT,
    "listed column edited": "UPDATE cases SET region = 'europe' WHERE id = :id",
    "hidden": "UPDATE cases SET visibility = 'private', owner = 'mallory' WHERE id = :id",
    "index rows edited": "UPDATE case_values SET value = (SELECT id FROM case_terms WHERE "
                         "variable = case_values.variable AND text = 'europe') WHERE variable = "
                         "(SELECT id FROM case_variables WHERE name = 'region') AND "
                         "case_pk = (SELECT pk FROM cases WHERE id = :id)",
    "summary column edited": "UPDATE cases SET summary = 'forged' WHERE id = :id",
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_sync_restores_a_bundled_case_changed_outside_a_release(
        loaded: CaseRepository, bundled_cases: list[Case], tamper: str) -> None:
    from sqlalchemy import text

    target = "jamaica-august-town-truce-2008"
    from sqlalchemy import select, update

    from parley.storage.tables import CaseRow

    with loaded.db.write() as s:
        statement, edits, _ = TAMPERS[tamper].partition(EDIT_DOCUMENT)
        if statement.strip(" ;"):
            s.execute(text(statement.strip(" ;")), {"id": target})
        if edits:
            document = s.scalar(select(CaseRow.document).where(CaseRow.id == target))
            assert document is not None and "Jamaica" in document
            s.execute(update(CaseRow).where(CaseRow.id == target).values(
                document=document.replace("Jamaica", "Jamaika"),
                version=CaseRow.version))
    report = loaded.sync_bundled(bundled_cases)
    assert report.restored == (target,) and report.updated == () and report.added == ()
    assert report.unchanged == len(bundled_cases) - 1
    stored = loaded.get(target)
    assert stored.origin == "bundled" and stored.owner is None
    assert stored.case == next(c for c in bundled_cases if c.id == target)
    again = loaded.sync_bundled(bundled_cases)
    assert again.restored == () and again.unchanged == len(bundled_cases)


def test_sync_takes_a_new_release(loaded: CaseRepository, bundled_cases: list[Case]) -> None:
    changed = [replace(c, summary=c.summary + " (new edition)") for c in bundled_cases]
    report = loaded.sync_bundled(changed)
    assert len(report.updated) == len(bundled_cases) and report.restored == ()
    assert loaded.get(changed[0].id).case.summary.endswith("(new edition)")


def test_import_is_all_or_nothing(loaded: CaseRepository, codebook: Codebook) -> None:
    mine = _user_case(codebook)
    orphan = replace(mine, id="orphan-case", parent="no-such-parent")
    before = loaded.count()
    with pytest.raises(ValidationFailed, match="parent 'no-such-parent' is not a known case"):
        loaded.import_cases([mine, orphan])
    assert loaded.count() == before
    with pytest.raises(ValidationFailed, match="duplicate id in the imported files"):
        loaded.import_cases([mine, mine])
    assert loaded.count() == before
    loaded.import_cases([mine])
    with pytest.raises(ValidationFailed, match="already exists"):
        loaded.import_cases([mine])
    assert loaded.count() == before + 1


def test_export_import_round_trip(loaded: CaseRepository, database_url: str,
                                  codebook: Codebook, tmp_path: Path) -> None:
    exported = [case_to_dict(c) for c in loaded.all_cases()]
    text = json.dumps(exported, ensure_ascii=False)
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    target = CaseRepository(other, codebook)
    target.import_cases([parse_case(d, codebook) for d in json.loads(text)])
    assert [case_to_dict(c) for c in target.all_cases()] == exported
    other.dispose()


def test_missing_case(loaded: CaseRepository) -> None:
    with pytest.raises(NotFound, match="no case with id 'atlantis'"):
        loaded.get("atlantis")


def test_filter_matches_the_issue_example(loaded: CaseRepository, codebook: Codebook,
                                          bundled_cases: list[Case]) -> None:
    query = ("outcome_class in (lasting-reduction, transformation) and start_year >= 2000 "
             "and not group_type has pirates")
    node = parse(query, codebook)
    page = loaded.list_cases(node, limit=100)
    expected = sorted(c.id for c in bundled_cases
                      if evaluate(node, {k: v.value for k, v in c.values.items()}))
    assert sorted(i.id for i in page.items) == expected
    assert page.total == len(expected) > 0


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES)
def test_sql_filters_agree_with_the_domain_evaluator(loaded: CaseRepository, codebook: Codebook,
                                                     bundled_cases: list[Case], query: str) -> None:
    node = parse(query, codebook)
    expected = {c.id for c in bundled_cases
                if evaluate(node, {k: v.value for k, v in c.values.items()})}
    got = {i.id for i in loaded.list_cases(node, limit=1000).items}
    assert got == expected


def test_search_is_ranked_and_highlighted(loaded: CaseRepository) -> None:
    page = loaded.list_cases(None, "motorcycle gangs", limit=10)
    assert page.total >= 2
    assert page.items[0].id in {"denmark-motorcycle-gang-truce", "norway-oslo-police-dialogue-1997"}
    assert all(MARK_START in (i.snippet or "") and MARK_END in (i.snippet or "")
               for i in page.items[:2])
    ranks = [i.rank for i in page.items if i.rank is not None]
    assert len(ranks) == len(page.items)
    assert ranks == sorted(ranks)  # best (lowest) first


def test_search_stems_and_combines_with_filters(loaded: CaseRepository, codebook: Codebook) -> None:
    page = loaded.list_cases(parse("region = caribbean", codebook), "negotiating", limit=50)
    assert page.total >= 1
    assert all(i.region == "caribbean" for i in page.items)


def test_search_text_cannot_inject_operators(loaded: CaseRepository) -> None:
    assert loaded.list_cases(None, '"prison"* riots^', limit=5).total >= 1
    # OR is Parley's operator (domain/search_syntax.py); NEAR and the quote are FTS5's, and
    # reach it only as words
    assert {i.id for i in loaded.list_cases(None, 'prison" OR NEAR(', limit=100).items} == {
        i.id for i in loaded.list_cases(None, "prison OR near", limit=100).items}


def test_facets_count_codes_and_unknown(loaded: CaseRepository, bundled_cases: list[Case],
                                        codebook: Codebook) -> None:
    page = loaded.list_cases(None, facets=["secrecy", "initiator"], limit=0)
    parents = {c.parent for c in bundled_cases if c.parent}  # listed, not counted
    assert page.parents == len(parents) and page.leaves == len(bundled_cases) - len(parents)
    bundled_cases = [c for c in bundled_cases if c.id not in parents]
    secrecy = page.facets["secrecy"]
    assert sum(secrecy.values()) == len(bundled_cases)
    for code in codebook["secrecy"].codes:
        assert secrecy[code] == sum(1 for c in bundled_cases if c.value("secrecy") == code)
    assert secrecy["unknown"] == sum(1 for c in bundled_cases if c.values["secrecy"].is_unknown)
    initiator = page.facets["initiator"]
    assert initiator["religious-leader"] == sum(
        1 for c in bundled_cases
        if "religious-leader" in _codes(c.value("initiator")))


def test_sqlite_is_wal_and_intact(sqlite_url: str, codebook: Codebook,
                                  bundled_cases: list[Case]) -> None:
    from sqlalchemy import text

    db = Database(sqlite_url)
    db.upgrade()
    CaseRepository(db, codebook).sync_bundled(bundled_cases)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.integrity_ok()
    db.dispose()


@pytest.mark.parametrize("query", [
    "not (region = latin-america)", "region != europe", "not (start_year >= 2005)",
    "start_year < 2000 or region is unknown", "not (outcome_class in (lasting-reduction))",
    "outcome_class not in (collapsed, transformation)", "not (end_year >= 2010)",
    "not (start_year is unknown) and region in (latin-america, caribbean)",
])
def test_filters_on_list_columns_agree_with_the_domain_evaluator(
        loaded: CaseRepository, codebook: Codebook, bundled_cases: list[Case],
        query: str) -> None:
    """Issue 14: region, start_year and outcome_class compare `cases` columns (migration 0016)
    instead of joining case_values; unknown must still compare false, also under `not`."""
    node = parse(query, codebook)
    expected = {c.id for c in bundled_cases
                if evaluate(node, {k: v.value for k, v in c.values.items()})}
    got = {i.id for i in loaded.list_cases(node, limit=1000).items}
    assert got == expected


def test_a_list_sees_every_change_at_once(loaded: CaseRepository, codebook: Codebook) -> None:
    """The list keeps what depends only on the case base's revision (whether anything is
    hidden, the parents, the total) per revision: each change of `cases` must show in the
    next list, for anonymous readers and for the owner alike."""
    before = loaded.list_cases(None, limit=0)
    mine = _user_case(codebook)
    owner = CaseReader(user="ana")
    loaded.import_cases([mine], visibility=Visibility.PRIVATE, owner="ana")
    assert loaded.list_cases(None, limit=0).total == before.total  # hidden from anonymous
    assert loaded.list_cases(None, limit=0, reader=owner).total == before.total + 1
    child = replace(mine, id="my-sub-case", parent=mine.id)
    loaded.import_cases([child], visibility=Visibility.PRIVATE, owner="ana")
    mine_listed = loaded.list_cases(None, limit=0, reader=owner)
    assert (mine_listed.total, mine_listed.parents) == (before.total + 2, before.parents + 1)
    with loaded.db.write() as s:
        CaseRecords(s, codebook).set_visibility(mine.id, Visibility.PUBLIC, None, "ana")
        CaseRecords(s, codebook).set_visibility(child.id, Visibility.PUBLIC, None, "ana")
    after = loaded.list_cases(None, limit=0)
    assert (after.total, after.parents) == (before.total + 2, before.parents + 1)
    with loaded.db.write() as s:
        CaseRecords(s, codebook).delete(child.id)
    assert loaded.list_cases(None, limit=0).parents == before.parents
