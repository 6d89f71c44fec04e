"""The living assessment page of a workspace: the situation, each finding with its status and a
form to mark it, the checklist by phase, and the history (see services/living_assessments.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley import locale
from parley.domain.access import Action, Classification, is_allowed
from parley.domain.account import Principal
from parley.domain.errors import Conflict, Forbidden, InvalidInput, Problem, ValidationFailed
from parley.domain.workspace import ItemKind, parse_classification
from parley.services import texts
from parley.services.living_assessments import codes_of
from parley.web.auth import ItemCreator, ItemReader, csrf_check
from parley.web.deps import get_parley
from parley.web.errors import status_of
from parley.web.pages.forms import problem_lines, render_form

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])


def parse_values(text: str) -> dict[str, Any]:
    """`variable: code` per line; a list's codes separated by commas. Bad lines are named."""
    values: dict[str, Any] = {}
    problems = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, raw = line.partition(":")
        if not sep or not name.strip():
            problems.append(Problem(f"line {n}: expected `variable: code`", field="values"))
            continue
        values[name.strip()] = codes_of(raw)
    if problems:
        raise ValidationFailed(problems)
    return values


def _page(request: Request, actor: Principal, workspace_id: str, *,
          errors: list[str] | None = None, values_text: str | None = None,
          typed: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    """The page; `values_text` and `typed` (a refused mark of one finding) keep what the user
    entered."""
    parley = get_parley(request)
    found = parley.living_assessments.assess(actor, workspace_id)
    language = locale.current_language()
    found = replace(found, findings=tuple(
        replace(s, finding=texts.translate_finding(s.finding, language))
        for s in found.findings), checklist={
        phase: tuple(texts.translate_checklist_entry(e, language) for e in entries)
        for phase, entries in found.checklist.items()})
    role = found.role
    hand = dict(found.situation.fields.get("values") or {}) if found.situation else {}
    text = values_text if values_text is not None else "\n".join(
        f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in sorted(hand.items()))
    items = parley.workspaces.items(actor, workspace_id)
    return render_form(request, "workspaces/assessment.html", {
        "a": found, "errors": errors or [], "values_text": text, "typed": typed or {},
        "example": "cohesion: low\ngovernment_role: sanctioned",  # codes: not translated
        "can_edit": is_allowed(role, Action.ITEM_CREATE, Classification.PUBLIC, actor.scope),
        "classifications": [c for c in Classification
                            if is_allowed(role, Action.ITEM_CREATE, c, actor.scope)],
        "addressers": {i.id: i.title for i in items
                       if i.kind not in (ItemKind.SITUATION, ItemKind.RISK_RESPONSE)},
    }, status)


@router.get("/workspaces/{workspace_id}/assessment", response_class=HTMLResponse)
def assessment_page(request: Request, workspace_id: str, actor: ItemReader) -> HTMLResponse:
    return _page(request, actor, workspace_id)


@router.post("/workspaces/{workspace_id}/assessment/situation", response_model=None)
def situation_form(request: Request, workspace_id: str, actor: ItemCreator,
                   values: Annotated[str, Form(max_length=20000)] = "",
                   classification: Annotated[str, Form(max_length=20)] = "restricted",
                   version: Annotated[str, Form(max_length=18)] = "") -> Response:
    parley = get_parley(request)
    try:
        parley.living_assessments.set_situation(
            actor, workspace_id, parse_values(values), "", parse_classification(classification),
            int(version) if version.isdigit() else None)
    except (InvalidInput, Forbidden, Conflict) as exc:
        return _page(request, actor, workspace_id, errors=problem_lines(exc), values_text=values,
                     status=status_of(exc))
    return RedirectResponse(f"/workspaces/{workspace_id}/assessment", status_code=303)


@router.post("/workspaces/{workspace_id}/assessment/findings/{guideline}",
             response_model=None)
def response_form(request: Request, workspace_id: str, guideline: str, actor: ItemCreator,
                  status: Annotated[str, Form(max_length=20)],
                  addressed_by: Annotated[str, Form(max_length=64)] = "",
                  reason: Annotated[str, Form(max_length=20000)] = "",
                  classification: Annotated[str, Form(max_length=20)] = "restricted"
                  ) -> Response:
    parley = get_parley(request)
    try:
        parley.living_assessments.respond(actor, workspace_id, guideline, status,
                                          addressed_by or None, reason,
                                          parse_classification(classification))
    except (InvalidInput, Forbidden, Conflict) as exc:
        return _page(request, actor, workspace_id, errors=problem_lines(exc),
                     typed={"guideline": guideline, "status": status,
                            "addressed_by": addressed_by, "reason": reason},
                     status=status_of(exc))
    return RedirectResponse(f"/workspaces/{workspace_id}/assessment#f-{guideline}",
                            status_code=303)
