"""Indicator series from CSV in long form: `date,locality,indicator,value[,population][,...]`.

One row per locality, indicator and period. Dates are `YYYY-MM-DD`, `YYYY-MM` or ISO weeks
`YYYY-Www`; the period is inferred from the form of the dates (which must then all have the same
form) or given, in which case a day is placed in the week or month containing it. Columns after
the four required ones are positive covariates (`population`, `stdpop`, ...) that a model can
use as its offset. Validation is all or nothing: every problem is reported, naming file:line,
and no series is returned if there is one.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

from parley.domain.errors import Problem, ValidationFailed
from parley.domain.monitoring import (
    MAX_NAME,
    IndicatorTable,
    Period,
    Point,
    build_series,
    parse_period_label,
    period_label,
    period_ordinal,
    period_start,
)

REQUIRED = ("date", "locality", "indicator", "value")
_COLUMN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NO_COVARIATES: Mapping[str, float] = MappingProxyType({})
MAX_PROBLEMS = 200  # past this many the file is clearly the wrong one; stop reading


def read_indicator_file(path: Path, period: Period | None = None,
                        on_bytes: Callable[[int], None] | None = None) -> IndicatorTable:
    """Read and validate an indicator CSV file (`on_bytes` hears how far, for a progress bar).

    Raises:
        ValidationFailed: every problem found, as `file:line: message`.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return parse_indicator_csv(fh if on_bytes is None else _counted(fh, on_bytes),
                                       str(path), period)
    except FileNotFoundError:
        raise ValidationFailed([Problem("no such file", file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(f"not UTF-8 text ({exc.reason})", file=str(path))]) from None
    except OSError as exc:
        raise ValidationFailed([Problem(f"cannot be read ({exc.strerror})", file=str(path))]) from None


def parse_indicator_text(text: str, source: str, period: Period | None = None) -> IndicatorTable:
    """Validate CSV text (an upload); `source` names it in the messages."""
    return parse_indicator_csv(text.lstrip("\ufeff").splitlines(keepends=True), source, period)


def parse_indicator_csv(lines: Iterable[str], source: str, period: Period | None = None
                        ) -> IndicatorTable:
    """Validate CSV lines into series; see the module docstring for the rules.

    Raises:
        ValidationFailed: every problem found (up to MAX_PROBLEMS), naming `source:line`.
    """
    problems: list[Problem] = []

    def bad(line: int, message: str, column: str | None = None) -> None:
        problems.append(Problem(message, file=source, line=line, field=column))

    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationFailed([Problem(
            "empty file; the first line must be the header " + ",".join(REQUIRED),
            file=source, line=1)]) from None
    except csv.Error as exc:
        raise ValidationFailed([Problem(f"not CSV ({exc})", file=source, line=1)]) from None
    if tuple(header[:4]) != REQUIRED:
        raise ValidationFailed([Problem(
            f"the header must start with {','.join(REQUIRED)}[,population][,other columns]; "
            f"found {','.join(header) or 'nothing'}", file=source, line=1)])
    extra = header[4:]
    for name in extra:
        if not _COLUMN.match(name) or name in REQUIRED or extra.count(name) > 1:
            raise ValidationFailed([Problem(
                f"column {name!r}: extra columns need distinct lower-case names "
                "(letters, digits, _), such as population or stdpop", file=source, line=1)])
    width = len(header)
    covariates = tuple(c for c in extra if c != "population")
    seen: dict[tuple[str, str, int], int] = {}
    points: dict[tuple[str, str], list[Point]] = {}
    inferred: tuple[Period, int] | None = None
    # a file repeats few distinct dates (one per period): parse each once
    dates: dict[str, tuple[Period, date, int, str]] = {}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if len(problems) >= MAX_PROBLEMS:
                break
            if not row or (not row[0].strip() and all(not cell.strip() for cell in row)):
                continue
            if len(row) != width:
                bad(line, f"{len(row)} fields, the header has {width}")
                continue
            raw_date, locality = row[0].strip(), row[1].strip()
            indicator, raw_value = row[2].strip(), row[3].strip()
            cached = dates.get(raw_date)
            if cached is None:
                try:
                    form, day = parse_period_label(raw_date)
                except ValueError as exc:
                    bad(line, str(exc), "date")
                    continue
                unit = period or form
                start = period_start(unit, day)
                cached = dates[raw_date] = (form, start, period_ordinal(unit, start),
                                            period_label(unit, start))
            form, start, ordinal, label = cached
            if period is None:
                if inferred is None:
                    inferred = (form, line)
                elif form is not inferred[0]:
                    bad(line, f"{raw_date!r} is a {form.value} but this file's dates are "
                              f"{inferred[0].value}s (from line {inferred[1]}); mixed periods in "
                              "one file are not allowed (or give the period)", "date")
                    continue
            elif form is not Period.DAY and form is not period:
                bad(line, f"{raw_date!r} is a {form.value}, which is not inside one "
                          f"{period.value}; write the date as YYYY-MM-DD or as a "
                          f"{period.value}", "date")
                continue
            if not locality or len(locality) > MAX_NAME:
                bad(line, f"locality must be 1 to {MAX_NAME} characters", "locality")
                continue
            if not indicator or len(indicator) > MAX_NAME:
                bad(line, f"indicator must be 1 to {MAX_NAME} characters", "indicator")
                continue
            value = _number(raw_value)
            if value is None or value < 0:
                bad(line, f"{raw_value!r} is not a count (a number 0 or more)", "value")
                continue
            population: float | None = None
            extras: dict[str, float] | Mapping[str, float] = NO_COVARIATES
            ok = True
            for name, cell in zip(extra, row[4:], strict=True):
                cell = cell.strip()
                if not cell:
                    continue
                number = _number(cell)
                if number is None or number <= 0:
                    bad(line, f"{cell!r} must be a number above 0 (or empty)", name)
                    ok = False
                    continue
                if name == "population":
                    population = number
                else:
                    extras = {**extras, name: number}
            if not ok:
                continue
            key = (locality, indicator, ordinal)
            if key in seen:
                bad(line, f"duplicate: {locality} / {indicator} / {raw_date} is already on line "
                          f"{seen[key]}")
                continue
            seen[key] = line
            points.setdefault((locality, indicator), []).append(
                Point(label, start, ordinal, value, population, extras))
    except csv.Error as exc:
        bad(line + 1, f"not CSV ({exc})")
    if problems:
        raise ValidationFailed(problems)
    if not points:
        raise ValidationFailed([Problem("no data rows after the header", file=source, line=2)])
    chosen = period or (inferred[0] if inferred else Period.DAY)
    return IndicatorTable(chosen, build_series(chosen, points), covariates)


def _counted(lines: Iterable[str], on_bytes: Callable[[int], None]) -> Iterator[str]:
    """The lines, telling `on_bytes` every 64k lines how many characters were read."""
    done = 0
    for i, line in enumerate(lines, 1):
        done += len(line)
        if i % 65536 == 0:
            on_bytes(done)
        yield line
    on_bytes(done)


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
