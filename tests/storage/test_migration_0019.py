"""Migration 0019 (issue 14): the region-and-period index replaces the region index, and a
filter on both is answered from it alone; the way down puts the region index back."""

from __future__ import annotations

from sqlalchemy import inspect, text

from parley.storage.database import Database
from tests.support import migrate


def _indexes(db: Database) -> set[str]:
    return {str(i["name"]) for i in inspect(db.engine).get_indexes("cases")}


def test_0019_indexes_region_and_period_and_back(database_url: str) -> None:
    db = Database(database_url)
    migrate(db, "head")
    assert "ix_cases_region_period" in _indexes(db) and "ix_cases_region" not in _indexes(db)
    if db.is_sqlite:
        with db.engine.connect() as conn:
            plan = " ".join(str(r[3]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT pk FROM cases WHERE region = 'europe' "
                "AND start_year >= 2000 ORDER BY id")))
        assert "COVERING INDEX ix_cases_region_period" in plan
    migrate(db, "0018", down=True)
    assert "ix_cases_region" in _indexes(db) and "ix_cases_region_period" not in _indexes(db)
    migrate(db, "head")
    db.dispose()
