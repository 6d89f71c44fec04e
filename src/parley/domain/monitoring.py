"""Indicator series for monitoring violence before and after a deal.

An indicator is a count per period (homicides a month, extortion reports a week) for one
locality, optionally with a population at risk and other positive covariates usable as an
offset. Periods are days, ISO weeks or calendar months; each period has a label in the form the
user wrote it (`2005-01-15`, `2005-W03`, `2005-01`), a start date and an ordinal, so that gaps
are found and the time index of the regression (`analysis/its.py`) keeps the spacing of the
calendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from parley.domain.errors import InvalidInput

MAX_NAME = 200


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

DATE_FORMS = "YYYY-MM-DD, YYYY-MM or ISO week YYYY-Www"


def parse_period_label(text: str) -> tuple[Period, date]:
    """The period a label names and the period's first day (Monday for a week).

    Raises:
        ValueError: with a message naming the accepted forms.
    """
    text = text.strip()
    try:
        if m := _DAY.match(text):
            return Period.DAY, date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH.match(text):
            return Period.MONTH, date(int(m[1]), int(m[2]), 1)
        if m := _WEEK.match(text):
            return Period.WEEK, date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date ({DATE_FORMS})") from None
    raise ValueError(f"{text!r} is not a date of the form {DATE_FORMS}")


def period_start(period: Period, day: date) -> date:
    """The first day of the `period` that contains `day`."""
    if period is Period.MONTH:
        return day.replace(day=1)
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day


def period_ordinal(period: Period, start: date) -> int:
    """Consecutive periods have consecutive ordinals (months: 12·year + month)."""
    if period is Period.MONTH:
        return start.year * 12 + start.month - 1
    if period is Period.WEEK:
        return start.toordinal() // 7
    return start.toordinal()


def period_label(period: Period, start: date) -> str:
    """The canonical label of a period (the inverse of `parse_period_label`)."""
    if period is Period.MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    if period is Period.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return start.isoformat()


def start_of_ordinal(period: Period, ordinal: int) -> date:
    """The first day of the period with this ordinal."""
    if period is Period.MONTH:
        return date(ordinal // 12, ordinal % 12 + 1, 1)
    if period is Period.WEEK:
        return date.fromordinal(ordinal * 7 + 1)  # day 1 (0001-01-01) was a Monday
    return date.fromordinal(ordinal)


def parse_moment(text: str, what: str) -> date:
    """A date given as a parameter (`--intervention 2005-01`), as the first day it names.

    A day inside a week or month is allowed: the intervention then takes effect from the first
    period starting on or after it.

    Raises:
        InvalidInput: naming the parameter.
    """
    try:
        _, start = parse_period_label(text)
    except ValueError as exc:
        raise InvalidInput(f"{what}: {exc}") from None
    return start


@dataclass(frozen=True)
class Point:
    """One observation of a series: the count in one period."""

    label: str
    start: date
    ordinal: int
    value: float
    population: float | None = None
    covariates: Mapping[str, float] = field(default_factory=dict)

    def offset(self, column: str) -> float | None:
        """The named offset column's value (`population` or another covariate)."""
        if column == "population":
            return self.population
        return self.covariates.get(column)


@dataclass(frozen=True)
class Gap:
    """Periods missing inside a series (first and last missing label, inclusive)."""

    locality: str
    indicator: str
    first: str
    last: str
    periods: int

    def __str__(self) -> str:
        span = self.first if self.periods == 1 else f"{self.first} to {self.last}"
        return f"{self.locality} / {self.indicator}: {self.periods} period(s) missing ({span})"


@dataclass(frozen=True)
class IndicatorSeries:
    """The observations of one indicator in one locality, sorted by period, without duplicates."""

    locality: str
    indicator: str
    period: Period
    points: tuple[Point, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.locality, self.indicator)

    def gaps(self) -> list[Gap]:
        """Runs of missing periods between the first and the last observation."""
        found: list[Gap] = []
        for before, after in zip(self.points, self.points[1:], strict=False):
            missing = after.ordinal - before.ordinal - 1
            if missing > 0:
                first = start_of_ordinal(self.period, before.ordinal + 1)
                last = start_of_ordinal(self.period, after.ordinal - 1)
                found.append(Gap(self.locality, self.indicator, period_label(self.period, first),
                                 period_label(self.period, last), missing))
        return found

    def until(self, end: date) -> IndicatorSeries:
        """The series cut after the period containing `end`."""
        kept = tuple(p for p in self.points if p.start <= end)
        return IndicatorSeries(self.locality, self.indicator, self.period, kept)


@dataclass(frozen=True)
class IndicatorTable:
    """A validated set of series read from one file (or from storage)."""

    period: Period
    series: tuple[IndicatorSeries, ...]
    covariate_names: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(len(s.points) for s in self.series)

    def gaps(self) -> list[Gap]:
        return [g for s in self.series for g in s.gaps()]

    def localities(self) -> list[str]:
        return sorted({s.locality for s in self.series})

    def indicators(self) -> list[str]:
        return sorted({s.indicator for s in self.series})

    def find(self, indicator: str, locality: str | None, *, what: str = "--indicator") -> IndicatorSeries:
        """The one series of `indicator` in `locality` (which may be omitted when the indicator
        is measured in a single locality).

        Raises:
            InvalidInput: naming the parameter and the values present.
        """
        of_indicator = [s for s in self.series if s.indicator == indicator]
        if not of_indicator:
            raise InvalidInput(f"{what}: no indicator {indicator!r}; present: "
                               f"{', '.join(self.indicators()) or 'none'}")
        if locality is None:
            if len(of_indicator) > 1:
                raise InvalidInput(
                    f"--locality: {indicator!r} is measured in several localities, name one of: "
                    + ", ".join(s.locality for s in of_indicator))
            return of_indicator[0]
        for s in of_indicator:
            if s.locality == locality:
                return s
        raise InvalidInput(f"--locality: no locality {locality!r} for {indicator!r}; present: "
                           + ", ".join(s.locality for s in of_indicator))


def build_series(period: Period, points: Mapping[tuple[str, str], Sequence[Point]]) -> tuple[
        IndicatorSeries, ...]:
    """Series sorted by locality, indicator and period (points must already be unique)."""
    return tuple(
        IndicatorSeries(loc, ind, period, tuple(sorted(pts, key=lambda p: p.ordinal)))
        for (loc, ind), pts in sorted(points.items()))


@dataclass(frozen=True)
class MonitorSettings:
    """How a stored series is analysed by default (page, alerts): the deal's date and model terms."""

    intervention: str | None = None  # a date label, as `--intervention` takes it
    seasonality: int = 0
    offset: str | None = None


@dataclass(frozen=True)
class StoredSeries:
    """An indicator series kept in a workspace, classified like its items."""

    id: str
    workspace_id: str
    classification: str
    version: int
    created_by: str
    series: IndicatorSeries
    settings: MonitorSettings


@dataclass(frozen=True)
class ImportReport:
    """What an import stored."""

    created: tuple[str, ...]
    replaced: tuple[str, ...]
    rows: int
    gaps: tuple[Gap, ...]


class AlertKind(StrEnum):
    VIOLENCE_UP = "violence-up"
    COMMITMENT_OVERDUE = "commitment-overdue"
    BREACH = "breach"


@dataclass(frozen=True)
class Alert:
    """One thing a team should look at now (rules: docs/monitoring.md, "Alerts")."""

    kind: AlertKind
    title: str
    detail: str
    date: str  # the period or day it concerns
    ref: str  # the series or item id
