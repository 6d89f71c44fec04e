"""Migration 0013 (indicator series) goes up on a database with workspaces, down to 0012 (the
table gone, workspaces intact) and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from parley.domain.access import Classification
from parley.domain.monitoring import MonitorSettings
from parley.interchange.indicator_csv import parse_indicator_text
from parley.storage.migration_head import head_revision
from tests.support import build, migrate, user


def test_0013_up_down_up(database_url: str, tmp_path: Path) -> None:
    app = build(database_url, tmp_path)
    assert app.db.current_revision() == head_revision()
    ana = user(app, "ana")
    ws = app.workspaces.create(ana, "Talks").id
    table = parse_indicator_text("date,locality,indicator,value\n2020-01,A,x,1\n", "t.csv")
    app.monitoring.import_table(ana, ws, table, Classification.RESTRICTED, MonitorSettings())
    migrate(app.db, "0012", down=True)
    assert "indicator_series" not in inspect(app.db.engine).get_table_names()
    assert app.workspaces.get(ana, ws).workspace.name == "Talks"
    migrate(app.db, "head")
    assert app.db.current_revision() == head_revision()
    assert app.monitoring.list_series(ana, ws) == ([], [])
    app.monitoring.import_table(ana, ws, table, Classification.RESTRICTED, MonitorSettings())
    assert len(app.monitoring.list_series(ana, ws)[0]) == 1
    app.close()
