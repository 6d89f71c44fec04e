"""Saved assessments shared with a workspace, on SQLite and PostgreSQL: a sealed row moved to
another workspace fails to open (never NotFound, never readable there). The service's rules
run on the fakes and both databases: tests/services/test_saved_scenarios.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from parley.bootstrap import Parley
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.domain.scenario import parse_scenario
from parley.storage.scenarios import SavedScenarioRow
from tests.support import build, user


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def test_a_row_moved_to_another_workspace_fails_to_open(app: Parley,
                                                        codebook: Codebook) -> None:
    ana, mallory = user(app, "ana"), user(app, "mallory")
    mine = app.workspaces.create(ana, "Ana's")
    theirs = app.workspaces.create(mallory, "Mallory's")
    saved = app.scenarios.save(ana, parse_scenario({"title": "Secret"}, codebook), mine.id)
    target = _pk(app, theirs.id)
    with app.db.write() as s:  # someone with write access to the database, not the key
        s.execute(update(SavedScenarioRow).where(SavedScenarioRow.id == saved.id)
                  .values(workspace_pk=target))
    with pytest.raises(ConfigurationError, match="tampered ciphertext"):  # not NotFound
        app.scenarios.get(mallory, saved.id)


def _pk(app: Parley, workspace_id: str) -> int:
    from sqlalchemy import select

    from parley.storage.workspace_tables import WorkspaceRow

    with app.db.read() as s:
        value = s.scalar(select(WorkspaceRow.pk).where(WorkspaceRow.id == workspace_id))
    assert value is not None
    return value
