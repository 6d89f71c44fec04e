"""/api/workspaces/{id}/indicators, .../its and .../alerts: monitoring for scripts.

Each route declares its action with `guard` (item actions: series are classified like items);
handlers parse, call `parley.monitoring`, and shape the answer. Bad files and parameters get
400 naming file:line or the parameter; nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from pydantic import BaseModel

from parley.domain.errors import InvalidInput, Problem, TooLarge, ValidationFailed
from parley.domain.monitoring import (
    Alert,
    IndicatorTable,
    MonitorSettings,
    Period,
    StoredSeries,
    parse_moment,
)
from parley.domain.workspace import parse_classification
from parley.services.inputs import parse_indicator_text
from parley.services.its import ItsSpec, Model, Robust, result_to_json
from parley.web.api.workspaces import ERRORS
from parley.web.auth import ItemCreator, ItemReader
from parley.web.deps import get_parley

router = APIRouter(prefix="/api", tags=["monitoring"], responses=ERRORS)
Text = Annotated[str | None, Query(max_length=40)]


class SeriesOut(BaseModel):
    id: str
    locality: str
    indicator: str
    period: str
    classification: str
    version: int
    points: int
    first: str
    last: str
    intervention: str | None
    seasonality: int
    offset: str | None

    @classmethod
    def of(cls, s: StoredSeries) -> SeriesOut:
        pts = s.series.points
        return cls(id=s.id, locality=s.series.locality, indicator=s.series.indicator,
                   period=s.series.period.value, classification=s.classification,
                   version=s.version, points=len(pts), first=pts[0].label if pts else "",
                   last=pts[-1].label if pts else "", intervention=s.settings.intervention,
                   seasonality=s.settings.seasonality, offset=s.settings.offset)


class IndicatorImportOut(BaseModel):
    created: list[str]
    replaced: list[str]
    rows: int
    gaps: list[str]


class AlertOut(BaseModel):
    kind: str
    title: str
    detail: str
    date: str
    ref: str

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(kind=a.kind.value, title=a.title, detail=a.detail, date=a.date, ref=a.ref)


async def read_upload(request: Request, file: UploadFile, period: str | None) -> IndicatorTable:
    """Validate an uploaded CSV (size-limited, UTF-8) into series; 400 naming file:line."""
    limit = get_parley(request).settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit} bytes")
    name = file.filename or "upload.csv"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(f"not UTF-8 text ({exc.reason})", file=name)]) from None
    return parse_indicator_text(text, name, parse_period(period))


def parse_period(raw: str | None) -> Period | None:
    if not raw:
        return None
    try:
        return Period(raw)
    except ValueError:
        raise InvalidInput(f"period: {raw!r}; allowed: day, week, month") from None


def parse_int(raw: str | None, name: str, default: int = 0) -> int:
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name}: {raw!r} is not a whole number") from None


def its_spec(stored: StoredSeries, intervention: str | None, end: str | None,
             seasonality: str | None, offset: str | None, slope_change: bool,
             model: str | None, robust: str | None) -> ItsSpec:
    """The spec from request parameters, defaulting to the series' stored settings."""
    chosen = intervention or stored.settings.intervention
    if not chosen:
        raise InvalidInput("intervention: this series has no intervention date stored; give one")
    try:
        fam = Model(model) if model else Model.QUASI_POISSON
    except ValueError:
        raise InvalidInput(f"model: {model!r}; allowed: "
                           + ", ".join(m.value for m in Model)) from None
    if robust and robust != Robust.HAC.value:
        raise InvalidInput(f"robust: {robust!r}; allowed: hac")
    return ItsSpec(parse_moment(chosen, "intervention"),
                   end=parse_moment(end, "end") if end else None,
                   offset=offset if offset is not None else stored.settings.offset,
                   seasonality=parse_int(seasonality, "seasonality", stored.settings.seasonality),
                   slope_change=slope_change, model=fam,
                   robust=Robust.HAC if robust else None)


@router.get("/workspaces/{workspace_id}/indicators", response_model=list[SeriesOut])
def list_indicators(request: Request, workspace_id: str, actor: ItemReader) -> list[SeriesOut]:
    """The indicator series you may see (restricted and secret ones read are audited)."""
    found, _ = get_parley(request).monitoring.list_series(actor, workspace_id)
    return [SeriesOut.of(s) for s in found]


@router.post("/workspaces/{workspace_id}/indicators", response_model=IndicatorImportOut, status_code=201)
async def import_indicators(
    request: Request, workspace_id: str, actor: ItemCreator, file: UploadFile,
    classification: Annotated[str, Form(max_length=20)] = "restricted",
    period: Annotated[str | None, Form(max_length=10)] = None,
    intervention: Annotated[str | None, Form(max_length=40)] = None,
    seasonality: Annotated[str | None, Form(max_length=4)] = None,
    offset: Annotated[str | None, Form(max_length=40)] = None,
    replace: Annotated[bool, Form()] = False,
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> IndicatorImportOut:
    """Store a CSV's series (`date,locality,indicator,value[,population][,...]`); all or
    nothing; 409 if a series exists and `replace` is not set, or if `version` (the version you
    read) is no longer the stored series' version."""
    level = parse_classification(classification)
    settings = MonitorSettings(intervention or None, parse_int(seasonality, "seasonality"),
                               offset or None)
    table = await read_upload(request, file, period)
    report = get_parley(request).monitoring.import_table(
        actor, workspace_id, table, level, settings, replace_existing=replace,
        expected_version=version)
    return IndicatorImportOut(created=list(report.created), replaced=list(report.replaced),
                     rows=report.rows, gaps=[str(g) for g in report.gaps])


@router.get("/workspaces/{workspace_id}/indicators/{series_id}/its")
def run_its(request: Request, workspace_id: str, series_id: str, actor: ItemReader,
            intervention: Text = None, end: Text = None, seasonality: Text = None,
            offset: Text = None, slope_change: bool = False, model: Text = None,
            robust: Text = None) -> dict[str, Any]:
    """The ITS estimate (JSON of `parley monitor its`); parameters default to the series'
    stored settings."""
    _, result = get_parley(request).monitoring.its(
        actor, workspace_id, series_id,
        lambda stored: its_spec(stored, intervention, end, seasonality, offset, slope_change,
                                model, robust))
    return result_to_json(result)


@router.get("/workspaces/{workspace_id}/alerts", response_model=list[AlertOut])
def list_alerts(request: Request, workspace_id: str, actor: ItemReader) -> list[AlertOut]:
    """Alerts: violence back up after the deal, overdue commitments, breaches."""
    return [AlertOut.of(a) for a in get_parley(request).monitoring.alerts(actor, workspace_id)]
