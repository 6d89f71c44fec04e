"""Comparative analysis pages: cross-tabulation with charts, and QCA over the case base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from parley.domain.errors import InvalidInput, ValidationFailed
from parley.locale import say_error
from parley.render.charts import bar_chart, heat_map
from parley.services.analysis import ComparativeAnalysis
from parley.services.qca import BudgetExceeded, QcaSpec, unit_number
from parley.web.auth import CatalogueDep, csrf_check
from parley.web.deps import get_parley
from parley.web.pages.forms import render_form
from parley.web.pages.render import render

router = APIRouter(include_in_schema=False)


def _box(value: bool | None, submitted: bool, *, default: bool) -> bool:
    if value is not None:
        return value
    return False if submitted else default


@router.get("/analysis", response_class=HTMLResponse)
def crosstab_page(
    request: Request, catalogue: CatalogueDep,
    row: Annotated[str, Query(max_length=64)] = "group_type",
    col: Annotated[str, Query(max_length=64)] = "outcome_class",
    where: Annotated[str, Query(max_length=2000)] = "",
    unknown: bool | None = None,
    leaves_only: bool | None = None,
    submitted: bool = False,
) -> HTMLResponse:
    # an unticked checkbox sends nothing: after a submission, absent means false
    parley = get_parley(request)
    unknown = _box(unknown, submitted, default=True)
    leaves_only = _box(leaves_only, submitted, default=True)
    analysis = ComparativeAnalysis(catalogue)
    error = None
    tab = None
    try:
        tab = analysis.crosstab(row, col, where or None, unknown, leaves_only)
    except InvalidInput as exc:
        error = say_error(exc)
    charts: list[Markup] = []
    if tab is not None:
        charts.append(Markup(heat_map(tab)))  # noqa: S704 - labels escaped in render.charts
        charts.append(Markup(bar_chart(  # noqa: S704
            list(tab.row_codes), [tab.row_total(r) for r in tab.row_codes],
            f"Cases by {tab.row.name}")))
    variables = [v for v in parley.codebook.coded if v.type.has_codes]
    return render(request, "analysis/crosstab.html", {
        "tab": tab, "error": error, "row": row, "col": col, "where": where, "unknown": unknown,
        "leaves_only": leaves_only, "variables": variables, "charts": charts,
    })


@router.get("/analysis/qca", response_class=HTMLResponse)
def qca_page(
    request: Request, catalogue: CatalogueDep,
    conditions: Annotated[list[str] | None, Query(max_length=16)] = None,
    outcome: Annotated[str, Query(max_length=64)] = "LASTING",
    negate: bool = False,
    incl_cut: Annotated[float, Query(ge=0, le=1)] = 1.0,
    n_cut: Annotated[int, Query(ge=1, le=1000)] = 1,
    remainders: bool | None = None,
    unknown_as_absent: bool | None = None,
    leaves_only: bool | None = None,
    where: Annotated[str, Query(max_length=2000)] = "",
    row_dom: bool | None = None,
    pi_cons: Annotated[str, Query(max_length=20)] = "0",
    sol_cons: Annotated[str, Query(max_length=20)] = "0",
    sol_cov: Annotated[str, Query(max_length=20)] = "1",
    submitted: bool = False,
) -> HTMLResponse:
    parley = get_parley(request)
    negate = bool(negate)
    remainders = _box(remainders, submitted, default=True)
    unknown_as_absent = _box(unknown_as_absent, submitted, default=False)
    leaves_only = _box(leaves_only, submitted, default=True)
    row_dom = _box(row_dom, submitted, default=False)
    mapping = parley.qca.mapping()
    chosen = conditions or []
    directions = {c: request.query_params.get(f"dir_{c}", "-") for c in chosen}
    run = None
    error = None
    status = 200
    if submitted and not chosen:  # a submitted form with no box ticked: say so, not a blank page
        status = 400
        error = ("Tick at least one condition (up to 16) to run QCA: the conditions are the "
                 "possible causes whose combinations are tested against the outcome.")
    if chosen:
        dir_text = ",".join(f"{c}={d}" for c, d in directions.items() if d in ("0", "1", "-"))
        use_dirs = remainders and any(d in ("0", "1") for d in directions.values())
        try:
            spec = QcaSpec(
                incl_cut=(incl_cut,), n_cut=n_cut, include_remainders=remainders,
                dir_exp=dir_text if use_dirs else None, necessity=True, row_dom=row_dom,
                pi_cons=unit_number(pi_cons, "pi.cons"),
                sol_cons=unit_number(sol_cons, "sol.cons"),
                sol_cov=unit_number(sol_cov, "sol.cov"))
            run = parley.qca.on_cases(
                catalogue, spec, conditions=chosen, outcome=f"~{outcome}" if negate else outcome,
                where=where or None, unknown_as_absent=unknown_as_absent,
                leaves_only=leaves_only, budget=parley.settings.qca_time_budget)
        except InvalidInput as exc:
            error = say_error(exc)
        except BudgetExceeded as exc:  # the page says so where the result would be, form kept
            status = 422
            error = str(exc)
    return render(request, "analysis/qca.html", {
        "mapping": mapping, "chosen": chosen, "outcome": outcome, "negate": negate,
        "incl_cut": incl_cut, "n_cut": n_cut, "remainders": remainders,
        "unknown_as_absent": unknown_as_absent, "leaves_only": leaves_only, "where": where,
        "directions": directions, "run": run, "error": error, "row_dom": row_dom,
        "pi_cons": pi_cons, "sol_cons": sol_cons, "sol_cov": sol_cov,
    }, status)


CALIBRATE_FIELDS = ("column", "new_column", "thresholds", "anchors")
MAX_CALIBRATE_BYTES = 20 * 1024 * 1024


@router.get("/analysis/calibrate", response_class=HTMLResponse)
def calibrate_page(request: Request) -> HTMLResponse:
    return render_form(request, "analysis/calibrate.html", {"values": {}, "problems": []})


@router.post("/analysis/calibrate", response_model=None, dependencies=[Depends(csrf_check)])
async def calibrate_submit(
    request: Request,
    data: UploadFile,
    column: Annotated[str, Form(max_length=200)] = "",
    new_column: Annotated[str, Form(max_length=200)] = "",
    thresholds: Annotated[str, Form(max_length=200)] = "",
    anchors: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The page's own form: the calibrated CSV as a download, or the page again with what went
    wrong in words and what was typed kept (the API route answers JSON, meant for programs)."""
    parley = get_parley(request)
    values = {"column": column, "new_column": new_column, "thresholds": thresholds,
              "anchors": anchors}
    name = data.filename or "data.csv"
    try:
        raw = await data.read(MAX_CALIBRATE_BYTES + 1)
        if len(raw) > MAX_CALIBRATE_BYTES:
            raise InvalidInput(f"{name} is over {MAX_CALIBRATE_BYTES // (1024 * 1024)} MB")
        text = await run_in_threadpool(  # CPU work off the event loop
            parley.qca.add_set, raw, name, column=column, new_column=new_column,
            thresholds=thresholds, anchors=anchors)
    except ValidationFailed as exc:
        problems = [str(p) for p in exc.problems]
    except InvalidInput as exc:
        problems = [str(exc)]
    else:
        return Response(text, media_type="text/csv", headers={
            "Content-Disposition": 'attachment; filename="calibrated.csv"'})
    return render_form(request, "analysis/calibrate.html",
                       {"values": values, "problems": problems, "file_name": name}, 400)

