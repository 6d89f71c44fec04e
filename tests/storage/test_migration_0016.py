"""Migration 0016 (issue 14): rows stored by 0015 are rewritten with their list columns, their
distinct quotes and (SQLite) a packed document; nothing is lost, on the way down either."""

from __future__ import annotations

import json

from sqlalchemy import text

from parley.domain.access import ANONYMOUS
from parley.domain.case import Case, case_to_dict
from parley.domain.codebook import Codebook
from parley.storage.case_base import CaseBaseRevisions
from parley.storage.cases import CaseRepository, quotes_text
from parley.storage.database import Database
from tests.support import migrate

SALVADOR = "el-salvador-mara-truce-2012"


def test_0016_rewrites_rows_stored_before_it_and_back(database_url: str, codebook: Codebook,
                                                      bundled_cases: list[Case]) -> None:
    db = Database(database_url)
    migrate(db, "0015")
    repeated = {c.id: "\n".join(q.quote for q in c.citations()) for c in bundled_cases}
    insert = text("INSERT INTO cases (id, title, parent_id, summary, quotes_text, origin, "
                  "visibility, document, content_hash, version) VALUES (:id, :title, :parent, "
                  ":summary, :quotes, 'bundled', 'public', :doc, :hash, 1)")
    with db.engine.begin() as conn:  # as 0015 stored them: text, one quote per value
        for case in bundled_cases:
            conn.execute(insert, {"id": case.id, "title": case.title, "parent": case.parent,
                                  "summary": case.summary, "quotes": repeated[case.id],
                                  "hash": "0" * 64,
                                  "doc": json.dumps(case_to_dict(case), ensure_ascii=False)})
    revisions = CaseBaseRevisions(db, codebook)
    before = revisions.revision()
    migrate(db, "head")
    assert revisions.revision() == before  # the content did not change
    repo = CaseRepository(db, codebook)
    salvador = next(c for c in bundled_cases if c.id == SALVADOR)
    assert repo.get(SALVADOR).case == salvador
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT country, region, start_year, outcome_class, "
                                "quotes_text, document FROM cases WHERE id = :id"),
                           {"id": SALVADOR}).one()
    assert row[:4] == ("El Salvador", "latin-america", 2012, str(salvador.value("outcome_class")))
    assert row[4] == quotes_text(salvador) and len(row[4]) < len(repeated[SALVADOR])
    assert isinstance(row[5], bytes) == db.is_sqlite  # packed on SQLite only
    page = repo.list_cases(None, "truce", limit=100, reader=ANONYMOUS)
    assert SALVADOR in {i.id for i in page.items}
    listed = next(i for i in page.items if i.id == SALVADOR)
    assert (listed.country, listed.region, listed.start_year) == ("El Salvador",
                                                                  "latin-america", 2012)
    migrate(db, "0015", down=True)
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT quotes_text, document FROM cases WHERE id = :id"),
                           {"id": SALVADOR}).one()
    assert row[0] == repeated[SALVADOR]
    assert json.loads(row[1]) == case_to_dict(salvador)
    migrate(db, "head")
    assert repo.get(SALVADOR).case == salvador
    db.dispose()
