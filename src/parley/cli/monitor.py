"""`parley monitor ...`: indicator series, interrupted-time-series estimates and alerts.

statsmodels is imported only when a model is fitted, so `parley --help` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from parley.cli.context import open_parley, operator
from parley.cli.errors import reported
from parley.domain.access import Classification
from parley.domain.errors import InvalidInput
from parley.domain.monitoring import MonitorSettings, Period, parse_moment
from parley.services.inputs import read_indicator_file
from parley.services.its import ItsResult, ItsSpec, Model, Robust, fit_its, result_to_json
from parley.services.monitoring import check_settings

app = typer.Typer(help="Monitoring: indicator series, ITS estimates, alerts.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)


class Format(StrEnum):
    json = "json"
    table = "table"


@app.command("its")
def its(
    data: Annotated[Path, typer.Option(
        "--data", help="Indicator CSV: date,locality,indicator,value[,population][,...].")],
    indicator: Annotated[str, typer.Option("--indicator", help="Indicator to analyse.")],
    intervention: Annotated[str, typer.Option(
        "--intervention", help="Date of the deal or intervention: YYYY-MM-DD, YYYY-MM or YYYY-Www.")],
    locality: Annotated[str | None, typer.Option(
        "--locality", help="Locality (needed when the indicator is measured in several).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last date analysed.")] = None,
    offset: Annotated[str | None, typer.Option(
        "--offset", help="Column used as log offset: population or an extra column.")] = None,
    seasonality: Annotated[int, typer.Option(
        "--seasonality", help="Sin/cos pairs of the month (period 12) or ISO week (52).")] = 0,
    slope_change: Annotated[bool, typer.Option(
        "--slope-change", help="Also estimate a change in slope after the intervention.")] = False,
    model: Annotated[Model, typer.Option("--model", help="GLM family.")] = Model.QUASI_POISSON,
    robust: Annotated[Robust | None, typer.Option(
        "--robust", help="hac: Newey-West standard errors against autocorrelation.")] = None,
    control_locality: Annotated[str | None, typer.Option(
        "--control-locality", help="Same indicator in a locality without the intervention.")] = None,
    control_indicator: Annotated[str | None, typer.Option(
        "--control-indicator", help="Another indicator of the locality, unaffected by it.")] = None,
    period: Annotated[Period | None, typer.Option(
        "--period", help="Period of the data (default: inferred from the dates).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="json or table.")] = Format.table,
) -> None:
    """Interrupted-time-series estimate of the change at the intervention (segmented GLM).

    Example: parley monitor its --data sicily.csv --indicator aces --intervention 2005-01
    --offset stdpop --seasonality 2 --format table
    """
    with reported():
        if control_locality is not None and control_indicator is not None:
            raise InvalidInput("--control-locality and --control-indicator: give at most one")
        spec = ItsSpec(
            intervention=parse_moment(intervention, "--intervention"),
            end=parse_moment(end, "--end") if end is not None else None,
            offset=offset, seasonality=seasonality, slope_change=slope_change, model=model,
            robust=robust)
        table = read_indicator_file(data, period)
        if offset is not None and offset != "population" and offset not in table.covariate_names:
            raise InvalidInput(f"--offset: no column {offset!r} in {data}; columns: "
                               + ", ".join(("population", *table.covariate_names)))
        series = table.find(indicator, locality)
        control = None
        kind = "locality"
        if control_locality is not None:
            control = table.find(indicator, control_locality, what="--control-locality")
            if control.key == series.key:
                raise InvalidInput("--control-locality: the control must differ from --locality")
        elif control_indicator is not None:
            kind = "indicator"
            control = table.find(control_indicator, series.locality, what="--control-indicator")
            if control.key == series.key:
                raise InvalidInput("--control-indicator: the control must differ from --indicator")
        result = fit_its(series, spec, control=control, control_kind=kind)
        if fmt is Format.json:
            typer.echo(json.dumps(result_to_json(result), indent=2, allow_nan=False))
        else:
            print_its(result)
        for gap in series.gaps():
            typer.echo(f"gap: {gap}", err=True)


def print_its(result: ItsResult) -> None:
    """The estimates as a table, then the warnings."""
    title = (f"{result.indicator} in {result.locality}: {result.model.value}"
             f"{', HAC' if result.robust else ''}, n = {result.n} {result.period.value}s, "
             f"intervention {result.intervention}")
    if result.control is not None:
        title += f", compared with {result.control.kind} {result.control.name}"
    table = Table(title=title)
    for column in ("estimate", "rate ratio", "95% CI", "p"):
        table.add_column(column, justify="left" if column == "estimate" else "right")
    rows = [("level change", result.level_change)]
    if result.slope_change is not None:
        rows.append(("slope change (per period)", result.slope_change))
    rows.append(("pre-intervention trend (per period)", result.pre_trend))
    for name, est in rows:
        table.add_row(name, f"{est.rate_ratio:.4f}", f"{est.ci[0]:.4f}–{est.ci[1]:.4f}",
                      f"{est.p:.3g}" if name != rows[-1][0] else "")
    out.print(table)
    lo, hi = result.prevented_ci
    out.print(f"events prevented after the intervention: {result.prevented:.1f} "
              f"(95% CI {lo:.1f} to {hi:.1f})")
    out.print(f"dispersion {result.dispersion:.4g}; residual autocorrelation lag 1 "
              f"{result.autocorrelation_lag1:.3f}, Ljung-Box p {result.ljung_box_p:.3g} "
              f"({result.ljung_box_lags} lags)")
    for warning in result.warnings:
        out.print(f"warning: {warning}")


@app.command("import")
def import_(
    workspace_id: Annotated[str, typer.Argument(metavar="WS", help="Workspace id.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Indicator CSV (long form).")],
    classification: Annotated[Classification, typer.Option(
        "--classification", help="Like items: public, restricted (encrypted) or secret.")]
    = Classification.RESTRICTED,
    period: Annotated[Period | None, typer.Option(
        "--period", help="Period of the data (default: inferred from the dates).")] = None,
    intervention: Annotated[str | None, typer.Option(
        "--intervention", help="Date of the deal, used by the page and the alerts.")] = None,
    seasonality: Annotated[int, typer.Option(
        "--seasonality", help="Harmonic pairs used by the page and the alerts.")] = 0,
    offset: Annotated[str | None, typer.Option(
        "--offset", help="Offset column used by the page and the alerts.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace stored series with the same locality and indicator.")]
    = False,
) -> None:
    """Store a file's indicator series in a workspace (validated first; all or nothing; audited).

    Example: parley monitor import 3hX9... homicides.csv --intervention 2012-03 --seasonality 2
    """
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with reported():
        settings = MonitorSettings(intervention, seasonality, offset)
        check_settings(settings)
        size = file.stat().st_size if file.exists() else 0
        with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                      TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
                      console=Console(stderr=True), transient=False) as bar:
            reading = bar.add_task("reading", total=max(size, 1))
            table = read_indicator_file(file, period,
                                        on_bytes=lambda n: bar.update(reading, completed=n))
            bar.update(reading, completed=max(size, 1))
            storing = bar.add_task("storing", total=max(table.rows, 1))
            report = open_parley().monitoring.import_table(
                operator(), workspace_id, table, classification, settings,
                replace_existing=replace, progress=lambda n: bar.update(storing, completed=n))
        typer.echo(f"stored {report.rows} rows: {len(report.created)} new series, "
                   f"{len(report.replaced)} replaced")
        for gap in report.gaps:
            typer.echo(f"gap: {gap}", err=True)


@app.command("alerts")
def alerts(
    workspace_id: Annotated[str, typer.Argument(metavar="WS", help="Workspace id.")],
    fmt: Annotated[Format, typer.Option("--format", help="json or table.")] = Format.table,
) -> None:
    """The workspace's alerts: violence back up after the deal, overdue commitments, breaches.

    Example: parley monitor alerts 3hX9... --format json
    """
    with reported():
        found = open_parley().monitoring.alerts(operator(), workspace_id)
        if fmt is Format.json:
            typer.echo(json.dumps([{"kind": a.kind.value, "title": a.title, "detail": a.detail,
                                    "date": a.date, "ref": a.ref} for a in found], indent=2))
            return
        table = Table(title=f"{len(found)} alert(s)")
        for column in ("kind", "date", "alert", "detail"):
            table.add_column(column)
        for a in found:
            table.add_row(a.kind.value, a.date, a.title, a.detail)
        out.print(table)
