"""Issue 11, item 2: the living assessment, on the in-memory fakes and the real databases."""

from __future__ import annotations

from functools import cache

import pytest

from parley.domain.access import Classification
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.guideline import Guideline
from parley.domain.workspace import ItemKind
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import load_codebook
from parley.services.living_assessments import LivingAssessments
from tests.services.conftest import Backend, Team

C = Classification


@cache
def _knowledge() -> tuple[Codebook, list[Guideline]]:
    codebook = load_codebook()
    return codebook, load_guidelines(codebook)


def living(backend: Backend) -> LivingAssessments:
    codebook, guidelines = _knowledge()
    return LivingAssessments(backend.service, codebook, guidelines)


def test_the_items_tell_the_situation_and_findings_follow(backend: Backend,
                                                          team: Team) -> None:
    s, (ws, p) = backend.service, team
    la = living(backend)
    before = {f.finding.guideline for f in la.assess(p["owner"], ws).findings}
    demand = s.create_item(p["owner"], ws, ItemKind.DEMAND, C.RESTRICTED, {
        "code": "end-extradition", "text": "No extradition", "position": "redline"})
    s.create_item(p["owner"], ws, ItemKind.ACTOR, C.SECRET, {
        "name": "Splinter", "type": "faction", "spoiler_type": "internal-factions"})
    owner_view = la.assess(p["owner"], ws)
    told = {v.variable: v for v in owner_view.profile.values}
    assert told["group_demands"].value == ("end-extradition",)
    assert told["group_demands"].items == (demand.id,)
    assert told["spoilers"].value == ("internal-factions",)
    found = {f.finding.guideline for f in owner_view.findings}
    assert "redlines-on-legal-demands" in found - before
    # an analyst (restricted clearance) sees the demand but not the secret spoiler
    analyst_view = la.assess(p["analyst"], ws)
    assert "spoilers" not in {v.variable for v in analyst_view.profile.values}
    assert all(f.status == "open" for f in analyst_view.findings)
    assert set(analyst_view.checklist) == {"preparation", "design", "conduct", "agreement",
                                           "implementation"}


def test_responses_and_history(backend: Backend, team: Team) -> None:
    s, (ws, p) = backend.service, team
    la = living(backend)
    with pytest.raises(ValidationFailed) as bad:
        la.set_situation(p["owner"], ws, {"cohesion": "sky-high", "colour": "red"})
    assert {x.field for x in bad.value.problems} == {"cohesion", "colour"}
    situation = la.set_situation(p["owner"], ws, {"cohesion": "low"})
    first = la.assess(p["owner"], ws)
    assert first.history and first.history[-1]["open"]
    target = first.findings[0].finding.guideline
    plan = s.create_item(p["negotiator"], ws, ItemKind.CONTINGENCY, C.RESTRICTED, {
        "trigger": "leak", "title": "Leak", "response": "Statement ready"})
    with pytest.raises(ValidationFailed, match="addresses it"):
        la.respond(p["negotiator"], ws, target, "addressed")
    la.respond(p["negotiator"], ws, target, "addressed", addressed_by=plan.id)
    second = la.assess(p["owner"], ws)
    state = next(f for f in second.findings if f.finding.guideline == target)
    assert (state.status, state.addressed_by, state.by) == ("addressed", "Leak", "negotiator")
    assert target in second.history[-1]["addressed"] and len(second.history) == 2
    la.respond(p["owner"], ws, target, "accepted", reason="We accept the exposure")
    third = la.assess(p["owner"], ws)
    assert next(f for f in third.findings if f.finding.guideline == target).status == "accepted"
    assert len(third.history) == 3
    assert len(la.assess(p["owner"], ws).history) == 3  # nothing moved: nothing appended
    # an observer reads it and appends nothing (may not edit the situation)
    la.assess(p["observer"], ws)
    assert len(la.assess(p["owner"], ws).history) == 3
    with pytest.raises(ValidationFailed, match="version"):
        la.set_situation(p["owner"], ws, {"cohesion": "high"})
    current = s.item(p["owner"], ws, situation.id)
    la.set_situation(p["owner"], ws, {"cohesion": "high"}, version=current.version)
