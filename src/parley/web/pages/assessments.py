"""The assessment form: describe a situation, read the brief, download it, save and reopen it.

Anyone may assess a situation (and print or download the brief). Saving needs a signed-in
account: a saved assessment belongs to its author (and, if chosen, a workspace whose members
then read it by their role), is sealed at rest, and is listed on the author's page and the
workspace's; anyone else gets 404 for its link. Every read, rename, re-run and delete goes
through the service, which checks access and audits it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from parley.bootstrap import Parley
from parley.domain.codebook import Codebook, Variable, VarType
from parley.domain.errors import ValidationFailed
from parley.domain.scenario import Scenario, parse_scenario, scenario_to_dict
from parley.locale import current_language
from parley.render.brief import brief_css, render_html
from parley.services.assessments import Section, load_form
from parley.services.texts import translate_brief_inputs
from parley.web.auth import AccountUser, csrf_check, principal_of
from parley.web.briefs import BriefFormat, Paper, brief_response
from parley.web.deps import get_parley
from parley.web.pages.forms import problem_lines, render_confirm, render_form
from parley.web.pages.render import shown_codebook

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])
_SPLIT = re.compile(r"[,;\n]")
MODES = ("short", "full")


def raw_scenario(form: FormData, codebook: Codebook) -> dict[str, Any]:
    """Form fields -> the raw scenario mapping a scenario file would hold (blank = unknown)."""
    raw: dict[str, Any] = {}
    for key in ("title", "notes", "classification"):
        text = str(form.get(key) or "").strip()
        if text:
            raw[key] = text
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


def _form_values(raw: dict[str, Any], classification: str | None = None) -> dict[str, Any]:
    """What each form control shows: lists stay lists, text lists are comma-joined; the
    classification only when it was chosen (else the select says "as secrecy suggests")."""
    values = {k: (", ".join(map(str, v)) if isinstance(v, list) and k == "groups" else v)
              for k, v in raw.items() if k != "classification"}
    values["classification_given"] = classification or raw.get("classification", "")
    return values


def _sections(codebook: Codebook, names: set[str] | None, sections: tuple[Section, ...]
              ) -> list[tuple[Section, list[Variable]]]:
    out = []
    for s in sections:
        variables = [codebook[n] for n in s.variables if names is None or n in names]
        if variables:
            out.append((s, variables))
    return out


def _page(request: Request, parley: Parley, *, values: dict[str, Any],
          scenario: Scenario | None = None, errors: list[str] | None = None,
          saved_id: str | None = None, saved_workspace: str | None = None,
          notice: str | None = None, mode: str = "short", status: int = 200) -> HTMLResponse:
    brief = None
    actor = principal_of(request)
    if scenario is not None:
        reader = parley.curation.reader(actor)
        assessment = parley.assessments.assess(scenario, reader)
        titles = parley.assessments.titles(reader)
        assessment, codebook, titles = translate_brief_inputs(
            assessment, parley.codebook, titles, current_language())
        # render_html autoescapes everything it is given; the result is safe to embed
        brief = Markup(render_html(assessment, codebook, titles,  # noqa: S704
                                   case_url=lambda cid: f"/cases/{cid}", standalone=False))
    mine = parley.scenarios.mine(actor) if actor is not None and scenario is None else []
    workspaces = (parley.workspaces.mine(actor) if actor is not None and not actor.system
                  else [])
    layout = load_form(parley.codebook)
    short = set(layout.short)
    everything = {v.name for v in parley.codebook.scenario_variables}
    shown = shown_codebook(parley)
    return render_form(request, "assess/form.html", {
        "mode": mode if mode in MODES else "short",
        "short": layout.short,
        "n_variables": len(everything),
        "short_sections": _sections(shown, short, layout.sections),
        "other_sections": _sections(shown, everything - short, layout.sections),
        "all_sections": _sections(shown, None, layout.sections),
        "values": values,
        "errors": errors or [],
        "brief": brief,
        "brief_css": Markup(brief_css()),  # noqa: S704 - our own stylesheet
        "brief_title": scenario.title if scenario is not None else "",
        "classification": scenario.classification.value if scenario is not None else "",
        "saved_id": saved_id,
        "saved_workspace": saved_workspace,
        "saved_workspace_name": next((w.name for w, _ in workspaces
                                      if w.id == saved_workspace), None),
        "notice": notice,
        "mine": mine,
        "workspaces": [w for w, _ in workspaces],
        "can_save": actor is not None,
        "restore_draft": scenario is None and not errors and not values,
    }, status)


@router.get("/assess", response_class=HTMLResponse)
def assess_form(request: Request, mode: str = "short") -> HTMLResponse:
    """An empty form (every variable unknown): the short mode's dozen questions first."""
    parley = get_parley(request)
    return _page(request, parley, values={}, mode=mode)


@router.post("/assess", response_class=HTMLResponse)
async def assess_submit(request: Request) -> Response:
    """Assess the described scenario; with action=save, store it and go to its own page.

    The form is read here; the assessment (CPU work) runs in the thread pool.
    """
    parley = get_parley(request)
    form = await request.form()
    return await run_in_threadpool(_submit, request, parley, form)


def _parsed(request: Request, parley: Parley, form: FormData
            ) -> tuple[Scenario | None, dict[str, Any], HTMLResponse | None]:
    raw = raw_scenario(form, parley.codebook)
    mode = str(form.get("mode") or "short")
    try:
        return parse_scenario(raw, parley.codebook, file="form"), raw, None
    except ValidationFailed as exc:
        return None, raw, _page(request, parley, values=_form_values(raw), mode=mode,
                                errors=problem_lines(exc), status=400)


def _submit(request: Request, parley: Parley, form: FormData) -> Response:
    scenario, raw, refused = _parsed(request, parley, form)
    if refused is not None or scenario is None:
        return refused or Response(status_code=400)
    mode = str(form.get("mode") or "short")
    values = _form_values(scenario_to_dict(scenario), raw.get("classification"))
    if form.get("action") == "save":
        actor = principal_of(request)
        if actor is None:  # assessed, not saved; the input stays in the form
            return _page(request, parley, values=values, scenario=scenario, mode=mode,
                         notice="Saving needs an account: sign in to save assessments (they "
                         "are then yours only). Nothing was saved.")
        workspace = str(form.get("workspace") or "").strip() or None
        saved = parley.scenarios.save(actor, scenario, workspace)
        return RedirectResponse(f"/assess/saved/{saved.id}", status_code=303)
    return _page(request, parley, values=values, scenario=scenario, mode=mode)


@router.post("/assess/download", response_model=None)
async def assess_download(request: Request) -> Response:
    """The brief of the posted (unsaved) scenario as a PDF or Word file; nothing is stored."""
    parley = get_parley(request)
    form = await request.form()
    return await run_in_threadpool(_download, request, parley, form)


def _choice(value: object, options: type[BriefFormat] | type[Paper], default: str) -> str:
    text = str(value or default)
    return text if text in {o.value for o in options} else default


def _download(request: Request, parley: Parley, form: FormData) -> Response:
    scenario, _, refused = _parsed(request, parley, form)
    if refused is not None or scenario is None:
        return refused or Response(status_code=400)
    # `format` is a scenario variable (accord or dialogue), so the document's fields differ
    fmt = BriefFormat(_choice(form.get("document"), BriefFormat, "pdf"))
    paper = Paper(_choice(form.get("document_paper"), Paper, "A4"))
    reader = parley.curation.reader(principal_of(request))
    return brief_response(parley, parley.assessments.assess(scenario, reader), fmt, paper)


@router.get("/assess/saved/{scenario_id}", response_class=HTMLResponse)
def saved_scenario(request: Request, scenario_id: str, actor: AccountUser,
                   rerun: bool = False) -> HTMLResponse:
    """A saved assessment reopened by whoever may read it: form filled, brief recomputed on
    the current case base."""
    parley = get_parley(request)
    saved = parley.scenarios.get(actor, scenario_id)
    notice = (f"Re-run against the current case base ({parley.cases.count()} cases)."
              if rerun else None)
    return _page(request, parley, values=_form_values(scenario_to_dict(saved.scenario),
                                                      saved.scenario.classification.value),
                 scenario=saved.scenario, saved_id=saved.id, saved_workspace=saved.workspace,
                 notice=notice)


@router.get("/assess/saved/{scenario_id}/download", response_model=None)
def saved_download(request: Request, scenario_id: str, actor: AccountUser,
                   format: BriefFormat = BriefFormat.pdf,
                   paper: Paper = Paper.A4) -> Response:
    """A saved assessment's brief as PDF or Word (access checked and audited as a read)."""
    parley = get_parley(request)
    saved = parley.scenarios.get(actor, scenario_id)
    reader = parley.curation.reader(actor)
    return brief_response(parley, parley.assessments.assess(saved.scenario, reader), format,
                          paper)


@router.post("/assess/saved/{scenario_id}/rename", response_model=None)
async def saved_rename(request: Request, scenario_id: str,
                       actor: AccountUser) -> Response:
    parley = get_parley(request)
    form = await request.form()
    parley.scenarios.rename(actor, scenario_id, str(form.get("title") or ""))
    return RedirectResponse(f"/assess/saved/{scenario_id}", status_code=303)


@router.post("/assess/saved/{scenario_id}/rerun", response_model=None)
def saved_rerun(request: Request, scenario_id: str,
                actor: AccountUser) -> Response:
    """Assess a saved scenario again against the case base as it is now (audited)."""
    parley = get_parley(request)
    parley.scenarios.rerun(actor, scenario_id, parley.cases.count())
    return RedirectResponse(f"/assess/saved/{scenario_id}?rerun=1", status_code=303)


@router.post("/assess/saved/{scenario_id}/delete", response_model=None)
async def saved_delete(request: Request, scenario_id: str,
                       actor: AccountUser) -> Response:
    """Delete a saved assessment, after a confirmation step that needs no JavaScript."""
    parley = get_parley(request)
    form = await request.form()
    if form.get("confirm") != "yes":
        saved = parley.scenarios.get(actor, scenario_id)
        return render_confirm(request, f"Delete the saved assessment “{saved.scenario.title}”?",
                              f"/assess/saved/{scenario_id}/delete", {},
                              cancel=f"/assess/saved/{scenario_id}")
    parley.scenarios.delete(actor, scenario_id)
    return RedirectResponse("/assess", status_code=303)
