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

from parley.analysis.its import ItsResult, ItsSpec, Model, Robust, fit_its, result_to_json
from parley.cli.errors import reported
from parley.domain.errors import InvalidInput
from parley.domain.monitoring import Period, parse_moment
from parley.interchange.indicator_csv import read_indicator_file

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
