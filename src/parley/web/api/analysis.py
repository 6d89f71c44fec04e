"""/api/crosstab and /api/qca: comparative analysis over the case base and over any CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from parley.services.analysis import ComparativeAnalysis
from parley.services.qca import QcaSpec
from parley.web.api.cases import ERRORS
from parley.web.auth import CatalogueDep
from parley.web.deps import get_parley

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
    row_dom: bool = Field(False, description="R's row.dom: drop dominated prime implicants")
    pi_cons: float = Field(0.0, ge=0, le=1, description="R's pi.cons")
    sol_cons: float = Field(0.0, ge=0, le=1, description="R's sol.cons")
    sol_cov: float = Field(1.0, ge=0, le=1, description="R's sol.cov (with sol_cons)")
    unknown_as_absent: bool = False
    leaves_only: bool = True
    where: str | None = Field(None, max_length=2000)

    def spec(self) -> QcaSpec:
        return QcaSpec(incl_cut=self.incl_cut, n_cut=self.n_cut, pri_cut=self.pri_cut,
                       include_remainders=self.include_remainders, dir_exp=self.dir_exp,
                       necessity=self.necessity, row_dom=self.row_dom, pi_cons=self.pi_cons,
                       sol_cons=self.sol_cons, sol_cov=self.sol_cov)


@router.get("/qca/mapping")
def qca_mapping(request: Request) -> dict[str, dict[str, dict[str, str]]]:
    """The conditions and outcomes defined over codebook variables (qca-conditions.yaml)."""
    parley = get_parley(request)
    m = parley.qca.mapping()
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
    run = parley.qca.on_cases(
        catalogue, body.spec(), conditions=body.conditions, outcome=body.outcome,
        where=body.where, unknown_as_absent=body.unknown_as_absent,
        leaves_only=body.leaves_only, budget=parley.settings.qca_time_budget)
    return run.result


@router.post("/qca/calibrate", response_class=Response,
             responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                              "description": "The CSV with the new set column"}})
async def qca_calibrate(
    request: Request, data: UploadFile,
    column: Annotated[str, Form(max_length=200)],
    new_column: Annotated[str, Form(max_length=200)],
    thresholds: Annotated[str, Form(max_length=200, description="crisp: T1[,T2...]")] = "",
    anchors: Annotated[str, Form(max_length=200,
                                 description="fuzzy: exclusion,crossover,inclusion")] = "",
) -> Response:
    """Turn a raw column into a crisp or fuzzy set; returns the CSV with the new column."""
    parley = get_parley(request)
    raw = await data.read(20 * 1024 * 1024 + 1)
    text = await run_in_threadpool(  # CPU work off the event loop
        parley.qca.add_set, raw, data.filename or "data.csv", column=column,
        new_column=new_column, thresholds=thresholds, anchors=anchors)
    return Response(text, media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="calibrated.csv"'})


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
    multi_value: Annotated[str | None, Form(
        max_length=2000, description="multi-value conditions coded 0..m (mvQCA): A,B")] = None,
    row_dom: Annotated[bool, Form(description="R's row.dom")] = False,
    pi_cons: Annotated[float, Form(ge=0, le=1, description="R's pi.cons")] = 0.0,
    sol_cons: Annotated[float, Form(ge=0, le=1, description="R's sol.cons")] = 0.0,
    sol_cov: Annotated[float, Form(ge=0, le=1, description="R's sol.cov")] = 1.0,
) -> dict[str, Any]:
    """QCA on an uploaded calibrated CSV (as `parley qca`), in the QCA JSON shape.

    Parsing runs in the thread pool, the search in a worker process (`Parley.cpu`), within
    PARLEY_QCA_TIME_BUDGET seconds: past it, 422 naming the budget and the `parley qca` command
    that runs it without one.
    """
    parley = get_parley(request)
    raw = await data.read(20 * 1024 * 1024 + 1)
    spec = QcaSpec(incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut,
                   include_remainders=include_remainders, dir_exp=dir_exp,
                   necessity=necessity, row_dom=row_dom, pi_cons=pi_cons, sol_cons=sol_cons,
                   sol_cov=sol_cov)
    return await run_in_threadpool(
        parley.qca.on_csv, raw, data.filename or "data.csv", spec, outcome=outcome,
        conditions=conditions, case_id=case_id, multi_value=multi_value or "",
        budget=parley.settings.qca_time_budget)
