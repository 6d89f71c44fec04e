"""Case explorer pages: list with facets and filters, search, case page, comparison."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley import locale
from parley.domain.access import Action, case_change_refusal, is_allowed
from parley.domain.errors import InvalidInput, QuerySyntaxError
from parley.domain.query import Or
from parley.services.case_exports import ExportFormat, case_file, citation
from parley.services.cases import COMPARE_MAX, COMPARE_MIN, DEFAULT_FACETS, all_of
from parley.web.auth import CatalogueDep, principal_of
from parley.web.deps import get_parley
from parley.web.pages.case_curation import VISIBILITIES
from parley.web.pages.forms import render_form
from parley.web.pages.render import render, shown_case, shown_case_title, shown_codebook

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


MAX_PICKS = 50  # ticks carried along; more than COMPARE_MAX is explained on the compare page


@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/cases", status_code=307)


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    catalogue: CatalogueDep,
    q: Annotated[str, Query(max_length=500)] = "",
    where: Annotated[str, Query(max_length=2000)] = "",
    f: Annotated[list[str] | None, Query(max_length=100)] = None,
    facet: Annotated[list[str] | None, Query(max_length=30)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ids: Annotated[list[str] | None, Query(max_length=MAX_PICKS)] = None,
) -> HTMLResponse:
    parley = get_parley(request)
    picked = list(dict.fromkeys(ids or []))
    selected, facet_node = catalogue.facet_filters(f or [])
    facets = list(dict.fromkeys([*DEFAULT_FACETS, *(facet or []), *selected]))
    catalogue.check_facets(facets)
    error = None
    where_node = None
    try:
        where_node = catalogue.parse_where(where)
    except InvalidInput as exc:
        error = locale.say_error(exc)
    combined = all_of(where_node, facet_node)
    try:
        result = catalogue.list_cases(
            combined, q or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, facets=facets
        )
    except QuerySyntaxError as exc:  # a malformed search: said on the page, nothing filtered
        error = locale.gettext("Search: %(problem)s") % {"problem": locale.say_error(exc)}
        result = catalogue.list_cases(combined, None, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE, facets=facets)

    # Cases ticked for comparison ride along in every link and live search (`ids`), so a new
    # search or page keeps them; those not in this page's results are listed above it.
    listed = {item.id for item in result.items}
    kept = [(i, shown_case_title(i, t))
            for i, t in catalogue.titles([i for i in picked if i not in listed]).items()]
    shown = shown_codebook(parley)

    def toggle(name: str, code: str) -> str:
        pairs = [x for x in (f or []) if x != f"{name}:{code}"]
        if f"{name}:{code}" not in (f or []):
            pairs.append(f"{name}:{code}")
        params: list[tuple[str, str]] = [("q", q), ("where", where)]
        params += [("f", x) for x in pairs] + [("facet", x) for x in (facet or [])]
        params += [("ids", x) for x in picked]
        return "/cases?" + urlencode([(k, v) for k, v in params if v])

    def export_url(fmt: str) -> str:
        params = [("format", fmt), ("q", q), ("where", where)] + [("f", x) for x in (f or [])]
        return "/cases/export?" + urlencode([(k, v) for k, v in params if v])

    def page_url(n: int) -> str:
        params = [("q", q), ("where", where), ("page", str(n))]
        params += [("f", x) for x in (f or [])] + [("facet", x) for x in (facet or [])]
        params += [("ids", x) for x in picked]
        return "/cases?" + urlencode([(k, v) for k, v in params if v])

    context = {
        "q": q, "where": where, "error": error, "page": result, "page_number": page,
        "page_size": PAGE_SIZE, "facets": [(shown[n], result.facets[n]) for n in facets],
        "selected": selected, "toggle": toggle, "page_url": page_url, "codebook": shown,
        "filter_variables": [v for v in shown.coded if v.type.has_codes],
        "extra_facets": facet or [],
        "can_import": _may(request, Action.CASE_IMPORT),
        "picked": set(picked), "kept": kept, "export_url": export_url,
        "citation": citation(date.today()), "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
    }
    name = "cases/_results.html" if request.headers.get("HX-Request") else "cases/list.html"
    return render(request, name, context)


@router.get("/cases/export", response_model=None)
def export_cases(
    request: Request, catalogue: CatalogueDep,
    format: Annotated[ExportFormat, Query()] = ExportFormat.CSV,
    q: Annotated[str, Query(max_length=500)] = "",
    where: Annotated[str, Query(max_length=2000)] = "",
    f: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> Response:
    """The list as it is filtered now (every page), as CSV, JSON (the import shape) or a data
    package (CSV + `datapackage.json` with the codebook as its schema + CITATION.txt)."""
    parley = get_parley(request)
    _, facet_node = catalogue.facet_filters(f or [])
    cases = catalogue.select(all_of(catalogue.parse_where(where), facet_node), q or None)
    filters = "; ".join(x for x in (f"search “{q}”" if q else "", where, ", ".join(f or []))
                        if x)
    exported = case_file(cases, parley.codebook, format, filters=filters, today=date.today())
    return Response(exported.body, media_type=exported.media_type, headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"',
        "X-Parley-Cases": str(exported.count)})


def _may(request: Request, action: Action) -> bool:
    """Whether the signed-in account's role permits a case-base change (controls are shown
    only then; the guard and the service decide again)."""
    actor = principal_of(request)
    return actor is not None and is_allowed(None, action, scope=actor.scope,
                                            account=actor.account_role)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, catalogue: CatalogueDep
              ) -> HTMLResponse:
    parley = get_parley(request)
    stored = catalogue.get(case_id)
    case = shown_case(stored.case)
    groups = [
        (group, [(v, case.values[v.name]) for v in variables if v.coded])
        for group, variables in shown_codebook(parley).groups()
    ]
    known = sum(1 for v in case.values.values() if not v.is_unknown)
    reader = catalogue.reader
    changeable = case_change_refusal(reader, stored.access) is None
    context = {
        "stored": stored, "case": case, "groups": groups, "known": known,
        "total": len(case.values), "children": catalogue.children(case_id),
        "signed_in": reader.user is not None,
        "can_delete": changeable and _may(request, Action.CASE_DELETE),
        "can_publish": changeable and _may(request, Action.CASE_PUBLISH),
        "can_replace": changeable and _may(request, Action.CASE_UPDATE),
    }
    if not (context["can_delete"] or context["can_publish"]):
        return render(request, "cases/detail.html", context)
    actor = principal_of(request)
    assert actor is not None
    context["visibilities"] = VISIBILITIES
    context["workspaces"] = [(ws.id, ws.name) for ws, _ in parley.workspaces.mine(actor)]
    return render_form(request, "cases/detail.html", context)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, catalogue: CatalogueDep,
    ids: Annotated[list[str] | None, Query(max_length=MAX_PICKS)] = None,
    only_differences: bool = False,
) -> HTMLResponse:
    parley = get_parley(request)
    picked = list(dict.fromkeys(ids or []))
    if not COMPARE_MIN <= len(picked) <= COMPARE_MAX:  # in words, with the way back kept
        back = "/cases?" + urlencode([("ids", i) for i in picked])
        return render(request, "cases/compare.html", {
            "picked": len(picked), "back": back, "compare_min": COMPARE_MIN,
            "compare_max": COMPARE_MAX, "cases": []}, 400)
    result = catalogue.compare(picked)
    differing = set(result.differing)
    rows = [
        (v, [c.values[v.name] for c in result.cases], v.name in differing)
        for v in shown_codebook(parley).coded
        if not only_differences or v.name in differing
    ]
    return render(request, "cases/compare.html", {
        "cases": [shown_case(c) for c in result.cases], "rows": rows, "only_differences": only_differences,
        "ids": [c.id for c in result.cases], "differing": len(differing),
    })


@router.get("/codebook", response_class=HTMLResponse)
def codebook_page(request: Request) -> HTMLResponse:
    parley = get_parley(request)
    return render(request, "codebook.html", {"groups": shown_codebook(parley).groups()})


__all__ = ["Or", "router"]
