"""Migration 0018 (issue 14): the value rows stored by 0017 (names and codes as text) become
numbers with the same answers, and come back as they were on the way down."""

from __future__ import annotations

import json

from sqlalchemy import text

from parley.domain.case import Case, case_to_dict
from parley.domain.codebook import Codebook
from parley.domain.query import evaluate, parse
from parley.storage.case_values import value_rows
from parley.storage.cases import CaseRepository, content_hash, listed_values, quotes_text
from parley.storage.database import Database
from tests.support import migrate

QUERIES = ("region = latin-america and start_year >= 2000",
           "group_type has pirates or not outcome_class in (lasting-reduction)",
           'country = "el salvador"', "violence_level is unknown", "start_year < 1995")
FACETS = ("region", "start_year", "group_type", "outcome_class")


def _old_rows(db: Database) -> list[tuple[int, str, str | None, int | None]]:
    with db.engine.connect() as conn:
        return sorted((int(p), str(v), c, None if n is None else int(n)) for p, v, c, n in
                      conn.execute(text("SELECT case_pk, variable, code, num FROM case_values")))


def test_0018_numbers_the_values_stored_before_it_and_back(
        database_url: str, codebook: Codebook, bundled_cases: list[Case]) -> None:
    db = Database(database_url)
    migrate(db, "0017")
    insert_case = text(
        "INSERT INTO cases (id, title, parent_id, summary, quotes_text, origin, visibility, "
        "document, content_hash, version, region, start_year, outcome_class, country) VALUES "
        "(:id, :title, :parent, :summary, :quotes, 'bundled', 'public', :doc, :hash, 1, "
        ":region, :year, :outcome, :country) RETURNING pk")
    insert_value = text("INSERT INTO case_values (case_pk, variable, code, num) "
                        "VALUES (:pk, :variable, :code, :num)")
    with db.engine.begin() as conn:  # as 0017 stored them (the document as text is read too)
        for case in bundled_cases:
            listed = listed_values(case)
            pk = conn.execute(insert_case, {
                "id": case.id, "title": case.title, "parent": case.parent,
                "summary": case.summary, "quotes": quotes_text(case),
                "doc": json.dumps(case_to_dict(case), ensure_ascii=False),
                "hash": content_hash(case), "region": listed["region"],
                "year": listed["start_year"], "outcome": listed["outcome_class"],
                "country": listed["country"]}).scalar_one()
            rows = [{"pk": pk, "variable": v, "code": c, "num": n}
                    for v, c, n in value_rows(case, codebook)]
            conn.execute(insert_value, rows)
        first = rows[0]
        conn.execute(insert_value, first)  # a value twice, as 0017 could store a folded list
    before = _old_rows(db)
    migrate(db, "head")

    repo = CaseRepository(db, codebook)
    for query in QUERIES:
        node = parse(query, codebook)
        expected = {c.id for c in bundled_cases
                    if evaluate(node, {k: v.value for k, v in c.values.items()})}
        page = repo.list_cases(node, limit=100, facets=FACETS)
        assert {i.id for i in page.items} == expected, query
    facets = repo.list_cases(None, limit=0, facets=FACETS).facets
    leaves = [c for c in bundled_cases if not any(o.parent == c.id for o in bundled_cases)]
    assert facets["region"]["latin-america"] == sum(
        c.values["region"].value == "latin-america" for c in leaves)
    assert facets["start_year"]["2012"] == sum(
        c.values["start_year"].value == 2012 for c in leaves)
    report = repo.sync_bundled(bundled_cases)  # the numbered rows read as the files give them
    assert report.unchanged == len(bundled_cases) and not report.restored

    migrate(db, "0017", down=True)
    assert _old_rows(db) == sorted(set(before))  # the same rows, the one given twice once
    migrate(db, "head")
    assert repo.sync_bundled(bundled_cases).unchanged == len(bundled_cases)
    db.dispose()
