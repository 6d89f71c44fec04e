"""The assessment form: describe a situation, read the brief, save it and reopen it.

Anyone may assess a situation (and print or keep the brief). Saving needs a signed-in
account: a saved assessment belongs to its author, is sealed at rest, is listed under "My saved
assessments" for its author only, and anyone else (signed in or not) gets 404 for its link.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from parley.domain.codebook import Codebook, VarType
from parley.domain.errors import ValidationFailed
from parley.domain.scenario import Scenario, parse_scenario, scenario_to_dict
from parley.render.brief import render_html
from parley.web.auth import AccountUser, csrf_check, principal_of
from parley.web.deps import ParleyDep
from parley.web.pages.forms import render_confirm, render_form

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])
_SPLIT = re.compile(r"[,;\n]")


def raw_scenario(form: FormData, codebook: Codebook) -> dict[str, Any]:
    """Form fields -> the raw scenario mapping a scenario file would hold (blank = unknown)."""
    raw: dict[str, Any] = {}
    title = str(form.get("title") or "").strip()
    if title:
        raw["title"] = title
    notes = str(form.get("notes") or "").strip()
    if notes:
        raw["notes"] = notes
    for var in codebook.scenario_variables:
        if var.type is VarType.CODE_LIST:
            codes = [str(v) for v in form.getlist(var.name) if str(v) != "unknown"]
            if codes:
                raw[var.name] = codes
            continue
        text = str(form.get(var.name) or "").strip()
        if not text or text == "unknown":
            continue
        if var.type is VarType.INTEGER:
            # '²'.isdigit() is true but int() refuses it; so is any text over 4,300 digits:
            # only plain ASCII digits become a number, anything else is refused by name below
            raw[var.name] = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 \
                else text
        elif var.type is VarType.TEXT_LIST:
            raw[var.name] = [item.strip() for item in _SPLIT.split(text) if item.strip()]
        else:
            raw[var.name] = text
    return raw


def _form_values(raw: dict[str, Any]) -> dict[str, Any]:
    """What each form control shows: lists stay lists, text lists are comma-joined."""
    return {k: (", ".join(map(str, v)) if isinstance(v, list) and k == "groups" else v)
            for k, v in raw.items()}


def _page(request: Request, parley: ParleyDep, *, values: dict[str, Any],
          scenario: Scenario | None = None, errors: list[str] | None = None,
          saved_id: str | None = None, notice: str | None = None,
          status: int = 200) -> HTMLResponse:
    brief = None
    actor = principal_of(request)
    if scenario is not None:
        reader = parley.curation.reader(actor)
        assessment = parley.assessments.assess(scenario, reader)
        titles = {c.id: c.title for c in parley.cases.seen_by(reader).export()}
        # render_html autoescapes everything it is given; the result is safe to embed
        brief = Markup(render_html(assessment, parley.codebook, titles,  # noqa: S704
                                   case_url=lambda cid: f"/cases/{cid}", standalone=False))
    mine = parley.scenarios.mine(actor) if actor is not None and scenario is None else []
    return render_form(request, "assess/form.html", {
        "groups": [(g, [v for v in vs if v.scenario and v.coded])
                   for g, vs in parley.codebook.groups()],
        "values": values,
        "errors": errors or [],
        "brief": brief,
        "saved_id": saved_id,
        "notice": notice,
        "mine": mine,
        "can_save": actor is not None,
    }, status)


@router.get("/assess", response_class=HTMLResponse)
def assess_form(request: Request, parley: ParleyDep) -> HTMLResponse:
    """An empty form: every variable unknown."""
    return _page(request, parley, values={})


@router.post("/assess", response_class=HTMLResponse)
async def assess_submit(request: Request, parley: ParleyDep) -> Response:
    """Assess the described scenario; with action=save, store it and go to its own page.

    The form is read here; the assessment (CPU work) runs in the thread pool.
    """
    form = await request.form()
    return await run_in_threadpool(_submit, request, parley, form)


def _submit(request: Request, parley: ParleyDep, form: FormData) -> Response:
    raw = raw_scenario(form, parley.codebook)
    try:
        scenario = parse_scenario(raw, parley.codebook, file="form")
    except ValidationFailed as exc:
        return _page(request, parley, values=_form_values(raw),
                     errors=[p.message if not p.field else f"{p.field}: {p.message}"
                             for p in exc.problems], status=400)
    if form.get("action") == "save":
        actor = principal_of(request)
        if actor is None:  # assessed, not saved; the input stays in the form
            return _page(request, parley, values=_form_values(scenario_to_dict(scenario)),
                         scenario=scenario, notice="Saving needs an account: sign in to save "
                         "assessments (they are then yours only). Nothing was saved.")
        saved = parley.scenarios.save(actor, scenario)
        return RedirectResponse(f"/assess/saved/{saved.id}", status_code=303)
    return _page(request, parley, values=_form_values(scenario_to_dict(scenario)),
                 scenario=scenario)


@router.get("/assess/saved/{scenario_id}", response_class=HTMLResponse)
def saved_scenario(request: Request, parley: ParleyDep, scenario_id: str, actor: AccountUser
                   ) -> HTMLResponse:
    """A saved assessment reopened by its author (or an admin): form filled, brief recomputed."""
    saved = parley.scenarios.get(actor, scenario_id)
    return _page(request, parley, values=_form_values(scenario_to_dict(saved.scenario)),
                 scenario=saved.scenario, saved_id=saved.id)


@router.post("/assess/saved/{scenario_id}/delete", response_model=None)
async def saved_delete(request: Request, parley: ParleyDep, scenario_id: str,
                       actor: AccountUser) -> Response:
    """Delete a saved assessment, after a confirmation step that needs no JavaScript."""
    form = await request.form()
    if form.get("confirm") != "yes":
        saved = parley.scenarios.get(actor, scenario_id)
        return render_confirm(request, f"Delete the saved assessment “{saved.scenario.title}”?",
                              f"/assess/saved/{scenario_id}/delete", {},
                              cancel=f"/assess/saved/{scenario_id}")
    parley.scenarios.delete(actor, scenario_id)
    return RedirectResponse("/assess", status_code=303)
