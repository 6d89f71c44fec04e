"""Migration 0011 (curated case base) upgrades a database that holds users and cases, among
them a bundled case the issue's request had replaced (origin `user`), on SQLite and
PostgreSQL; downgrading and upgrading again works too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from parley.domain.access import ANONYMOUS, Visibility
from parley.domain.account import SYSTEM
from parley.domain.case import Case, case_to_dict
from parley.storage.database import Database
from parley.storage.migration_head import head_revision
from tests.support import PASSWORD, build, migrate

TAKEN = "jamaica-august-town-truce-2008"


def test_0011_keeps_cases_public_and_users_plain(database_url: str, tmp_path: Path,
                                                  bundled_cases: list[Case]) -> None:
    db = Database(database_url)
    migrate(db, "0010")
    insert = text("INSERT INTO cases (id, title, parent_id, summary, quotes_text, origin, "
                  "document, content_hash, version) VALUES (:id, :title, NULL, :summary, '', "
                  ":origin, :doc, :hash, 1)")
    with db.engine.begin() as conn:
        stored = [*bundled_cases[:2], next(c for c in bundled_cases if c.id == TAKEN)]
        for case in stored:
            origin = "user" if case.id == TAKEN else "bundled"
            conn.execute(insert, {"id": case.id, "title": case.title, "summary": case.summary,
                                  "origin": origin, "hash": "0" * 64,
                                  "doc": json.dumps(case_to_dict(case))})
        conn.execute(insert, {"id": "old-user-case", "title": "Quokka", "summary": "s",
                              "origin": "user", "hash": "0" * 64,
                              "doc": json.dumps(case_to_dict(bundled_cases[3]) | {
                                  "id": "old-user-case"})})
        conn.execute(text("INSERT INTO users (name, password_hash, is_admin, failed_logins, "
                          "created_at) VALUES ('ana', 'h', false, 0, :now)"),
                     {"now": datetime.now(UTC)})
    db.dispose()
    app = build(database_url, tmp_path)  # to head
    assert app.db.current_revision() == head_revision()
    old = app.cases.get("old-user-case")  # readable by everyone, as before the upgrade
    assert (old.visibility, old.owner, old.origin) == (Visibility.PUBLIC, None, "user")
    assert app.cases.list_cases(search="quokka").total == 1  # full-text index intact
    assert not app.accounts.user("ana").is_curator
    report = app.upgrade()  # `parley db upgrade`: the bundled id holds its file again
    assert TAKEN in report.restored
    assert app.cases.get(TAKEN).origin == "bundled"
    app.accounts.set_password(SYSTEM, "ana", PASSWORD)
    app.accounts.set_curator(SYSTEM, "ana", True)
    assert app.accounts.user("ana").is_curator
    migrate(app.db, "0009", down=True)
    migrate(app.db, "head")
    assert app.cases.seen_by(ANONYMOUS).count() == len(bundled_cases) + 1
    app.close()
