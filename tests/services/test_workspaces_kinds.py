"""Issue 11, item 1: the kinds' own rules, on the in-memory fakes and the real databases: one
process design with its versions kept, a commitment's status history, a breach of a retention
condition opening a revocation that only an owner decides, once."""

from __future__ import annotations

import pytest

from parley.domain.access import Classification
from parley.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from parley.domain.workspace import ItemKind
from tests.services.conftest import Backend, Team

C = Classification


def test_one_process_design_whose_earlier_versions_are_kept(backend: Backend,
                                                            team: Team) -> None:
    s, (ws, p) = backend.service, team
    design = s.create_item(p["owner"], ws, ItemKind.PROCESS_DESIGN, C.RESTRICTED, {
        "objective": "A prison truce", "secrecy": "secret",
        "design_elements": ["clear-objective", "agenda-and-rules"],
        "revisions": [{"forged": True}]})  # a client cannot write Parley's log
    assert design.fields["revisions"] == []
    with pytest.raises(Conflict, match="already has its process design"):
        s.create_item(p["negotiator"], ws, ItemKind.PROCESS_DESIGN, C.PUBLIC,
                      {"objective": "another"})
    v2 = s.update_item(p["negotiator"], ws, design.id, C.RESTRICTED, {
        "objective": "A prison truce", "secrecy": "secret-then-public",
        "disclosure_plan": "Tell the press after the first transfer",
        "design_elements": ["clear-objective"]}, design.version)
    (old,) = v2.fields["revisions"]
    assert old["version"] == design.version and old["replaced_by"] == "negotiator"
    assert old["fields"]["secrecy"] == "secret"
    assert old["fields"]["design_elements"] == ["clear-objective", "agenda-and-rules"]
    with pytest.raises(ValidationFailed, match="design_elements"):
        s.update_item(p["owner"], ws, design.id, C.RESTRICTED,
                      {"objective": "x", "design_elements": ["nonsense"]}, v2.version)


def test_a_commitment_keeps_its_status_history(backend: Backend,
                                               team: Team) -> None:
    s, (ws, p) = backend.service, team
    gang = s.create_item(p["owner"], ws, ItemKind.ACTOR, C.PUBLIC,
                         {"name": "MS-13", "type": "criminal-group", "influence": 5,
                          "spoiler_type": "internal-factions"})
    c = s.create_item(p["owner"], ws, ItemKind.COMMITMENT, C.PUBLIC, {
        "text": "No recruitment in schools", "status": "agreed", "actor": gang.id,
        "deadline": "2026-09-01", "verification": "School directors"})
    c2 = s.update_item(p["analyst"], ws, c.id, C.PUBLIC, {**{k: v for k, v in c.fields.items()
                                                            if k != "status_history"},
                                                         "status": "breached"}, c.version)
    assert [(h["status"], h["by"]) for h in c2.fields["status_history"]] == [
        ("agreed", "owner"), ("breached", "analyst")]
    assert c2.fields["status_history"][1]["was"] == "agreed"


def test_a_breach_of_a_retention_condition_opens_a_revocation_an_owner_decides_once(
        backend: Backend, team: Team) -> None:
    s, (ws, p) = backend.service, team
    condition = s.create_item(p["owner"], ws, ItemKind.LENIENCY_CONDITION, C.RESTRICTED, {
        "beneficiaries": "Demobilised members of clique X",
        "eligibility": "Hand in a weapon and register", "retention": "No new crime"})
    breach = s.create_item(p["negotiator"], ws, ItemKind.BREACH, C.RESTRICTED, {
        "date": "2026-06-01", "description": "Extortion of a bus line",
        "evidence": "Police report 12/2026", "leniency_condition": condition.id})
    opened = s.item(p["owner"], ws, condition.id)
    (entry,) = opened.fields["revocations"]
    assert entry["breach"] == breach.id and entry["decision"] is None
    assert entry["opened_by"] == "negotiator"
    with pytest.raises(Forbidden):  # a negotiator records breaches, an owner decides
        s.decide_revocation(p["negotiator"], ws, condition.id, breach.id, "revoke", "x",
                            opened.version)
    with pytest.raises(ValidationFailed) as bad:
        s.decide_revocation(p["owner"], ws, condition.id, breach.id, "maybe", " ",
                            opened.version)
    assert {x.field for x in bad.value.problems} == {"decision", "reason"}
    with pytest.raises(NotFound, match="no revocation"):
        s.decide_revocation(p["owner"], ws, condition.id, "nope", "revoke", "why",
                            opened.version)
    decided = s.decide_revocation(p["owner"], ws, condition.id, breach.id, "retain",
                                  "An isolated act, disowned by the leadership",
                                  opened.version)
    (done,) = decided.fields["revocations"]
    assert (done["decision"], done["decided_by"]) == ("retain", "owner")
    with pytest.raises(Conflict, match="decided"):
        s.decide_revocation(p["owner"], ws, condition.id, breach.id, "revoke", "changed mind",
                            decided.version)
    # an ordinary edit of the condition keeps the decision
    kept = s.update_item(p["owner"], ws, condition.id, C.RESTRICTED, {
        "beneficiaries": "Demobilised members of clique X", "eligibility": "Hand in a weapon",
        "retention": "No new crime", "revocations": []}, decided.version)
    assert kept.fields["revocations"] == decided.fields["revocations"]
    events = [e.event for e in s.audit_log(p["owner"], ws)]
    assert "revocation.decided" in events


def test_links_name_todays_kinds(backend: Backend, team: Team) -> None:
    s, (ws, p) = backend.service, team
    gang = s.create_item(p["owner"], ws, ItemKind.ACTOR, C.PUBLIC,
                         {"name": "Barrio 18", "type": "criminal-group"})
    demand = s.create_item(p["owner"], ws, ItemKind.DEMAND, C.PUBLIC, {
        "actor": gang.id, "code": "end-extradition", "text": "No extradition",
        "position": "redline"})
    s.create_item(p["owner"], ws, ItemKind.REDLINE, C.PUBLIC,
                  {"title": "No extradition deal", "demand": demand.id})
    with pytest.raises(ValidationFailed, match="not a demand"):
        s.create_item(p["owner"], ws, ItemKind.REDLINE, C.PUBLIC,
                      {"title": "x", "demand": gang.id})
    with pytest.raises(ValidationFailed, match="position"):
        s.create_item(p["owner"], ws, ItemKind.DEMAND, C.PUBLIC, {"text": "x",
                                                                 "position": "maybe"})
    s.create_item(p["owner"], ws, ItemKind.CONTINGENCY, C.SECRET, {
        "trigger": "leak", "title": "The talks leak", "response": "Publish the agreed "
        "statement; brief the families", "owner": "Ana", "status": "ready"})


def test_a_deadline_before_the_agreement_date_is_refused(backend: Backend,
                                                         team: Team) -> None:
    s, (ws, p) = backend.service, team
    s.create_item(p["owner"], ws, ItemKind.PROCESS_DESIGN, C.RESTRICTED,
                  {"objective": "Truce", "agreement_date": "2026-03-01"})
    before = len(s.items(p["owner"], ws))
    with pytest.raises(ValidationFailed) as bad:
        s.create_item(p["analyst"], ws, ItemKind.COMMITMENT, C.PUBLIC, {
            "text": "Hand over weapons", "status": "agreed", "deadline": "2026-02-01"})
    assert [(x.field, x.message) for x in bad.value.problems] == [(
        "deadline", "2026-02-01 is before the workspace's agreement date (2026-03-01, in the "
        "process design); allowed: that date or later")]
    assert len(s.items(p["owner"], ws)) == before
    s.create_item(p["analyst"], ws, ItemKind.COMMITMENT, C.PUBLIC, {
        "text": "Hand over weapons", "status": "agreed", "deadline": "2026-03-01"})
