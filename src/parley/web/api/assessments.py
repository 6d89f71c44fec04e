"""/api/assess: the assessment of a scenario, in the JSON shape of spec/interfaces.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel

from parley.domain.assessment import assessment_to_dict
from parley.domain.scenario import parse_scenario
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
    parley: ParleyDep,
    scenario: Annotated[dict[str, Any], Body(
        description="A scenario: codebook scenario variables (see /api/codebook, `scenario: "
        "true`) plus title and notes; omitted keys are unknown.", examples=[EXAMPLE])],
) -> dict[str, Any]:
    """Assess a scenario: findings citing the paper, checklist, similar cases and outlook."""
    parsed = parse_scenario(scenario, parley.codebook, file="request body")
    return assessment_to_dict(parley.assessments.assess(parsed))
