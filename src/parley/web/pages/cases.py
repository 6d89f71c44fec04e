"""Case explorer pages: list with facets and filters, search, case page, comparison."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parley import __version__, locale
from parley.domain.access import Action, case_change_refusal, is_allowed
from parley.domain.case import case_to_dict
from parley.domain.codebook import Codebook
from parley.domain.errors import InvalidInput, QuerySyntaxError
from parley.domain.query import And, Has, In, Node, Or
from parley.interchange.case_csv import cases_to_csv
from parley.knowledge.citation import cases_package, how_to_cite
from parley.services.cases import COMPARE_MAX, COMPARE_MIN, DEFAULT_FACETS
from parley.web.auth import principal_of
from parley.web.deps import CatalogueDep, ParleyDep
from parley.web.pages.case_curation import VISIBILITIES
from parley.web.pages.forms import render_form
from parley.web.pages.render import render, shown_case, shown_case_title, shown_codebook

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    DATAPACKAGE = "datapackage"


MAX_PICKS = 50  # ticks carried along; more than COMPARE_MAX is explained on the compare page


def facet_filters(raw: list[str], codebook: Codebook) -> tuple[dict[str, list[str]], Node | None]:
    """`variable:code` pairs -> selected codes by variable and a query node (OR within a
    variable, AND across variables)."""
    selected: dict[str, list[str]] = {}
    for item in raw:
        name, _, code = item.partition(":")
        var = codebook.get(name)
        if var is None or not var.coded or not var.type.has_codes or code not in var.codes:
            raise InvalidInput(f"filter '{item}' is not variable:code with a codebook code")
        if code not in selected.setdefault(name, []):
            selected[name].append(code)
    nodes: list[Node] = []
    for name, codes in selected.items():
        if codebook[name].type.is_list:
            nodes.append(Has(name, "any", tuple(codes)))
        else:
            nodes.append(In(name, tuple(codes)))
    if not nodes:
        return selected, None
    return selected, nodes[0] if len(nodes) == 1 else And(tuple(nodes))


@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/cases", status_code=307)


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    parley: ParleyDep,
    catalogue: CatalogueDep,
    q: Annotated[str, Query(max_length=500)] = "",
    where: Annotated[str, Query(max_length=2000)] = "",
    f: Annotated[list[str] | None, Query(max_length=100)] = None,
    facet: Annotated[list[str] | None, Query(max_length=30)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ids: Annotated[list[str] | None, Query(max_length=MAX_PICKS)] = None,
) -> HTMLResponse:
    codebook = parley.codebook
    picked = list(dict.fromkeys(ids or []))
    selected, facet_node = facet_filters(f or [], codebook)
    facets = list(dict.fromkeys([*DEFAULT_FACETS, *(facet or []), *selected]))
    for name in facets:
        var = codebook.get(name)
        if var is None or not var.coded or not var.type.has_codes:
            raise InvalidInput(f"facet '{name}' is not a coded variable with codes")
    error = None
    where_node = None
    try:
        where_node = catalogue.parse_where(where)
    except InvalidInput as exc:
        error = locale.say_error(exc)
    nodes = [n for n in (where_node, facet_node) if n is not None]
    combined: Node | None = None
    if nodes:
        combined = nodes[0] if len(nodes) == 1 else And(tuple(nodes))
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
        "citation": how_to_cite(__version__, date.today()), "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
    }
    name = "cases/_results.html" if request.headers.get("HX-Request") else "cases/list.html"
    return render(request, name, context)


@router.get("/cases/export", response_model=None)
def export_cases(
    parley: ParleyDep,
    catalogue: CatalogueDep,
    format: Annotated[ExportFormat, Query()] = ExportFormat.CSV,
    q: Annotated[str, Query(max_length=500)] = "",
    where: Annotated[str, Query(max_length=2000)] = "",
    f: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> Response:
    """The list as it is filtered now (every page), as CSV, JSON (the import shape) or a data
    package (CSV + `datapackage.json` with the codebook as its schema + CITATION.txt)."""
    _, facet_node = facet_filters(f or [], parley.codebook)
    nodes = [n for n in (catalogue.parse_where(where), facet_node) if n is not None]
    node: Node | None = None
    if nodes:
        node = nodes[0] if len(nodes) == 1 else And(tuple(nodes))
    cases = catalogue.select(node, q or None)
    today = date.today()
    stem = f"parley-cases-{today.isoformat()}"
    if format is ExportFormat.CSV:
        body: bytes = cases_to_csv(cases, parley.codebook).encode()
        media, name = "text/csv; charset=utf-8", f"{stem}.csv"
    elif format is ExportFormat.JSON:
        body = (json.dumps([case_to_dict(c) for c in cases], ensure_ascii=False, indent=2)
                + "\n").encode()
        media, name = "application/json", f"{stem}.json"
    else:
        filters = "; ".join(x for x in (f"search “{q}”" if q else "", where,
                                         ", ".join(f or [])) if x) or "all cases"
        body = cases_package(cases, parley.codebook, filters, today)
        media, name = "application/zip", f"{stem}-datapackage.zip"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Parley-Cases": str(len(cases))})


def _may(request: Request, action: Action) -> bool:
    """Whether the signed-in account's role permits a case-base change (controls are shown
    only then; the guard and the service decide again)."""
    actor = principal_of(request)
    return actor is not None and is_allowed(None, action, scope=actor.scope,
                                            account=actor.account_role)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, parley: ParleyDep, catalogue: CatalogueDep
              ) -> HTMLResponse:
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
    request: Request, parley: ParleyDep, catalogue: CatalogueDep,
    ids: Annotated[list[str] | None, Query(max_length=MAX_PICKS)] = None,
    only_differences: bool = False,
) -> HTMLResponse:
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
def codebook_page(request: Request, parley: ParleyDep) -> HTMLResponse:
    return render(request, "codebook.html", {"groups": shown_codebook(parley).groups()})


__all__ = ["Or", "router"]
