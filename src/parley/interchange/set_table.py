"""Read a calibrated CSV (crisp 0/1 or fuzzy [0, 1]) for QCA; errors name file, line and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from parley.analysis.qca import SetData, read_table
from parley.domain.errors import Problem, ValidationFailed

MAX_BYTES = 20 * 1024 * 1024


def parse_csv(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file given as bytes."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed([Problem(f"file is larger than {MAX_BYTES} bytes", name)])
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
                  case_id: str | None = None) -> SetData:
    header, rows = parse_csv(data, name)
    return read_table(header, rows, outcome=outcome, conditions=conditions, case_id=case_id,
                      source=name)


def calibrate_csv(
    data: bytes, name: str, *, column: str, new_column: str,
    thresholds: Sequence[float] = (), anchors: Sequence[float] = (),
) -> str:
    """Add a calibrated set to a CSV: crisp by thresholds, or fuzzy by three anchors
    (exclusion, crossover, inclusion; R's direct method). Returns the new CSV text."""
    from parley.analysis.qca import calibrate_crisp, calibrate_fuzzy

    header, rows = parse_csv(data, name)
    names = [h.strip() for h in header]
    if column not in names:
        raise ValidationFailed([Problem(f"no column {column!r}; columns: {', '.join(names)}", name)])
    if not new_column.strip() or new_column in names:
        raise ValidationFailed([Problem(f"new column name {new_column!r} is empty or already used",
                                        name)])
    if bool(thresholds) == bool(anchors):
        raise ValidationFailed([Problem("give either crisp thresholds or three fuzzy anchors", name)])
    if anchors and len(anchors) != 3:
        raise ValidationFailed([Problem("fuzzy calibration needs exactly three anchors: "
                                        "exclusion, crossover, inclusion", name)])
    index = names.index(column)
    values: list[float] = []
    for i, row in enumerate(rows):
        cell = row[index].strip() if index < len(row) else ""
        try:
            values.append(float(cell))
        except ValueError:
            raise ValidationFailed([Problem(f"column {column!r}: {cell!r} is not a number",
                                            name, line=i + 2)]) from None
    calibrated: list[float] | list[int] = (
        calibrate_crisp(values, thresholds) if thresholds
        else calibrate_fuzzy(values, anchors[0], anchors[1], anchors[2]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, new_column])
    for row, value in zip(rows, calibrated, strict=True):
        writer.writerow([*row, f"{value:.6g}" if isinstance(value, float) else value])
    return out.getvalue()
