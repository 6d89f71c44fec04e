"""/api/cases: list, filter, search, show, compare and import cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from parley.domain.errors import InvalidInput
from parley.interchange.documents import parse_document
from parley.web.deps import CatalogueDep, ParleyDep
from parley.web.schemas import (
    CaseDetailOut,
    CaseListOut,
    CaseOut,
    ComparisonOut,
    ErrorOut,
    ImportOut,
    VariableOut,
)

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "Bad input (names the field, token or line)"},
    404: {"model": ErrorOut, "description": "No such case"},
    422: {"model": ErrorOut, "description": "Malformed parameters"},
}
router = APIRouter(prefix="/api", tags=["cases"], responses=ERRORS)
MAX_FILES = 100


@router.get("/cases", response_model=CaseListOut)
def list_cases(
    catalogue: CatalogueDep,
    where: Annotated[str | None, Query(max_length=2000, description=(
        "Filter in the query language, e.g. `initiator has religious-leader and start_year >= "
        "2000` (docs/query-language.md)"))] = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search")] = None,
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    facet: Annotated[list[str] | None, Query(description="Variables to count codes of")] = None,
) -> CaseListOut:
    """Cases matching a filter and/or a full-text search (ranked), with facet counts."""
    page = catalogue.browse(where, q, limit=limit, offset=offset, facets=facet or [])
    return CaseListOut.of(page, limit, offset)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: str, catalogue: CatalogueDep) -> CaseDetailOut:
    """One case with every coded value and its evidence."""
    stored = catalogue.get(case_id)
    base = CaseOut.of(stored.case).model_dump()
    return CaseDetailOut(**base, origin=stored.origin, version=stored.version,
                         children=catalogue.store.children(case_id))


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
def codebook(parley: ParleyDep) -> list[VariableOut]:
    """Every codebook variable with its definition and codes."""
    return [
        VariableOut(name=v.name, type=v.type.value, group=v.group, definition=v.definition,
                    codes=dict(v.codes), ordered=v.ordered, scenario=v.scenario)
        for v in parley.codebook
    ]


@router.post("/cases/import", response_model=ImportOut, status_code=201,
             responses={413: {"model": ErrorOut, "description": "Upload too large"}})
async def import_cases(
    request: Request, catalogue: CatalogueDep, files: list[UploadFile],
    replace: bool = False,
) -> ImportOut:
    """Validate and import YAML or JSON case files, all or nothing."""
    limit = request.app.state.parley.settings.max_upload_bytes
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
        return catalogue.import_documents(documents, replace=replace)

    return ImportOut(imported=await run_in_threadpool(parse_and_import))
