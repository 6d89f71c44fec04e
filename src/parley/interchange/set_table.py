"""QCA tables as CSV: reading a calibrated CSV, and calibrating raw columns into sets.

The one reader and the one calibrator of every front end (the CLI's `parley qca`, the API and
the web pages reach them through `services.qca`), so a bad file gets the same answer
everywhere: the problem names the file, the line (data row + 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from parley.analysis.qca import SetData, calibrate_crisp, calibrate_fuzzy, read_table
from parley.domain.errors import Problem, ValidationFailed

__all__ = ["MAX_BYTES", "Calibration", "calibrate_csv", "calibrate_specs", "parse_calibration",
           "parse_csv",
           "read_set_data"]

MAX_BYTES = 20 * 1024 * 1024


def parse_csv(data: bytes, name: str, max_bytes: int | None = MAX_BYTES) -> tuple[
        list[str], list[list[str]]]:
    """Header and rows of a CSV file given as bytes (blank lines skipped).

    Raises:
        ValidationFailed: over ``max_bytes`` (None: no limit), binary, not UTF-8, malformed,
            or empty.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise ValidationFailed([Problem(f"file is larger than {max_bytes} bytes", name)])
    if b"\x00" in data:
        raise ValidationFailed([Problem("file is binary, not CSV text", name)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(f"file is not UTF-8 text (byte {exc.start})", name)]) from exc
    try:
        # newline="" hands line endings (\n, \r\n, a bare \r) to the csv module, as it requires
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationFailed([Problem(f"malformed CSV: {exc}", name)]) from exc
    if not rows:
        raise ValidationFailed([Problem("file is empty; expected a header row", name)])
    return rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]


def read_set_data(data: bytes, name: str, *, outcome: str, conditions: Sequence[str],
                  case_id: str | None = None, multi_value: Sequence[str] = (),
                  max_bytes: int | None = MAX_BYTES) -> SetData:
    """A calibrated CSV as QCA data (see `analysis.qca.read_table` for the cell rules)."""
    header, rows = parse_csv(data, name, max_bytes)
    return read_table(header, rows, outcome=outcome, conditions=conditions, case_id=case_id,
                      source=name, multi_value=multi_value)


@dataclass(frozen=True)
class Calibration:
    """One column to calibrate.

    Attributes:
        column: the raw column.
        kind: ``crisp`` (thresholds, R's findInterval) or ``fuzzy`` (three anchors: exclusion,
            crossover, inclusion; R's direct method).
        values: the thresholds or the anchors.
        new_column: the name of the added set column; None replaces the raw column in place.
    """

    column: str
    kind: str
    values: tuple[float, ...]
    new_column: str | None = None


def parse_calibration(spec: str) -> Calibration:
    """``NAME=crisp:T1[,T2...]`` or ``NAME=fuzzy:EXCLUSION,CROSSOVER,INCLUSION``.

    Raises:
        ValidationFailed: another shape, or values that are not numbers.
    """
    name, sep, rule = spec.partition("=")
    kind, _, args = rule.partition(":")
    usage = (f"--column {spec!r}: use NAME=crisp:T1[,T2...] or "
             "NAME=fuzzy:EXCLUSION,CROSSOVER,INCLUSION")
    if not sep or not name.strip() or kind not in ("crisp", "fuzzy"):
        raise ValidationFailed([Problem(usage)])
    try:
        values = tuple(float(v) for v in args.split(",") if v.strip())
    except ValueError:
        raise ValidationFailed([Problem(usage)]) from None
    return Calibration(name.strip(), kind, values)


def calibrate_csv(data: bytes, name: str, calibrations: Sequence[Calibration], *,
                  linear: bool = False, max_bytes: int | None = MAX_BYTES) -> str:
    """Calibrate columns of a CSV into crisp or fuzzy sets; returns the new CSV text.

    Other columns are copied unchanged. ``linear``: piecewise-linear instead of logistic fuzzy
    calibration.

    Raises:
        ValidationFailed: the file (see `parse_csv`), a missing or non-numeric column, a new
            column name that is empty or taken, or a rule with the wrong number of values.
    """
    header, rows = parse_csv(data, name, max_bytes)
    names = [h.strip() for h in header]
    if not calibrations:
        raise ValidationFailed([Problem("name at least one column to calibrate", name)])
    for cal in calibrations:
        if cal.column not in names:
            raise ValidationFailed([Problem(
                f"no column {cal.column!r}; columns: {', '.join(names)}", name)])
        if cal.new_column is not None and (not cal.new_column.strip()
                                           or cal.new_column in names):
            raise ValidationFailed([Problem(
                f"new column name {cal.new_column!r} is empty or already used", name)])
        if cal.kind == "fuzzy" and len(cal.values) != 3:
            raise ValidationFailed([Problem(
                f"column {cal.column!r}: fuzzy calibration needs exactly three anchors: "
                "exclusion, crossover, inclusion", name)])
        if cal.kind == "crisp" and not cal.values:
            raise ValidationFailed([Problem(
                f"column {cal.column!r}: crisp calibration needs at least one threshold", name)])
        index = names.index(cal.column)
        values: list[float] = []
        for i, row in enumerate(rows):
            cell = row[index].strip() if index < len(row) else ""
            try:
                values.append(float(cell))
            except ValueError:
                raise ValidationFailed([Problem(
                    f"column {cal.column!r}: {cell!r} is not a number",
                    name, line=i + 2)]) from None
        cells = ([str(v) for v in calibrate_crisp(values, cal.values)] if cal.kind == "crisp"
                 else [f"{v:.6g}" for v in calibrate_fuzzy(values, *cal.values,
                                                           logistic=not linear)])
        if cal.new_column is None:
            for row, cell in zip(rows, cells, strict=True):
                row.extend([""] * (index + 1 - len(row)))
                row[index] = cell
        else:
            names.append(cal.new_column)
            width = len(names) - 1
            for row, cell in zip(rows, cells, strict=True):
                row.extend([""] * (width - len(row)))
                row.append(cell)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return out.getvalue()


def calibrate_specs(data: bytes, name: str, specs: Sequence[tuple[str, str | None]], *,
                    linear: bool = False, max_bytes: int | None = MAX_BYTES) -> str:
    """`calibrate_csv` from rule texts: each ``(NAME=crisp:T1,... , new column or None)``."""
    calibrations = []
    for text, new_column in specs:
        cal = parse_calibration(text)
        calibrations.append(Calibration(cal.column, cal.kind, cal.values, new_column))
    return calibrate_csv(data, name, calibrations, linear=linear, max_bytes=max_bytes)
