"""Saved assessments shared with a workspace, on SQLite and PostgreSQL through the real service:
members read them by role and clearance, others get 404; rename, re-run and delete are checked
and audited; a row moved to another workspace fails to open; deleting the workspace gives the
assessments back to their authors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from parley.bootstrap import Parley
from parley.domain.access import Role
from parley.domain.account import Principal
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, Forbidden, NotFound
from parley.domain.scenario import parse_scenario
from parley.storage.scenarios import SavedScenarioRow
from tests.support import build, user


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    yield a
    a.close()


def _events(app: Parley, workspace: str | None = None) -> list[str]:
    with app.vault.read() as tx:
        return [e.event for e in tx.audit.audit_entries(workspace)]


def test_members_read_by_clearance_and_others_get_404(app: Parley, codebook: Codebook) -> None:
    ana, bob, eve = user(app, "ana"), user(app, "bob"), user(app, "eve")
    obs = user(app, "obs")
    ws = app.workspaces.create(ana, "Talks")
    app.workspaces.set_member(ana, ws.id, "bob", Role.ANALYST)
    app.workspaces.set_member(ana, ws.id, "obs", Role.OBSERVER)
    restricted = app.scenarios.save(ana, parse_scenario(
        {"title": "Church channel", "secrecy": "secret"}, codebook), ws.id)
    public = app.scenarios.save(ana, parse_scenario({"title": "Open dialogue"}, codebook), ws.id)
    assert restricted.workspace == ws.id
    assert app.scenarios.get(bob, restricted.id).scenario.title == "Church channel"
    with pytest.raises(NotFound):  # above an observer's clearance: not told it exists
        app.scenarios.get(obs, restricted.id)
    assert app.scenarios.get(obs, public.id).scenario.title == "Open dialogue"
    with pytest.raises(NotFound):  # not a member
        app.scenarios.get(eve, restricted.id)
    assert [s.id for s in app.scenarios.in_workspace(bob, ws.id)] == [public.id, restricted.id]
    assert [s.id for s in app.scenarios.in_workspace(obs, ws.id)] == [public.id]
    with pytest.raises(NotFound):
        app.scenarios.in_workspace(eve, ws.id)
    with pytest.raises(NotFound):  # eve cannot put assessments into a workspace she is not in
        app.scenarios.save(eve, parse_scenario({}, codebook), ws.id)
    with pytest.raises(Forbidden):  # an observer may not add items
        app.scenarios.save(obs, parse_scenario({}, codebook), ws.id)
    events = _events(app, ws.id)
    assert events.count("assessment.saved") == 2 and "assessments.listed" in events
    assert events.count("assessment.read") == 2


def test_rename_rerun_delete_are_checked_and_audited(app: Parley, codebook: Codebook) -> None:
    ana, bob = user(app, "ana"), user(app, "bob")
    obs = user(app, "obs")
    ws = app.workspaces.create(ana, "Talks")
    app.workspaces.set_member(ana, ws.id, "bob", Role.ANALYST)
    app.workspaces.set_member(ana, ws.id, "obs", Role.OBSERVER)
    saved = app.scenarios.save(ana, parse_scenario({"title": "Old", "cohesion": "low"},
                                                   codebook), ws.id)
    renamed = app.scenarios.rename(bob, saved.id, "  New   name ")
    assert renamed.scenario.title == "New name" and renamed.scenario.value("cohesion") == "low"
    with pytest.raises(Forbidden):
        app.scenarios.rename(obs, saved.id, "Mine now")
    with pytest.raises(Exception, match="title must be text"):
        app.scenarios.rename(ana, saved.id, "")
    assert app.scenarios.rerun(obs, saved.id, 28).id == saved.id
    with pytest.raises(Forbidden):  # an analyst may not delete items
        app.scenarios.delete(bob, saved.id)
    app.scenarios.delete(ana, saved.id)
    with pytest.raises(NotFound):
        app.scenarios.get(ana, saved.id)
    events = _events(app, ws.id)
    for event in ("assessment.renamed", "assessment.reassessed", "assessment.deleted"):
        assert event in events


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


def test_deleting_the_workspace_gives_assessments_back(app: Parley, codebook: Codebook) -> None:
    ana, bob = user(app, "ana"), user(app, "bob")
    ws = app.workspaces.create(ana, "Talks")
    app.workspaces.set_member(ana, ws.id, "bob", Role.NEGOTIATOR)
    saved = app.scenarios.save(bob, parse_scenario({"title": "Bob's"}, codebook), ws.id)
    view = app.workspaces.get(ana, ws.id)
    app.workspaces.delete(ana, ws.id, view.workspace.version)
    back = app.scenarios.get(Principal("bob"), saved.id)
    assert back.workspace is None and back.scenario.title == "Bob's"
    with pytest.raises(NotFound):
        app.scenarios.get(ana, saved.id)
