"""/api/crosstab and /api/qca: comparative analysis over the case base and over any CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from parley.analysis.qca import (
    Options,
    QCATimeout,
    SearchLimits,
    parse_directions,
)
from parley.interchange.set_table import calibrate_csv, read_set_data
from parley.knowledge.qca_mapping import load_default_mapping
from parley.services.analysis import ComparativeAnalysis, run_qca
from parley.web.api.cases import ERRORS
from parley.web.auth import CatalogueDep
from parley.web.deps import get_parley
from parley.web.limits import over_budget, qca_command, qca_limits

router = APIRouter(prefix="/api", tags=["analysis"], responses=ERRORS)


class CrossTabOut(BaseModel):
    row: str
    col: str
    row_codes: list[str]
    col_codes: list[str]
    counts: list[list[int]]
    cases: dict[str, dict[str, list[str]]]
    n_cases: int


@router.get("/crosstab", response_model=CrossTabOut)
def crosstab(
    catalogue: CatalogueDep,
    row: Annotated[str, Query(max_length=64)],
    col: Annotated[str, Query(max_length=64)],
    where: Annotated[str | None, Query(max_length=2000)] = None,
    unknown: bool = True,
    leaves_only: bool = True,
) -> CrossTabOut:
    """Cross-tabulation of two codebook variables, with the cases in each cell."""
    tab = ComparativeAnalysis(catalogue).crosstab(row, col, where, unknown, leaves_only)
    return CrossTabOut(
        row=row, col=col, row_codes=list(tab.row_codes), col_codes=list(tab.col_codes),
        counts=[[tab.count(r, c) for c in tab.col_codes] for r in tab.row_codes],
        cases={r: {c: list(tab.cells.get((r, c), ())) for c in tab.col_codes}
               for r in tab.row_codes},
        n_cases=tab.n_cases)


class CaseQcaIn(BaseModel):
    conditions: list[str] = Field(min_length=1, max_length=16,
                                  description="names from /api/qca/mapping")
    outcome: str = Field("LASTING", max_length=65, description="NAME or ~NAME")
    incl_cut: list[float] = Field(default=[1.0], min_length=1, max_length=2)
    n_cut: int = Field(1, ge=1, le=100000)
    pri_cut: float = Field(0.0, ge=0, le=1)
    include_remainders: bool = False
    dir_exp: str | None = Field(None, max_length=500, description="e.g. COH=1,DRUG=0,MED=-")
    necessity: bool = False
    unknown_as_absent: bool = False
    leaves_only: bool = True
    where: str | None = Field(None, max_length=2000)


def _options(incl_cut: list[float], n_cut: int, pri_cut: float, remainders: bool,
             dir_exp: str | None, necessity: bool, conditions: list[str],
             limits: SearchLimits | None = None) -> Options:
    for cut in incl_cut:
        if not 0 <= cut <= 1:
            from parley.domain.errors import InvalidInput

            raise InvalidInput(f"incl_cut {cut} must be within [0, 1]")
    return Options(incl_cut=tuple(incl_cut), n_cut=n_cut, pri_cut=pri_cut,
                   include_remainders=remainders,
                   directions=parse_directions(dir_exp, conditions) if dir_exp else None,
                   necessity=necessity, limits=limits or SearchLimits())


@router.get("/qca/mapping")
def qca_mapping(request: Request) -> dict[str, dict[str, dict[str, str]]]:
    """The conditions and outcomes defined over codebook variables (qca-conditions.yaml)."""
    parley = get_parley(request)
    m = load_default_mapping(parley.codebook)
    return {section: {k: {"label": d.label, "present_when": d.text, "why": d.why}
                      for k, d in defs.items()}
            for section, defs in (("conditions", m.conditions), ("outcomes", m.outcomes))}


@router.post("/qca/cases")
def qca_cases(body: CaseQcaIn, request: Request, catalogue: CatalogueDep) -> dict[str, Any]:
    """QCA over the case base: truth table, solutions, necessity, and the cases left out.

    Reads the cases in the thread pool (a plain `def`) and searches in a worker process, within
    PARLEY_QCA_TIME_BUDGET seconds: past it, 422 naming the budget and the `parley qca cases`
    command that runs it without one.
    """
    parley = get_parley(request)
    m = load_default_mapping(parley.codebook)
    budget = parley.settings.qca_time_budget
    options = _options(body.incl_cut, body.n_cut, body.pri_cut, body.include_remainders,
                       body.dir_exp, body.necessity, body.conditions, qca_limits(budget))
    try:
        run = ComparativeAnalysis(catalogue, parley.cpu).qca_on_cases(
            {**m.conditions, **m.outcomes}, body.conditions, body.outcome, options,
            where=body.where, unknown_as_absent=body.unknown_as_absent,
            leaves_only=body.leaves_only)
    except QCATimeout:
        raise over_budget(budget, qca_command(
            conditions=body.conditions, outcome=body.outcome, incl_cut=body.incl_cut,
            n_cut=body.n_cut, remainders=body.include_remainders, dir_exp=body.dir_exp,
            necessity=body.necessity, where=body.where,
            unknown_as_absent=body.unknown_as_absent, leaves_only=body.leaves_only)) from None
    return run.result


@router.post("/qca/calibrate", response_class=Response,
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                              "description": "The CSV with the new set column"}})
async def qca_calibrate(
    data: UploadFile,
    column: Annotated[str, Form(max_length=200)],
    new_column: Annotated[str, Form(max_length=200)],
    thresholds: Annotated[str, Form(max_length=200, description="crisp: T1[,T2...]")] = "",
    anchors: Annotated[str, Form(max_length=200,
                                 description="fuzzy: exclusion,crossover,inclusion")] = "",
) -> Response:
    """Turn a raw column into a crisp or fuzzy set; returns the CSV with the new column."""
    raw = await data.read(20 * 1024 * 1024 + 1)
    text = await run_in_threadpool(  # CPU work off the event loop
        calibrate_csv, raw, data.filename or "data.csv", column=column, new_column=new_column,
        thresholds=numbers_field(thresholds, "thresholds"), anchors=numbers_field(anchors, "anchors"))
    return Response(text, media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="calibrated.csv"'})


def numbers_field(text: str, what: str) -> list[float]:
    """Comma-separated numbers from a form field, or an error naming the field."""
    from parley.domain.errors import InvalidInput

    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise InvalidInput(f"{what} must be numbers separated by commas (e.g. 2500,5000,7500), "
                           f"not {text!r}") from exc


@router.post("/qca")
async def qca_csv(
    request: Request, data: UploadFile,
    outcome: Annotated[str, Form(max_length=200)],
    conditions: Annotated[str, Form(max_length=2000, description="A,B,C")],
    case_id: Annotated[str | None, Form(max_length=200)] = None,
    incl_cut: Annotated[str, Form(max_length=50)] = "1",
    n_cut: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
    pri_cut: Annotated[float, Form(ge=0, le=1)] = 0.0,
    include_remainders: Annotated[bool, Form()] = False,
    dir_exp: Annotated[str | None, Form(max_length=500)] = None,
    necessity: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """QCA on an uploaded calibrated CSV (as `parley qca`), in the QCA JSON shape.

    Parsing runs in the thread pool, the search in a worker process (`Parley.cpu`), within
    PARLEY_QCA_TIME_BUDGET seconds: past it, 422 naming the budget and the `parley qca` command
    that runs it without one.
    """
    parley = get_parley(request)
    from parley.domain.errors import InvalidInput

    raw = await data.read(20 * 1024 * 1024 + 1)
    name = data.filename or "data.csv"
    conds = [c.strip() for c in conditions.split(",")]
    try:
        cuts = [float(x) for x in incl_cut.split(",")]
    except ValueError as exc:
        raise InvalidInput(f"incl_cut {incl_cut!r} must be X or X,Y with numbers in [0, 1]") from exc
    budget = parley.settings.qca_time_budget

    def run() -> dict[str, Any]:
        table = read_set_data(raw, name, outcome=outcome, conditions=conds,
                              case_id=case_id or None)
        options = _options(cuts, n_cut, pri_cut, include_remainders, dir_exp, necessity, conds,
                           qca_limits(budget))
        return run_qca(table, options, parley.cpu)

    try:
        return await run_in_threadpool(run)
    except QCATimeout:
        raise over_budget(budget, qca_command(
            data=name, conditions=conds, outcome=outcome, case_id=case_id, incl_cut=cuts,
            n_cut=n_cut, pri_cut=pri_cut, remainders=include_remainders, dir_exp=dir_exp,
            necessity=necessity)) from None
