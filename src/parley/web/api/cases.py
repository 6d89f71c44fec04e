"""/api/cases: list, filter, search, show and compare cases (each reader sees what it may);
import, edit, delete and publish them (curators and administrators, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from parley.domain.access import Visibility
from parley.domain.errors import InvalidInput
from parley.services.inputs import parse_document
from parley.web.auth import (
    CaseDeleter,
    CaseImporter,
    CasePublisher,
    CaseUpdater,
    CatalogueDep,
    get_catalogue,
)
from parley.web.deps import get_parley
from parley.web.reads import run_read
from parley.web.schemas import (
    CaseDetailOut,
    CaseImportOut,
    CaseListOut,
    CaseOut,
    ComparisonOut,
    ErrorOut,
    VariableOut,
    VisibilityIn,
)

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "Bad input (names the field, token or line)"},
    404: {"model": ErrorOut, "description": "No such case (or one you may not see)"},
    422: {"model": ErrorOut, "description": "Malformed parameters"},
}
WRITES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "No valid token"},
    403: {"model": ErrorOut, "description": "Not a curator or administrator; a read-only "
          "token; or a case shared by someone else"},
    409: {"model": ErrorOut, "description": "A bundled case (changed only by a release), a "
          "stale version, or sub-cases in the way"},
}
router = APIRouter(prefix="/api", tags=["cases"], responses=ERRORS)
MAX_FILES = 100


@router.get("/cases", response_model=CaseListOut)
async def list_cases(
    request: Request,
    where: Annotated[str | None, Query(max_length=2000, description=(
        "Filter in the query language, e.g. `initiator has religious-leader and start_year >= "
        "2000` (docs/query-language.md)"))] = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search")] = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    facet: Annotated[list[str] | None, Query(description="Variables to count codes of")] = None,
) -> CaseListOut:
    """Cases matching a filter and/or a full-text search (ranked), with facet counts."""

    def answer() -> CaseListOut:  # the reader is resolved in the thread too (web/reads.py)
        page = get_catalogue(request).browse(where, q, limit=limit, offset=offset,
                                             facets=facet or [])
        return CaseListOut.of(page, limit, offset)

    return await run_read(answer)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: str, catalogue: CatalogueDep) -> CaseDetailOut:
    """One case with every coded value and its evidence."""
    stored = catalogue.get(case_id)
    return CaseDetailOut.of_stored(stored, catalogue.children(case_id),
                                   signed_in=catalogue.reader.user is not None)


@router.get("/compare", response_model=ComparisonOut)
def compare(
    catalogue: CatalogueDep,
    ids: Annotated[list[str], Query(description="2 to 4 case ids", max_length=4)],
) -> ComparisonOut:
    """Two to four cases side by side, with the variables on which they differ."""
    result = catalogue.compare(ids)
    return ComparisonOut(cases=[CaseOut.of(c) for c in result.cases],
                         differing=list(result.differing))


@router.get("/codebook", response_model=list[VariableOut])
def codebook(request: Request) -> list[VariableOut]:
    """Every codebook variable with its definition and codes."""
    parley = get_parley(request)
    return [
        VariableOut(name=v.name, type=v.type.value, group=v.group, definition=v.definition,
                    codes=dict(v.codes), ordered=v.ordered, scenario=v.scenario)
        for v in parley.codebook
    ]


@router.post("/cases/import", response_model=CaseImportOut, status_code=201,
             responses={**WRITES, 413: {"model": ErrorOut, "description": "Upload too large"}})
async def import_cases(
    request: Request, actor: CaseImporter, files: list[UploadFile],
    replace: Annotated[bool, Query(description="overwrite stored cases with the same id "
                                   "that you may change (never a bundled case)")] = False,
    visibility: Annotated[Visibility, Query(description="who sees the new cases: you only, "
                                            "a workspace's members too, or everyone")
                          ] = Visibility.PRIVATE,
    workspace: Annotated[str | None, Query(max_length=64, description="the workspace to share "
                                           "with (visibility=workspace)")] = None,
) -> CaseImportOut:
    """Validate and import YAML or JSON case files, all or nothing (curators and
    administrators; audited). New cases are yours; replaced ones keep owner and visibility."""
    parley = get_parley(request)
    limit = get_parley(request).settings.max_upload_bytes
    if len(files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} files per import")
    raws = []
    for upload in files:
        data = await upload.read(limit + 1)
        name = upload.filename or "upload"
        if len(data) > limit:
            from fastapi import HTTPException

            raise HTTPException(413, f"{name}: larger than {limit} bytes")
        raws.append((name, data))

    def parse_and_import() -> list[str]:  # CPU work (parsing, validation): off the event loop
        documents = [(name, parse_document(data, name)) for name, data in raws]
        return parley.curation.import_documents(actor, documents, replace_existing=replace,
                                                visibility=visibility, workspace=workspace)

    return CaseImportOut(imported=await run_in_threadpool(parse_and_import))


def _no_lines(_path: tuple[str | int, ...]) -> int | None:
    return None


@router.put("/cases/{case_id}", response_model=CaseDetailOut, responses=WRITES)
def update_case(
    case_id: str, request: Request, actor: CaseUpdater,
    document: Annotated[dict[str, Any], Body(description="the whole case, in the interchange "
                                             "shape (docs/case-format.md); its id must be "
                                             "`case_id`")],
    version: Annotated[int, Query(ge=1, le=2**31, description="the version you edited")],
) -> CaseDetailOut:
    """Replace a case you may change with a new version of it (an edit; audited)."""
    parley = get_parley(request)
    stored = parley.curation.update(actor, case_id, (document, _no_lines), version)
    return CaseDetailOut.of_stored(stored, parley.curation.seen_by(actor).children(case_id),
                                   signed_in=True)


@router.delete("/cases/{case_id}", status_code=204, responses=WRITES)
def delete_case(
    case_id: str, request: Request, actor: CaseDeleter,
    version: Annotated[int, Query(ge=1, le=2**31, description="the version you saw")],
) -> Response:
    """Delete a case you may change that has no sub-cases (audited)."""
    parley = get_parley(request)
    parley.curation.delete(actor, case_id, version)
    return Response(status_code=204)


@router.put("/cases/{case_id}/visibility", response_model=CaseDetailOut, responses=WRITES)
def set_visibility(case_id: str, body: VisibilityIn, request: Request, actor: CasePublisher) -> CaseDetailOut:
    """Publish a case (everyone sees it), share it with a workspace you belong to, or make
    it private again (audited)."""
    parley = get_parley(request)
    stored = parley.curation.set_visibility(actor, case_id, Visibility(body.visibility),
                                            body.workspace)
    return CaseDetailOut.of_stored(stored, parley.curation.seen_by(actor).children(case_id),
                                   signed_in=True)
