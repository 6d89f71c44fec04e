"""Saved assessments through their service (services/saved_scenarios.py), on the in-memory
fakes, SQLite and PostgreSQL: each belongs to its author; shared with a workspace, members read
them by role and clearance and others get 404; rename, re-run and delete are checked and
audited; deleting the workspace gives them back to their authors. (That a sealed row moved to
another workspace or author fails to open is the SQL store's own:
tests/storage/test_scenarios_workspaces.py.)"""

from __future__ import annotations

import pytest

from parley.domain.access import Role, Scope
from parley.domain.account import SYSTEM, Principal
from parley.domain.codebook import Codebook
from parley.domain.errors import Forbidden, InvalidInput, NotFound, ValidationFailed
from parley.domain.scenario import parse_scenario
from parley.services.saved_scenarios import SavedScenarios
from tests.services.conftest import Backend, Store


@pytest.fixture
def scenarios(store: Store, codebook: Codebook) -> SavedScenarios:
    return SavedScenarios(store.vault, codebook)


def _events(store: Store, workspace: str | None = None) -> list[str]:
    with store.vault.read() as tx:
        return [e.event for e in tx.audit.audit_entries(workspace)]


def test_saved_scenarios_belong_to_their_author(scenarios: SavedScenarios, store: Store,
                                                codebook: Codebook) -> None:
    ana, bob = store.add_user("ana"), store.add_user("bob")
    admin = Principal("root", is_admin=True)
    scenario = parse_scenario({"title": "T", "secrecy": "secret"}, codebook)
    saved = scenarios.save(ana, scenario)
    assert scenarios.get(ana, saved.id).scenario == scenario
    assert scenarios.get(admin, saved.id).author == "ana"
    with pytest.raises(NotFound):
        scenarios.get(bob, saved.id)
    with pytest.raises(NotFound):
        scenarios.delete(bob, saved.id)
    with pytest.raises(InvalidInput, match="sign in"):
        scenarios.save(SYSTEM, scenario)
    with pytest.raises(Forbidden):
        scenarios.save(Principal("ana", scope=Scope.READ), scenario)
    assert [s.id for s in scenarios.mine(ana)] == [saved.id] and scenarios.mine(bob) == []
    assert scenarios.mine(SYSTEM) == []
    scenarios.delete(ana, saved.id)
    assert scenarios.mine(ana) == []
    assert [e for e in _events(store) if e.startswith("assessment")] == [
        "assessment.saved", "assessment.read", "assessment.read", "assessment.deleted"]


def test_members_read_by_clearance_and_others_get_404(scenarios: SavedScenarios,
                                                      backend: Backend, store: Store,
                                                      codebook: Codebook) -> None:
    ana, eve, _, _ = (backend.add_user(n) for n in ("ana", "eve", "bob", "obs"))
    bob, obs = Principal("bob"), Principal("obs")
    ws = backend.service.create(ana, "Talks")
    backend.service.set_member(ana, ws.id, "bob", Role.ANALYST)
    backend.service.set_member(ana, ws.id, "obs", Role.OBSERVER)
    restricted = scenarios.save(ana, parse_scenario(
        {"title": "Church channel", "secrecy": "secret", "classification": "restricted"},
        codebook), ws.id)
    public = scenarios.save(ana, parse_scenario({"title": "Open dialogue"}, codebook), ws.id)
    assert restricted.workspace == ws.id
    assert scenarios.get(bob, restricted.id).scenario.title == "Church channel"
    with pytest.raises(NotFound):  # above an observer's clearance: not told it exists
        scenarios.get(obs, restricted.id)
    assert scenarios.get(obs, public.id).scenario.title == "Open dialogue"
    with pytest.raises(NotFound):  # not a member
        scenarios.get(eve, restricted.id)
    assert [s.id for s in scenarios.in_workspace(bob, ws.id)] == [public.id, restricted.id]
    assert [s.id for s in scenarios.in_workspace(obs, ws.id)] == [public.id]
    with pytest.raises(NotFound):
        scenarios.in_workspace(eve, ws.id)
    with pytest.raises(NotFound):  # eve cannot put assessments into a workspace she is not in
        scenarios.save(eve, parse_scenario({}, codebook), ws.id)
    with pytest.raises(Forbidden):  # an observer may not add items
        scenarios.save(obs, parse_scenario({}, codebook), ws.id)
    events = _events(store, ws.id)
    assert events.count("assessment.saved") == 2 and "assessments.listed" in events
    assert events.count("assessment.read") == 2


def test_rename_rerun_delete_are_checked_and_audited(scenarios: SavedScenarios,
                                                     backend: Backend, store: Store,
                                                     codebook: Codebook) -> None:
    ana, bob, obs = (backend.add_user(n) for n in ("ana", "bob", "obs"))
    ws = backend.service.create(ana, "Talks")
    backend.service.set_member(ana, ws.id, "bob", Role.ANALYST)
    backend.service.set_member(ana, ws.id, "obs", Role.OBSERVER)
    saved = scenarios.save(ana, parse_scenario({"title": "Old", "cohesion": "low"}, codebook),
                           ws.id)
    renamed = scenarios.rename(bob, saved.id, "  New   name ")
    assert renamed.scenario.title == "New name" and renamed.scenario.value("cohesion") == "low"
    assert scenarios.get(ana, saved.id).scenario.title == "New name"
    with pytest.raises(Forbidden):
        scenarios.rename(obs, saved.id, "Mine now")
    with pytest.raises(ValidationFailed, match="title must be text"):
        scenarios.rename(ana, saved.id, "")
    assert scenarios.rerun(obs, saved.id, 28).id == saved.id
    with pytest.raises(Forbidden):  # an analyst may not delete items
        scenarios.delete(bob, saved.id)
    scenarios.delete(ana, saved.id)
    with pytest.raises(NotFound):
        scenarios.get(ana, saved.id)
    events = _events(store, ws.id)
    for event in ("assessment.renamed", "assessment.reassessed", "assessment.deleted"):
        assert event in events


def test_deleting_the_workspace_gives_assessments_back(scenarios: SavedScenarios,
                                                       backend: Backend,
                                                       codebook: Codebook) -> None:
    ana, bob = backend.add_user("ana"), backend.add_user("bob")
    ws = backend.service.create(ana, "Talks")
    backend.service.set_member(ana, ws.id, "bob", Role.NEGOTIATOR)
    saved = scenarios.save(bob, parse_scenario({"title": "Bob's"}, codebook), ws.id)
    view = backend.service.get(ana, ws.id)
    backend.service.delete(ana, ws.id, view.workspace.version)
    back = scenarios.get(bob, saved.id)
    assert back.workspace is None and back.scenario.title == "Bob's"
    with pytest.raises(NotFound):
        scenarios.get(ana, saved.id)
