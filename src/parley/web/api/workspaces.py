"""/api/workspaces and /api/tokens: confidential workspaces for scripts (bearer tokens).

Every route declares its action with `guard`; handlers parse, call a service, and shape the
answer. Stale versions get 409, non-members 404, roles without the permission 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response, UploadFile

from parley.domain.access import Classification, Role, Scope
from parley.domain.workspace import ItemKind, parse_classification, parse_filter
from parley.render.charts import actor_map_svg
from parley.render.process_report import RENDERERS
from parley.services.actor_maps import map_of
from parley.web.auth import (
    AccountUser,
    AuditReader,
    Exporter,
    ItemCreator,
    ItemDeleter,
    ItemReader,
    ItemUpdater,
    MemberManager,
    RevocationDecider,
    WorkspaceCreator,
    WorkspaceDeleter,
    WorkspaceReader,
    WorkspaceUpdater,
)
from parley.web.briefs import Paper
from parley.web.deps import get_parley
from parley.web.reports import ReportFormat, report_response
from parley.web.schemas import ErrorOut
from parley.web.workspace_schemas import (
    AuditEntryOut,
    ItemIn,
    ItemOut,
    ItemUpdateIn,
    KindOut,
    LivingAssessmentOut,
    MemberIn,
    MemberOut,
    NewTokenOut,
    ResponseIn,
    RevocationIn,
    SituationIn,
    TokenIn,
    TokenOut,
    WorkspaceIn,
    WorkspaceOut,
    WorkspaceUpdateIn,
    workspace_kinds,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input: names each field and what is allowed"},
    401: {"model": ErrorOut, "description": "No valid bearer token"},
    403: {"model": ErrorOut, "description": "Your role, clearance or token scope forbids it"},
    404: {"model": ErrorOut, "description": "No such workspace (or you are not a member)"},
    409: {"model": ErrorOut, "description": "Stale version: someone changed it meanwhile"},
    422: {"model": ErrorOut, "description": "Malformed request"},
}
router = APIRouter(prefix="/api", tags=["workspaces"], responses=ERRORS)
Version = Annotated[int, Query(ge=1, le=2**31 - 1, description="the version you read")]


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(request: Request, actor: AccountUser) -> list[WorkspaceOut]:
    """The workspaces you are a member of, with your role."""
    return [WorkspaceOut.of(ws, role.value)
            for ws, role in get_parley(request).workspaces.mine(actor)]


@router.post("/workspaces", response_model=WorkspaceOut, status_code=201)
def create_workspace(request: Request, body: WorkspaceIn,
                     actor: WorkspaceCreator) -> WorkspaceOut:
    """Create a workspace; you become its owner."""
    ws = get_parley(request).workspaces.create(actor, body.name, body.description)
    return WorkspaceOut.of(ws, Role.OWNER.value)


@router.get("/workspaces/{workspace_id}", response_model=WorkspaceOut)
def get_workspace(request: Request, workspace_id: str,
                  actor: WorkspaceReader) -> WorkspaceOut:
    """A workspace with its members and your role."""
    view = get_parley(request).workspaces.get(actor, workspace_id)
    return WorkspaceOut.of(view.workspace, view.role.value,
                           [MemberOut(user=m.user, role=m.role.value)
                            for m in view.members])


@router.patch("/workspaces/{workspace_id}", response_model=WorkspaceOut)
def update_workspace(request: Request, workspace_id: str, body: WorkspaceUpdateIn,
                     actor: WorkspaceUpdater) -> WorkspaceOut:
    """Rename or describe a workspace (owners)."""
    ws = get_parley(request).workspaces.update(actor, workspace_id, body.name,
                                               body.description, body.version)
    return WorkspaceOut.of(ws)


@router.delete("/workspaces/{workspace_id}", status_code=204)
def delete_workspace(request: Request, workspace_id: str, version: Version,
                     actor: WorkspaceDeleter) -> Response:
    """Delete a workspace and everything in it (owners; its audit entries remain)."""
    get_parley(request).workspaces.delete(actor, workspace_id, version)
    return Response(status_code=204)


@router.put("/workspaces/{workspace_id}/members/{user}", status_code=202,
            responses={204: {"description": "A member's role was changed"}})
def set_member(request: Request, workspace_id: str, user: str, body: MemberIn,
               actor: MemberManager) -> Response:
    """Change a member's role (204), or invite anyone else (202: the same answer whether or not
    the name has an account; they become a member only when they accept)."""
    parley = get_parley(request)
    if parley.invitations.invite(actor, workspace_id, user, Role(body.role)) is None:
        parley.workspaces.set_member(actor, workspace_id, user, Role(body.role))
        return Response(status_code=204)
    return Response(status_code=202)


@router.delete("/workspaces/{workspace_id}/members/{user}", status_code=204)
def remove_member(request: Request, workspace_id: str, user: str,
                  actor: MemberManager) -> Response:
    """Remove a member (owners; a workspace keeps at least one owner)."""
    get_parley(request).workspaces.remove_member(actor, workspace_id, user)
    return Response(status_code=204)


@router.get("/workspaces/{workspace_id}/items", response_model=list[ItemOut])
def list_items(
    request: Request, response: Response, workspace_id: str, actor: ItemReader,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    classification: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200, description="text contained")] = None,
) -> list[ItemOut]:
    """Items you may see (up to your clearance), filtered; secret ones are audited (one entry).

    An item that fails its integrity check is left out; the `Parley-Unreadable-Items` header
    then names it (comma-separated ids) and `parley db check` reports it."""
    where = parse_filter(kind, classification, status, q)
    listing = get_parley(request).workspaces.listing(actor, workspace_id, where)
    if listing.unreadable:
        response.headers["Parley-Unreadable-Items"] = ",".join(listing.unreadable)
    return [ItemOut.of(i) for i in listing.items]


@router.get("/workspaces/{workspace_id}/assessment", response_model=LivingAssessmentOut)
def living_assessment(request: Request, workspace_id: str,
                      actor: ItemReader) -> LivingAssessmentOut:
    """The living assessment: the workspace's situation (told by its items, and set by hand),
    each finding open, addressed or accepted, the checklist by phase, and its history."""
    return LivingAssessmentOut.of(get_parley(request).living_assessments.assess(actor,
                                                                                workspace_id))


@router.put("/workspaces/{workspace_id}/assessment/situation", response_model=ItemOut)
def set_situation(request: Request, workspace_id: str, body: SituationIn,
                  actor: ItemCreator) -> ItemOut:
    """Set the scenario values the items do not tell (checked against the codebook)."""
    return ItemOut.of(get_parley(request).living_assessments.set_situation(
        actor, workspace_id, body.values, body.notes, Classification(body.classification),
        body.version))


@router.put("/workspaces/{workspace_id}/assessment/findings/{guideline}",
            response_model=ItemOut)
def respond(request: Request, workspace_id: str, guideline: str, body: ResponseIn,
            actor: ItemCreator) -> ItemOut:
    """Mark a finding open, addressed (by an item) or accepted (with why)."""
    return ItemOut.of(get_parley(request).living_assessments.respond(
        actor, workspace_id, guideline, body.status, body.addressed_by, body.reason,
        Classification(body.classification)))


@router.get("/workspace-kinds", response_model=list[KindOut])
def kinds(actor: AccountUser) -> list[KindOut]:
    """The item kinds of a workspace and their fields (types, choices, codebook variables,
    the kind each link must name)."""
    return workspace_kinds()


@router.post("/workspaces/{workspace_id}/items", response_model=ItemOut, status_code=201)
def create_item(request: Request, workspace_id: str, body: ItemIn,
                actor: ItemCreator) -> ItemOut:
    """Add an item of any kind listed by `GET /api/workspace-kinds` (documents are uploaded)."""
    parley = get_parley(request)
    item = parley.workspaces.create_item(actor, workspace_id, ItemKind(body.kind),
                                         Classification(body.classification), body.fields)
    return ItemOut.of(item, parley.demand_warnings.of(item))


@router.post("/workspaces/{workspace_id}/items/{item_id}/revocations", response_model=ItemOut)
def decide_revocation(request: Request, workspace_id: str, item_id: str, body: RevocationIn,
                      actor: RevocationDecider) -> ItemOut:
    """Decide the revocation a breach opened on a leniency condition (owners; once)."""
    return ItemOut.of(get_parley(request).workspaces.decide_revocation(
        actor, workspace_id, item_id, body.breach, body.decision, body.reason, body.version))


@router.post("/workspaces/{workspace_id}/documents", response_model=ItemOut, status_code=201,
             responses={413: {"model": ErrorOut, "description": "File too large"}})
async def upload_document(
    request: Request, workspace_id: str, actor: ItemCreator,
    file: UploadFile,
    title: Annotated[str, Form(max_length=200)],
    classification: Annotated[str, Form(max_length=20)] = "restricted",
    description: Annotated[str, Form(max_length=20000)] = "",
) -> ItemOut:
    """Upload a document (PDF, DOCX, text, CSV, PNG, JPEG) within the size limit."""
    parley = get_parley(request)
    level = parse_classification(classification)
    data = await file.read(parley.settings.max_upload_bytes + 1)
    item = parley.workspaces.upload_document(
        actor, workspace_id, level, {"title": title, "description": description},
        file.filename or "upload", file.content_type or "", data)
    return ItemOut.of(item)


@router.get("/workspaces/{workspace_id}/items/{item_id}", response_model=ItemOut)
def get_item(request: Request, workspace_id: str, item_id: str,
             actor: ItemReader) -> ItemOut:
    """One item (audited when secret); a demand with the paper's warnings that apply."""
    parley = get_parley(request)
    item = parley.workspaces.item(actor, workspace_id, item_id)
    return ItemOut.of(item, parley.demand_warnings.of(item))


@router.put("/workspaces/{workspace_id}/items/{item_id}", response_model=ItemOut)
def update_item(request: Request, workspace_id: str, item_id: str, body: ItemUpdateIn,
                actor: ItemUpdater) -> ItemOut:
    """Replace an item's fields and classification, if `version` is still current."""
    return ItemOut.of(get_parley(request).workspaces.update_item(
        actor, workspace_id, item_id, Classification(body.classification), body.fields,
        body.version))


@router.delete("/workspaces/{workspace_id}/items/{item_id}", status_code=204)
def delete_item(request: Request, workspace_id: str, item_id: str, version: Version,
                actor: ItemDeleter) -> Response:
    """Delete an item, if `version` is still current."""
    get_parley(request).workspaces.delete_item(actor, workspace_id, item_id, version)
    return Response(status_code=204)


@router.get("/workspaces/{workspace_id}/items/{item_id}/file",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The file, as uploaded"}})
def download(request: Request, workspace_id: str, item_id: str,
             actor: ItemReader) -> Response:
    """A document's file (audited when secret)."""
    meta, data = get_parley(request).workspaces.attachment(actor, workspace_id, item_id)
    return attachment_response(meta.filename, meta.content_type, data)


def attachment_response(filename: str, content_type: str, data: bytes) -> Response:
    """Always a download, never rendered inline (uploaded HTML or SVG cannot run)."""
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "X-Original-Content-Type": content_type,
    })


@router.get("/workspaces/{workspace_id}/actor-map.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}},
                             "description": "The actor map, drawn on the server"}})
def actor_map_svg_route(
    request: Request, workspace_id: str, actor: ItemReader,
    type_: Annotated[list[str], Query(alias="type", max_length=20,
                                      description="Only parties of these types")] = [],  # noqa: B006
    stance: Annotated[list[str], Query(max_length=20,
                                       description="Only parties of these stances")] = [],  # noqa: B006
) -> Response:
    """Parties coloured by stance, sized by influence, spoilers marked, relationships by type:
    only what your clearance allows (secret items read for it are audited)."""
    parley = get_parley(request)
    name = parley.workspaces.get(actor, workspace_id).workspace.name
    found = map_of(parley.workspaces, actor, workspace_id, types=type_, stances=stance)
    return Response(actor_map_svg(found, name), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/workspaces/{workspace_id}/report", response_class=Response,
            responses={200: {"content": {m.split(";")[0]: {} for m in RENDERERS.values()},
                             "description": "The process report in the format asked for"}})
def process_report(
    request: Request, workspace_id: str, actor: ItemReader,
    fmt: Annotated[ReportFormat | None, Query(alias="format", description=(
        "html, pdf or docx; without it the Accept header chooses, else html"))] = None,
    paper: Annotated[Paper, Query(description="Page size of pdf and docx")] = Paper.A4,
) -> Response:
    """The process report (situation, alerts, deadlines, commitments, breaches, sessions,
    monitoring with ITS charts) with only what your clearance allows; secret items and
    restricted or secret series read for it are audited."""
    return report_response(request, actor, workspace_id, fmt, paper)


@router.get("/workspaces/{workspace_id}/audit", response_model=list[AuditEntryOut])
def audit_log(request: Request, workspace_id: str, actor: AuditReader,
              limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[AuditEntryOut]:
    """The workspace's audit entries, oldest first (owners)."""
    return [AuditEntryOut.of(e)
            for e in get_parley(request).workspaces.audit_log(actor, workspace_id, limit)]


@router.get("/workspaces/{workspace_id}/export", response_model=dict[str, Any])
def export(request: Request, workspace_id: str, actor: Exporter,
           anonymise: bool = False) -> dict[str, Any]:
    """The workspace as JSON (what you may see); personal names pseudonymised on request."""
    return get_parley(request).workspaces.export(actor, workspace_id, anonymise=anonymise)


@router.get("/tokens", response_model=list[TokenOut], tags=["account"])
def list_tokens(request: Request, actor: AccountUser) -> list[TokenOut]:
    """Your API tokens (never their secrets)."""
    return [TokenOut.of(t) for t in get_parley(request).accounts.tokens(actor)]


@router.post("/tokens", response_model=NewTokenOut, status_code=201, tags=["account"])
def create_token(request: Request, body: TokenIn,
                 actor: AccountUser) -> NewTokenOut:
    """A new token for yourself; its secret is in this answer only."""
    new = get_parley(request).accounts.create_token(actor, actor.name, scope=Scope(body.scope),
                                                    label=body.label,
                                                    expires_days=body.expires_days)
    return NewTokenOut(**TokenOut.of(new.info).model_dump(), token=new.secret)


@router.delete("/tokens/{token_id}", status_code=204, tags=["account"])
def revoke_token(request: Request, token_id: str,
                 actor: AccountUser) -> Response:
    """Revoke one of your tokens."""
    get_parley(request).accounts.revoke_token(actor, token_id)
    return Response(status_code=204)
