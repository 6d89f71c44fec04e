"""/api/assess: the assessment of a scenario, in the JSON shape of spec/interfaces.md; and
/api/assessments/saved: the signed-in author's saved assessments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel

from parley.domain.assessment import assessment_to_dict
from parley.domain.scenario import SavedScenario, parse_scenario, scenario_to_dict
from parley.web.auth import AccountUser, principal_of
from parley.web.deps import ParleyDep
from parley.web.schemas import ErrorOut

router = APIRouter(prefix="/api", tags=["assessment"], responses={
    400: {"model": ErrorOut, "description": "Bad scenario: names each key, value and the "
          "allowed codes"},
    422: {"model": ErrorOut, "description": "The body is not a JSON object"},
})


class CitationOut(BaseModel):
    source: str
    section: str
    quote: str


class FindingOut(BaseModel):
    guideline: str
    title: str
    kind: Literal["risk", "recommendation", "readiness"]
    severity: Literal["high", "medium", "low"]
    message: str
    citations: list[CitationOut]
    cases: list[str]


class OutlookOut(BaseModel):
    distribution: dict[str, float]
    basis: str
    caveat: str


class SimilarCaseOut(BaseModel):
    id: str
    similarity: float
    outcome_class: str
    shared: list[str]
    different: list[str]


class ChecklistOut(BaseModel):
    item: str
    status: Literal["done", "missing", "unknown"]
    guideline: str


class AssessmentOut(BaseModel):
    scenario: dict[str, Any]
    outlook: OutlookOut
    findings: list[FindingOut]
    similar_cases: list[SimilarCaseOut]
    checklist: list[ChecklistOut]


EXAMPLE = {"title": "Citywide truce", "group_type": ["gang"], "cohesion": "medium",
           "deterrence_credible": "no", "security_dilemma": "yes", "secrecy": "secret"}


@router.post("/assess", response_model=AssessmentOut)
def assess(
    request: Request, parley: ParleyDep,
    scenario: Annotated[dict[str, Any], Body(
        description="A scenario: codebook scenario variables (see /api/codebook, `scenario: "
        "true`) plus title and notes; omitted keys are unknown.", examples=[EXAMPLE])],
) -> dict[str, Any]:
    """Assess a scenario: findings citing the paper, checklist, similar cases and outlook
    (over the cases the caller sees: bundled and published ones, and with a token also its own
    and its workspaces')."""
    parsed = parse_scenario(scenario, parley.codebook, file="request body")
    reader = parley.curation.reader(principal_of(request))
    return assessment_to_dict(parley.assessments.assess(parsed, reader))


# -- saved assessments: the signed-in author's own (docs/security.md, "Saved assessments") ----


class SavedSummaryOut(BaseModel):
    id: str
    title: str
    created_at: str
    url: str


class SavedOut(SavedSummaryOut):
    scenario: dict[str, Any]
    assessment: AssessmentOut


def _summary(saved: SavedScenario) -> dict[str, Any]:
    return {"id": saved.id, "title": saved.scenario.title,
            "created_at": saved.created_at.isoformat(),
            "url": f"/api/assessments/saved/{saved.id}"}


@router.get("/assessments/saved", response_model=list[SavedSummaryOut])
def saved_list(parley: ParleyDep, actor: AccountUser) -> list[dict[str, Any]]:
    """Your saved assessments, newest first (never anyone else's)."""
    return [_summary(s) for s in parley.scenarios.mine(actor)]


@router.post("/assessments/saved", response_model=SavedOut, status_code=201)
def saved_create(
    parley: ParleyDep, actor: AccountUser,
    scenario: Annotated[dict[str, Any], Body(description="A scenario, as for POST /api/assess.",
                                             examples=[EXAMPLE])],
) -> dict[str, Any]:
    """Save a scenario to your account (sealed at rest); answers with its assessment."""
    parsed = parse_scenario(scenario, parley.codebook, file="request body")
    saved = parley.scenarios.save(actor, parsed)
    return {**_summary(saved), "scenario": scenario_to_dict(saved.scenario),
            "assessment": assessment_to_dict(parley.assessments.assess(
                saved.scenario, parley.curation.reader(actor)))}


@router.get("/assessments/saved/{scenario_id}", response_model=SavedOut,
            responses={404: {"model": ErrorOut}})
def saved_get(parley: ParleyDep, actor: AccountUser, scenario_id: str) -> dict[str, Any]:
    """One of your saved assessments (an admin: anyone's), recomputed; others get 404."""
    saved = parley.scenarios.get(actor, scenario_id)
    return {**_summary(saved), "scenario": scenario_to_dict(saved.scenario),
            "assessment": assessment_to_dict(parley.assessments.assess(
                saved.scenario, parley.curation.reader(actor)))}


@router.delete("/assessments/saved/{scenario_id}", status_code=204,
               responses={404: {"model": ErrorOut}})
def saved_delete(parley: ParleyDep, actor: AccountUser, scenario_id: str) -> Response:
    """Delete one of your saved assessments."""
    parley.scenarios.delete(actor, scenario_id)
    return Response(status_code=204)
