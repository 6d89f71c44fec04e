"""Case-base pages that change it: import (and replace), delete, publish or share a case.

Curators and administrators only (the guard); every change is audited by the service. A
delete first answers with a confirmation page; a refused import re-renders the form with what
the user chose and every problem. Included before the case pages, so `/cases/import` is not
read as a case id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley.domain.access import Visibility
from parley.domain.account import Principal
from parley.domain.errors import InvalidInput, ParleyError, TooLarge, ValidationFailed
from parley.services.inputs import parse_document
from parley.web.auth import CaseDeleter, CaseImporter, CasePublisher, csrf_check
from parley.web.deps import get_parley
from parley.web.errors import status_of
from parley.web.pages.forms import render_confirm, render_form

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])
MAX_FILES = 100
VISIBILITIES = [(Visibility.PRIVATE, "only me"), (Visibility.WORKSPACE, "a workspace of mine"),
                (Visibility.PUBLIC, "everyone (publish)")]


def _problems(exc: ParleyError) -> list[str]:
    if isinstance(exc, ValidationFailed):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def _import_form(request: Request, actor: Principal, values: dict[str, Any],
                 errors: list[str] | None = None, status: int = 200) -> HTMLResponse:
    workspaces = get_parley(request).workspaces.mine(actor)
    return render_form(request, "cases/import.html", {
        "values": values, "errors": errors or [], "visibilities": VISIBILITIES,
        "workspaces": [(ws.id, ws.name) for ws, _ in workspaces]}, status)


@router.get("/cases/import", response_class=HTMLResponse)
def import_page(request: Request, actor: CaseImporter) -> HTMLResponse:
    """The import form: files, replace, who sees the new cases."""
    return _import_form(request, actor, {"visibility": Visibility.PRIVATE.value})


@router.post("/cases/import", response_model=None)
async def import_submit(
    request: Request, actor: CaseImporter, files: list[UploadFile],
    visibility: Annotated[str, Form(max_length=16)] = Visibility.PRIVATE.value,
    workspace: Annotated[str, Form(max_length=64)] = "",
    replace: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Import the files (all or nothing), then show the first imported case."""
    parley = get_parley(request)
    values = {"visibility": visibility, "workspace": workspace, "replace": replace}
    limit = parley.settings.max_upload_bytes
    raws: list[tuple[str, bytes]] = []
    try:
        if len(files) > MAX_FILES:
            raise InvalidInput(f"at most {MAX_FILES} files per import")
        for upload in files:
            data = await upload.read(limit + 1)
            name = upload.filename or "upload"
            if len(data) > limit:
                raise TooLarge(f"{name}: larger than {limit} bytes")
            raws.append((name, data))
        try:
            chosen = Visibility(visibility)
        except ValueError:
            raise InvalidInput(f"visibility must be one of "
                               f"{', '.join(v.value for v in Visibility)}") from None

        def parse_and_import() -> list[str]:  # CPU work: off the event loop
            documents = [(name, parse_document(data, name)) for name, data in raws]
            return parley.curation.import_documents(
                actor, documents, replace_existing=replace == "yes", visibility=chosen,
                workspace=workspace or None)

        ids = await run_in_threadpool(parse_and_import)
    except ParleyError as exc:
        return _import_form(request, actor, values, _problems(exc), status_of(exc))
    return RedirectResponse(f"/cases/{ids[0]}", status_code=303)


@router.post("/cases/{case_id}/delete", response_model=None)
def delete_case(request: Request, case_id: str, actor: CaseDeleter,
                version: Annotated[int, Form(ge=1, le=2**31)],
                confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Delete a case (after the confirmation step)."""
    parley = get_parley(request)
    if confirm != "yes":
        stored = parley.curation.seen_by(actor).get(case_id)
        return render_confirm(request, f"Delete the case “{stored.case.title}” ({case_id})?",
                              f"/cases/{case_id}/delete", {"version": str(version)},
                              cancel=f"/cases/{case_id}")
    parley.curation.delete(actor, case_id, version)
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/{case_id}/visibility", response_model=None)
def set_visibility(request: Request, case_id: str, actor: CasePublisher,
                   visibility: Annotated[str, Form(max_length=16)],
                   workspace: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Publish, share with a workspace, or make private; back to the case page."""
    try:
        chosen = Visibility(visibility)
    except ValueError:
        raise InvalidInput(f"visibility must be one of "
                           f"{', '.join(v.value for v in Visibility)}") from None
    get_parley(request).curation.set_visibility(
        actor, case_id, chosen, workspace if chosen is Visibility.WORKSPACE and workspace
        else None)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
