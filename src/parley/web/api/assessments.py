"""/api/assess: the assessment of a scenario, in the JSON shape of docs/interfaces.md; and
/api/assessments/saved: the signed-in author's saved assessments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from parley.bootstrap import Parley
from parley.domain.account import Principal
from parley.domain.assessment import assessment_to_dict
from parley.domain.scenario import SavedScenario, parse_scenario, scenario_to_dict
from parley.locale import current_language
from parley.services.texts import translate_assessment
from parley.web.auth import AccountUser, principal_of
from parley.web.briefs import MEDIA, BriefFormat, Paper, brief_response, negotiated
from parley.web.deps import get_parley
from parley.web.schemas import ErrorOut

FORMAT_HELP = ("json (default), md, html, pdf or docx; without it, the Accept header chooses "
               "(application/json, text/markdown, text/html, application/pdf, or the DOCX type)")
DOCUMENTS = {200: {"content": {MEDIA[f].split(";")[0]: {} for f in BriefFormat
                               if f is not BriefFormat.json},
                   "description": "The assessment (JSON) or the brief in the format asked for"}}

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
    id: str
    guideline: str
    title: str
    kind: Literal["risk", "recommendation", "readiness"]
    severity: Literal["high", "medium", "low"]
    message: str
    citations: list[CitationOut]
    cases: list[str]
    phase: Literal["preparation", "design", "conduct", "agreement", "implementation"]
    topic: str
    trigger: Literal["facts", "always", "unknown"]
    strength: int
    unknowns: list[str]


class ReasonOut(BaseModel):
    signal: str
    status: Literal["holds", "fails", "unknown"]
    text: str
    citations: list[CitationOut]


class FindOutOut(BaseModel):
    variable: str
    findings: list[str]


class SummaryOut(BaseModel):
    verdict: Literal["talk-now", "prepare-first", "wait"]
    verdict_label: str
    verdict_meaning: str
    verdict_reasons: list[str]
    verdict_basis: list[ReasonOut]
    verdict_citations: list[CitationOut]
    risks: list[str]
    actions: list[str]
    similar: list[str]
    outlook_sentence: str
    find_out_first: list[FindOutOut]


class WarningOut(BaseModel):
    id: str
    message: str
    variables: list[str]


class MoveOut(BaseModel):
    kind: Literal["base-rates", "case", "condition", "confidence-limit"]
    id: str
    label: str
    detail: str
    moves: dict[str, float]


class ScoresOut(BaseModel):
    brier: float
    rps: float


class MeasuredOut(BaseModel):
    method: str
    n_cases: int
    n_countries: int
    leave_one_out: ScoresOut
    leave_one_country_out: ScoresOut
    uniform: ScoresOut


class OutlookOut(BaseModel):
    distribution: dict[str, float]
    basis: str
    caveat: str
    abstained: Literal["too-little-known", "no-comparable-case"] | None
    explanation: list[MoveOut]
    measured: MeasuredOut | None


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
    summary: SummaryOut | None = None
    warnings: list[WarningOut]


EXAMPLE = {"title": "Citywide truce", "group_type": ["gang"], "cohesion": "medium",
           "deterrence_credible": "no", "security_dilemma": "yes", "secrecy": "secret"}


FormatQuery = Annotated[BriefFormat | None, Query(alias="format", description=FORMAT_HELP)]
PaperQuery = Annotated[Paper, Query(description="Page size of pdf and docx")]


@router.post("/assess", response_model=AssessmentOut, responses=DOCUMENTS)  # type: ignore[arg-type]
def assess(
    request: Request,
    scenario: Annotated[dict[str, Any], Body(
        description="A scenario: codebook scenario variables (see /api/codebook, `scenario: "
        "true`) plus title, notes and classification; omitted keys are unknown.",
        examples=[EXAMPLE])],
    fmt: FormatQuery = None,
    paper: PaperQuery = Paper.A4,
) -> Any:
    """Assess a scenario: summary (verdict, top risks and actions), findings citing the paper,
    checklist, similar cases and outlook; or the brief as md, html, pdf or docx. Over the cases
    the caller sees: bundled and published ones, and with a token also its own and its
    workspaces'."""
    parley = get_parley(request)
    parsed = parse_scenario(scenario, parley.codebook, file="request body")
    reader = parley.curation.reader(principal_of(request))
    assessment = parley.assessments.assess(parsed, reader)
    chosen = negotiated(request, fmt)
    if chosen is BriefFormat.json:  # keys stay English; titles follow the language
        return assessment_to_dict(translate_assessment(assessment, current_language()))
    return brief_response(parley, assessment, chosen, paper)


# -- saved assessments: the signed-in author's own (docs/security.md, "Saved assessments") ----


class SavedSummaryOut(BaseModel):
    id: str
    title: str
    classification: Literal["public", "restricted", "secret"]
    workspace: str | None
    author: str
    created_at: str
    url: str


class SavedOut(SavedSummaryOut):
    scenario: dict[str, Any]
    assessment: AssessmentOut


class RenameIn(BaseModel):
    title: str


def _summary(saved: SavedScenario) -> dict[str, Any]:
    return {"id": saved.id, "title": saved.scenario.title,
            "classification": saved.scenario.classification.value,
            "workspace": saved.workspace, "author": saved.author,
            "created_at": saved.created_at.isoformat(),
            "url": f"/api/assessments/saved/{saved.id}"}


def _full(parley: Parley, saved: SavedScenario, actor: Principal) -> dict[str, Any]:
    """The saved assessment recomputed over the cases `actor` may see."""
    assessment = parley.assessments.assess(saved.scenario, parley.curation.reader(actor))
    return {**_summary(saved), "scenario": scenario_to_dict(saved.scenario),
            "assessment": assessment_to_dict(assessment)}


@router.get("/assessments/saved", response_model=list[SavedSummaryOut],
            responses={404: {"model": ErrorOut}})
def saved_list(request: Request, actor: AccountUser,
               workspace: Annotated[str | None, Query(
                   description="List those shared with this workspace (members only)")] = None
               ) -> list[dict[str, Any]]:
    """Your saved assessments, newest first; or those shared with a workspace you are a member
    of (only the classifications your role may read)."""
    parley = get_parley(request)
    if workspace:
        return [_summary(s) for s in parley.scenarios.in_workspace(actor, workspace)]
    return [_summary(s) for s in parley.scenarios.mine(actor)]


@router.post("/assessments/saved", response_model=SavedOut, status_code=201,
             responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}})
def saved_create(
    request: Request, actor: AccountUser,
    scenario: Annotated[dict[str, Any], Body(description="A scenario, as for POST /api/assess.",
                                             examples=[EXAMPLE])],
    workspace: Annotated[str | None, Query(
        description="Share it with this workspace (you must be allowed to add items of the "
        "scenario's classification there)")] = None,
) -> dict[str, Any]:
    """Save a scenario to your account (sealed at rest); answers with its assessment."""
    parley = get_parley(request)
    parsed = parse_scenario(scenario, parley.codebook, file="request body")
    return _full(parley, parley.scenarios.save(actor, parsed, workspace or None), actor)


@router.get("/assessments/saved/{scenario_id}", response_model=SavedOut,
            responses={404: {"model": ErrorOut}, **DOCUMENTS})  # type: ignore[dict-item]
def saved_get(request: Request, actor: AccountUser, scenario_id: str,
              fmt: FormatQuery = None, paper: PaperQuery = Paper.A4) -> Any:
    """A saved assessment you may read, recomputed on the current case base (as JSON, or its
    brief as md, html, pdf or docx); others get 404."""
    parley = get_parley(request)
    saved = parley.scenarios.get(actor, scenario_id)
    chosen = negotiated(request, fmt)
    if chosen is BriefFormat.json:
        return _full(parley, saved, actor)
    return brief_response(parley, parley.assessments.assess(
        saved.scenario, parley.curation.reader(actor)), chosen, paper)


@router.patch("/assessments/saved/{scenario_id}", response_model=SavedOut,
              responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}})
def saved_rename(request: Request, actor: AccountUser, scenario_id: str, body: RenameIn
                 ) -> dict[str, Any]:
    """Rename a saved assessment (its author, or a workspace member allowed to edit it)."""
    parley = get_parley(request)
    return _full(parley, parley.scenarios.rename(actor, scenario_id, body.title), actor)


@router.post("/assessments/saved/{scenario_id}/rerun", response_model=SavedOut,
             responses={404: {"model": ErrorOut}})
def saved_rerun(request: Request, actor: AccountUser, scenario_id: str) -> dict[str, Any]:
    """Assess a saved scenario again against the case base as it is now (audited)."""
    parley = get_parley(request)
    saved = parley.scenarios.rerun(actor, scenario_id, parley.cases.count())
    return _full(parley, saved, actor)


@router.delete("/assessments/saved/{scenario_id}", status_code=204,
               responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}})
def saved_delete(request: Request, actor: AccountUser, scenario_id: str) -> Response:
    """Delete a saved assessment (its author, or a workspace member allowed to delete it)."""
    parley = get_parley(request)
    parley.scenarios.delete(actor, scenario_id)
    return Response(status_code=204)
