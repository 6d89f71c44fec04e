"""Workspace pages: list and create, overview with filters, items (view, edit, delete),
document upload and download, members, and the owner's audit log.

Every delete (workspace, item, member) first answers with a confirmation page whose form
re-posts with confirm=yes, so it works without JavaScript. A form refused for a missing field
or for the role re-renders with what the user typed and the error; the item forms take their
guard's role refusal as a value (`FormGuard`), so a member demoted while typing keeps the text.
A form the role cannot save is read-only and has no Save button. Controls are shown only when
`domain.access.is_allowed` permits them (computed here, never in the templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from parley import locale
from parley.bootstrap import Parley
from parley.domain.access import Action, Classification, Role, Scope, is_allowed
from parley.domain.account import Principal
from parley.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    ParleyError,
)
from parley.domain.workspace import (
    ACTOR_TYPES,
    KINDS,
    RULES,
    STANCES,
    FieldType,
    Item,
    ItemFilter,
    ItemKind,
    parse_classification,
    parse_filter,
    parse_kind,
    parse_role,
)
from parley.locale import say_error
from parley.render.charts import actor_map_svg
from parley.services import texts
from parley.services.actor_maps import map_of
from parley.web.api.workspaces import attachment_response
from parley.web.auth import (
    AccountUser,
    AuditReader,
    ItemCreator,
    ItemCreatorForm,
    ItemDeleter,
    ItemReader,
    ItemUpdaterForm,
    MemberManager,
    RevocationDecider,
    WorkspaceCreator,
    WorkspaceDeleter,
    WorkspaceUpdater,
    csrf_check,
)
from parley.web.briefs import Paper
from parley.web.deps import get_parley
from parley.web.errors import status_of
from parley.web.pages.forms import problem_lines, render_confirm, render_form
from parley.web.reports import ReportFormat, report_response

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])
Filter = Annotated[str | None, Query(max_length=200)]


def form_fields(kind: ItemKind, form: FormData) -> dict[str, Any]:
    """The kind's declared fields from a form (NAMES one per line; unchecked boxes false)."""
    raw: dict[str, Any] = {}
    for spec in KINDS[kind]:
        if spec.type is FieldType.CHOICES:
            raw[spec.name] = [v for v in form.getlist(spec.name) if isinstance(v, str)]
            continue
        value = form.get(spec.name)
        if value is None or not isinstance(value, str) or spec.type is FieldType.LOG:
            continue
        raw[spec.name] = value.splitlines() if spec.type is FieldType.NAMES else value
    return raw


def _ws_url(workspace_id: str, *rest: str) -> str:
    return "/".join(["/workspaces", workspace_id, *rest])


def _workspace_list(request: Request, actor: Principal, *, values: dict[str, str] | None = None,
                    errors: list[str] | None = None, status: int = 200) -> HTMLResponse:
    mine = get_parley(request).workspaces.mine(actor)
    return render_form(request, "workspaces/list.html", {
        "workspaces": mine, "values": values or {}, "errors": errors or [],
        "can_create": is_allowed(None, Action.WORKSPACE_CREATE, scope=actor.scope)}, status)


@router.get("/workspaces", response_class=HTMLResponse)
def workspace_list(request: Request, actor: AccountUser) -> HTMLResponse:
    return _workspace_list(request, actor)


@router.post("/workspaces")
def workspace_create(request: Request, actor: WorkspaceCreator,
                     name: Annotated[str, Form(max_length=200)] = "",
                     description: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        ws = get_parley(request).workspaces.create(actor, name, description)
    except (InvalidInput, Forbidden) as exc:  # the form comes back with what was typed
        return _workspace_list(request, actor, values={"name": name, "description": description},
                               errors=problem_lines(exc), status=status_of(exc))
    return RedirectResponse(_ws_url(ws.id), status_code=303)


def _names(parley: Parley, actor: Principal, workspace_id: str, items: list[Item],
           where: ItemFilter | None) -> dict[str, str]:
    """Titles of the parties the listed relationships join (read only when a filter left
    them out of the list), so relationships show names, never ids."""
    if not any(i.kind is ItemKind.RELATIONSHIP for i in items):
        return {}
    parties = items if where is None or where == ItemFilter() else parley.workspaces.items(
        actor, workspace_id, ItemFilter(kind=ItemKind.ACTOR))
    return {i.id: i.title for i in parties}


@router.get("/workspaces/{workspace_id}", response_class=HTMLResponse)
def workspace_page(request: Request, workspace_id: str, actor: ItemReader,
                   kind: Filter = None, classification: Filter = None, status: Filter = None,
                   q: Filter = None) -> HTMLResponse:
    parley = get_parley(request)
    where = parse_filter(kind, classification, status, q)
    view = parley.workspaces.get(actor, workspace_id)
    items = parley.workspaces.items(actor, workspace_id, where)
    assessments = parley.scenarios.in_workspace(actor, workspace_id)
    role = view.role
    return render_form(request, "workspaces/show.html", {
        "view": view, "items": items,
        "names": _names(parley, actor, workspace_id, items, where),
        "kinds": list(ItemKind), "assessments": assessments,
        "new_kinds": [k for k in ItemKind if not RULES[k].written_by],
        "classifications": [c for c in Classification
                            if is_allowed(role, Action.ITEM_READ, c, Scope.READ)],
        "create_classifications": [c for c in Classification
                                   if is_allowed(role, Action.ITEM_CREATE, c, actor.scope)],
        "filters": {"kind": kind or "", "classification": classification or "",
                    "status": status or "", "q": q or ""},
        "can": {a.value: is_allowed(role, a, scope=actor.scope) for a in Action},
    })


def _item_form(request: Request, workspace_id: str, kind: ItemKind, *,
               item: Any = None, status: int = 200, actor: Any = None,
               values: dict[str, Any] | None = None, classification: str | None = None,
               errors: list[str] | None = None) -> HTMLResponse:
    """The item form; `values` and `classification` (what the user typed) win over the item's."""
    parley = get_parley(request)
    role: Role | None = parley.workspaces.get(actor, workspace_id).role
    action = Action.ITEM_UPDATE if item is not None else Action.ITEM_CREATE
    allowed = [c for c in Classification if is_allowed(role, action, c, actor.scope)]
    if classification is None:
        classification = item.classification.value if item is not None else (
            Classification.RESTRICTED.value if Classification.RESTRICTED in allowed
            else allowed[0].value if allowed else "")
    current = item.classification if item is not None else Classification.PUBLIC
    visible_items = parley.workspaces.items(actor, workspace_id)
    can_save = is_allowed(role, action, current, actor.scope) and bool(allowed)
    return render_form(request, "workspaces/item_form.html", {
        "workspace_id": workspace_id, "kind": kind, "specs": KINDS[kind], "item": item,
        # a form that cannot be saved shows its classification, not choices it cannot make
        "classifications": allowed if can_save else [c for c in Classification
                                                     if c.value == classification],
        "classification": classification, "values": values, "errors": errors or [],
        "can_save": can_save,
        "can_delete": item is not None and is_allowed(role, Action.ITEM_DELETE, current,
                                                      actor.scope),
        "warnings": [(*texts.guideline_text(g.id, g.title, g.message,
                                                   locale.current_language()), g.citations)
                     for g in (parley.demand_warnings.of(item) if item is not None else ())],
        "can_decide": item is not None and is_allowed(role, Action.REVOCATION_DECIDE, current,
                                                      actor.scope),
        "refs": _pickers(kind, [i for i in visible_items if item is None or i.id != item.id]),
        "names": {i.id: i.title for i in visible_items},
    }, status)


def _pickers(kind: ItemKind, items: list[Item]) -> dict[str, dict[str, str]]:
    """For each link field of `kind`, the items it may point to: only those of the kind it
    refers to, by title (a party picker offers parties, not notes or incidents)."""
    return {spec.name: {i.id: i.title for i in items
                        if spec.refers_to is None or i.kind is spec.refers_to}
            for spec in KINDS[kind] if spec.type is FieldType.REF}


def _refused_item_form(request: Request, workspace_id: str, kind: ItemKind, actor: Principal,
                       form: FormData, exc: ParleyError, item: Any = None) -> HTMLResponse:
    """The item form again, with what the user typed and why it was refused."""
    return _item_form(request, workspace_id, kind, item=item, actor=actor,
                      values=form_fields(kind, form),
                      classification=str(form.get("classification") or ""),
                      errors=problem_lines(exc), status=status_of(exc))


@router.get("/workspaces/{workspace_id}/actors", response_class=HTMLResponse)
def actors_page(request: Request, workspace_id: str, actor: ItemReader,
                type_: Annotated[list[str], Query(alias="type", max_length=20)] = [],  # noqa: B006
                stance: Annotated[list[str], Query(max_length=20)] = []  # noqa: B006
                ) -> HTMLResponse:
    """The actor map (server-side SVG) and the same content as a table."""
    parley = get_parley(request)
    view = parley.workspaces.get(actor, workspace_id)
    errors: list[str] = []
    found = None
    try:
        found = map_of(parley.workspaces, actor, workspace_id, types=type_, stances=stance)
    except InvalidInput as exc:
        errors.append(say_error(exc))
    svg = Markup(actor_map_svg(found, view.workspace.name)) if found else ""  # noqa: S704
    return render_form(request, "workspaces/actors.html", {
        "view": view, "map": found, "svg": svg, "errors": errors,
        "party_types": ACTOR_TYPES, "stances": STANCES,
        "chosen_types": type_, "chosen_stances": stance}, 400 if errors else 200)


@router.get("/workspaces/{workspace_id}/report")
def report_page(request: Request, workspace_id: str, actor: ItemReader,
                fmt: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.html,
                paper: Paper = Paper.A4) -> Response:
    """The report buttons of the workspace page: HTML to read or print, PDF and DOCX."""
    return report_response(request, actor, workspace_id, fmt, paper)


@router.get("/workspaces/{workspace_id}/new", response_class=HTMLResponse)
def item_new(request: Request, workspace_id: str, actor: ItemCreator,
             kind: Annotated[str, Query(max_length=20)] = "note") -> HTMLResponse:
    return _item_form(request, workspace_id, parse_kind(kind), actor=actor)


@router.post("/workspaces/{workspace_id}/items")
async def item_create(request: Request, workspace_id: str, guarded: ItemCreatorForm
                      ) -> Response:
    actor, form = guarded.principal, await request.form()
    kind = parse_kind(form.get("kind"))
    try:
        if guarded.refused is not None:  # e.g. made an observer while typing
            raise guarded.refused
        level = parse_classification(form.get("classification"))
        item = get_parley(request).workspaces.create_item(actor, workspace_id, kind, level,
                                                          form_fields(kind, form))
    except (InvalidInput, Forbidden) as exc:
        return _refused_item_form(request, workspace_id, kind, actor, form, exc)
    return RedirectResponse(_ws_url(workspace_id, "items", item.id), status_code=303)


@router.post("/workspaces/{workspace_id}/documents")
async def document_upload(
    request: Request, workspace_id: str, actor: ItemCreator, file: UploadFile,
    title: Annotated[str, Form(max_length=200)],
    classification: Annotated[str, Form(max_length=20)] = "restricted",
    description: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    parley = get_parley(request)
    data = await file.read(parley.settings.max_upload_bytes + 1)
    item = parley.workspaces.upload_document(
        actor, workspace_id, parse_classification(classification),
        {"title": title, "description": description}, file.filename or "upload",
        file.content_type or "", data)
    return RedirectResponse(_ws_url(workspace_id, "items", item.id), status_code=303)


@router.get("/workspaces/{workspace_id}/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, workspace_id: str, item_id: str, actor: ItemReader
              ) -> HTMLResponse:
    item = get_parley(request).workspaces.item(actor, workspace_id, item_id)
    return _item_form(request, workspace_id, item.kind, item=item, actor=actor)


@router.post("/workspaces/{workspace_id}/items/{item_id}")
async def item_update(request: Request, workspace_id: str, item_id: str,
                      guarded: ItemUpdaterForm) -> Response:
    actor, form = guarded.principal, await request.form()
    parley = get_parley(request)
    item = parley.workspaces.item(actor, workspace_id, item_id)
    version = str(form.get("version") or "")
    if not (version.isascii() and version.isdigit() and len(version) <= 18):
        raise InvalidInput("version: missing; reload the page")
    try:
        if guarded.refused is not None:  # e.g. made an observer while typing
            raise guarded.refused
        parley.workspaces.update_item(actor, workspace_id, item_id,
                                      parse_classification(form.get("classification")),
                                      form_fields(item.kind, form), int(version))
    except (InvalidInput, Forbidden) as exc:
        return _refused_item_form(request, workspace_id, item.kind, actor, form, exc, item)
    return RedirectResponse(_ws_url(workspace_id, "items", item_id), status_code=303)


@router.post("/workspaces/{workspace_id}/items/{item_id}/revocations", response_model=None)
def revocation_decide(request: Request, workspace_id: str, item_id: str,
                      actor: RevocationDecider, version: Annotated[int, Form(ge=1)],
                      breach: Annotated[str, Form(max_length=64)],
                      decision: Annotated[str, Form(max_length=20)],
                      reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Decide a revocation opened by a breach (owners); refused decisions show why."""
    parley = get_parley(request)
    try:
        parley.workspaces.decide_revocation(actor, workspace_id, item_id, breach, decision,
                                            reason, version)
    except (InvalidInput, Conflict) as exc:
        item = parley.workspaces.item(actor, workspace_id, item_id)
        return _item_form(request, workspace_id, item.kind, item=item, actor=actor,
                          errors=problem_lines(exc), status=status_of(exc))
    return RedirectResponse(_ws_url(workspace_id, "items", item_id), status_code=303)


@router.post("/workspaces/{workspace_id}/items/{item_id}/delete", response_model=None)
def item_delete(request: Request, workspace_id: str, item_id: str, actor: ItemDeleter,
                version: Annotated[int, Form(ge=1)],
                confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    parley = get_parley(request)
    if confirm != "yes":
        item = parley.workspaces.item(actor, workspace_id, item_id)
        return render_confirm(request, f"Delete the {item.kind.value} “{item.title}”?",
                              _ws_url(workspace_id, "items", item_id, "delete"),
                              {"version": str(version)},
                              cancel=_ws_url(workspace_id, "items", item_id))
    parley.workspaces.delete_item(actor, workspace_id, item_id, version)
    return RedirectResponse(_ws_url(workspace_id), status_code=303)


@router.get("/workspaces/{workspace_id}/items/{item_id}/file")
def item_file(request: Request, workspace_id: str, item_id: str, actor: ItemReader
              ) -> Response:
    meta, data = get_parley(request).workspaces.attachment(actor, workspace_id, item_id)
    return attachment_response(meta.filename, meta.content_type, data)


@router.post("/workspaces/{workspace_id}/members")
def member_set(request: Request, workspace_id: str, actor: MemberManager,
               user: Annotated[str, Form(max_length=64)],
               role: Annotated[str, Form(max_length=20)]) -> Response:
    parley, name, parsed = get_parley(request), user.strip(), parse_role(role)
    if parley.invitations.invite(actor, workspace_id, name, parsed) is None:  # a member
        parley.workspaces.set_member(actor, workspace_id, name, parsed)
    return RedirectResponse(_ws_url(workspace_id), status_code=303)


@router.post("/workspaces/{workspace_id}/edit")
def workspace_edit(request: Request, workspace_id: str, actor: WorkspaceUpdater,
                   name: Annotated[str, Form(max_length=200)],
                   version: Annotated[int, Form(ge=1)],
                   description: Annotated[str, Form(max_length=2000)] = "") -> Response:
    get_parley(request).workspaces.update(actor, workspace_id, name, description, version)
    return RedirectResponse(_ws_url(workspace_id), status_code=303)


@router.post("/workspaces/{workspace_id}/delete", response_model=None)
def workspace_delete(request: Request, workspace_id: str, actor: WorkspaceDeleter,
                     version: Annotated[int, Form(ge=1)],
                     confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    parley = get_parley(request)
    if confirm != "yes":
        ws = parley.workspaces.get(actor, workspace_id).workspace
        return render_confirm(request, f"Delete the workspace “{ws.name}” and everything in it?",
                              _ws_url(workspace_id, "delete"), {"version": str(version)},
                              cancel=_ws_url(workspace_id))
    parley.workspaces.delete(actor, workspace_id, version)
    return RedirectResponse("/workspaces", status_code=303)


@router.post("/workspaces/{workspace_id}/members/{user}/remove", response_model=None)
def member_remove(request: Request, workspace_id: str, user: str, actor: MemberManager,
                  confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    if confirm != "yes":
        return render_confirm(request, f"Remove {user} from this workspace?",
                              _ws_url(workspace_id, "members", user, "remove"), {},
                              cancel=_ws_url(workspace_id), button="Remove")
    get_parley(request).workspaces.remove_member(actor, workspace_id, user)
    return RedirectResponse(_ws_url(workspace_id), status_code=303)


@router.get("/workspaces/{workspace_id}/audit", response_class=HTMLResponse)
def audit_page(request: Request, workspace_id: str, actor: AuditReader,
               who: Filter = None, kind: Filter = None, action: Filter = None) -> HTMLResponse:
    """The owner's audit log, filterable by person, item kind and action; items are named by
    their titles (ids stay beside them, as the log records ids)."""
    parley = get_parley(request)
    entries = parley.workspaces.audit_log(actor, workspace_id)
    items = parley.workspaces.listing(actor, workspace_id, purpose="audit").items
    names = {i.id: i.title for i in items}
    kinds = {i.id: i.kind.value for i in items}

    def kind_of(details: Mapping[str, Any]) -> str:
        return str(details.get("kind") or kinds.get(str(details.get("item")), ""))

    shown = [e for e in entries
             if (not who or e.actor == who) and (not action or e.event == action)
             and (not kind or kind_of(e.details) == kind)]
    return render_form(request, "workspaces/audit.html", {
        "view": parley.workspaces.get(actor, workspace_id), "entries": shown,
        "total": len(entries), "names": names, "kind_of": kind_of,
        "people": sorted({e.actor for e in entries}),
        "actions": sorted({e.event for e in entries}),
        "kinds": [k.value for k in ItemKind],
        "filters": {"who": who or "", "kind": kind or "", "action": action or ""}})
