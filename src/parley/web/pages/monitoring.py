"""The workspace's Monitoring page (series, ITS chart and tables, alerts, upload) and the
members' Atom feed of alerts.

The page reads the series the member may see once (audited if restricted or secret), fits the
selected one, and draws the chart on the server (`render/charts.py`): no JavaScript. The feed
answers without a session, to a member's personal token (docs/security.md, "Public routes").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from parley.domain.access import Action, Classification, is_allowed
from parley.domain.account import Principal
from parley.domain.errors import Forbidden, InvalidInput, NotAuthenticated, ParleyError
from parley.domain.monitoring import Alert, MonitorSettings, parse_moment
from parley.domain.workspace import parse_classification
from parley.locale import say_error
from parley.render.charts import its_chart
from parley.services.its import Model, before_after, fit_its
from parley.web.api.monitoring import its_spec, parse_int, read_upload
from parley.web.auth import ItemCreator, ItemReader, csrf_check
from parley.web.deps import get_parley
from parley.web.errors import status_of
from parley.web.pages.forms import render_form

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_check)])
feeds = APIRouter(include_in_schema=False)
Param = Annotated[str | None, Query(max_length=40)]


def _page(request: Request, workspace_id: str, actor: Principal, *, series: str | None = None,
          intervention: str | None = None, seasonality: str | None = None,
          slope_change: bool = False, model: str | None = None, robust: str | None = None,
          errors: list[str] | None = None, notice: str = "", status: int = 200) -> HTMLResponse:
    parley = get_parley(request)
    view = parley.workspaces.get(actor, workspace_id)
    found, unreadable = parley.monitoring.list_series(actor, workspace_id, purpose="page")
    selected = next((s for s in found if s.id == series), found[0] if found else None)
    errors = list(errors or [])
    result = chart = None
    table = []
    if selected is not None:
        try:
            spec = its_spec(selected, intervention, None, seasonality, None, slope_change,
                            model, robust)
            result = fit_its(selected.series, spec)
            chart = Markup(its_chart(result, f"{selected.series.indicator} in "  # noqa: S704
                                             f"{selected.series.locality}"))
            same = [s.series for s in found if s.series.indicator == selected.series.indicator]
            table = before_after(same, spec.intervention)
        except InvalidInput as exc:
            errors.append(str(exc))
            status = 400 if status == 200 and intervention else status
    alerts: list[Alert] = parley.monitoring.alerts(actor, workspace_id)
    token = parley.monitoring.feed_token(actor, workspace_id)
    feed = (f"/feeds/workspaces/{workspace_id}/alerts.atom?"
            + urlencode({"user": actor.name, "token": token}))
    return render_form(request, "monitoring/page.html", {
        "view": view, "series": found, "unreadable": unreadable, "selected": selected,
        "result": result, "chart": chart, "table": table, "alerts": alerts, "feed": feed,
        "errors": errors, "notice": notice, "models": [m.value for m in Model],
        "params": {"intervention": intervention or (selected.settings.intervention or ""
                                                    if selected else ""),
                   "seasonality": seasonality or (str(selected.settings.seasonality)
                                                  if selected else "0"),
                   "slope_change": slope_change, "model": model or "quasi-poisson",
                   "robust": robust or ""},
        "create_classifications": [c for c in Classification if is_allowed(
            view.role, Action.ITEM_CREATE, c, actor.scope)],
    }, status)


@router.get("/workspaces/{workspace_id}/monitoring", response_class=HTMLResponse)
def monitoring_page(request: Request, workspace_id: str, actor: ItemReader,
                    series: Param = None, intervention: Param = None, seasonality: Param = None,
                    slope_change: bool = False, model: Param = None, robust: Param = None
                    ) -> HTMLResponse:
    return _page(request, workspace_id, actor, series=series, intervention=intervention,
                 seasonality=seasonality, slope_change=slope_change, model=model, robust=robust)


@router.post("/workspaces/{workspace_id}/monitoring")
async def monitoring_upload(
    request: Request, workspace_id: str, actor: ItemCreator, file: UploadFile,
    classification: Annotated[str, Form(max_length=20)] = "restricted",
    period: Annotated[str | None, Form(max_length=10)] = None,
    intervention: Annotated[str | None, Form(max_length=40)] = None,
    seasonality: Annotated[str | None, Form(max_length=4)] = None,
    offset: Annotated[str | None, Form(max_length=40)] = None,
    replace: Annotated[bool, Form()] = False,
) -> Response:
    try:
        level = parse_classification(classification)
        if intervention:
            parse_moment(intervention, "intervention")
        settings = MonitorSettings(intervention or None, parse_int(seasonality, "seasonality"),
                                   offset or None)
        table = await read_upload(request, file, period)
        report = get_parley(request).monitoring.import_table(
            actor, workspace_id, table, level, settings, replace_existing=replace)
    except (InvalidInput, Forbidden) as exc:
        return _page(request, workspace_id, actor, errors=say_error(exc).splitlines(),
                     status=status_of(exc))
    except ParleyError as exc:
        if status_of(exc) != 409:
            raise
        return _page(request, workspace_id, actor, errors=[str(exc)], status=409)
    target = f"/workspaces/{workspace_id}/monitoring"
    if report.created or report.replaced:
        target += "?" + urlencode({"series": (report.created or report.replaced)[0]})
    return RedirectResponse(target, status_code=303)


@feeds.get("/feeds/workspaces/{workspace_id}/alerts.atom")
def alerts_feed(request: Request, workspace_id: str,
                user: Annotated[str, Query(max_length=64)] = "",
                token: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The member's alerts as Atom; 401 for a wrong token or a non-member alike."""
    try:
        found = get_parley(request).monitoring.feed_alerts(workspace_id, user, token)
    except (NotAuthenticated, ParleyError) as exc:
        if status_of(exc) not in (401, 404):
            raise
        return Response("no valid feed token\n", status_code=401, media_type="text/plain")
    return Response(atom(workspace_id, found), media_type="application/atom+xml")


def atom(workspace_id: str, alerts: list[Alert]) -> str:
    """An Atom 1.0 document (RFC 4287), every text escaped."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = ["<?xml version='1.0' encoding='utf-8'?>",
             "<feed xmlns='http://www.w3.org/2005/Atom'>",
             f"<id>urn:parley:workspace:{escape(workspace_id)}:alerts</id>",
             "<title>Parley alerts</title>", f"<updated>{now}</updated>",
             f"<link rel='alternate' href={quoteattr(f'/workspaces/{workspace_id}/monitoring')}/>"]
    for a in alerts:
        ident = f"urn:parley:alert:{workspace_id}:{a.kind.value}:{a.ref}:{a.date}"
        parts += ["<entry>", f"<id>{escape(ident)}</id>", f"<title>{escape(a.title)}</title>",
                  f"<updated>{now}</updated>", f"<category term={quoteattr(a.kind.value)}/>",
                  f"<summary>{escape(a.date)}: {escape(a.detail)}</summary>", "</entry>"]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"
