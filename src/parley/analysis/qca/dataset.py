"""Validated set-membership data: the one input every QCA step reads.

The engine never opens files. Callers hand over a header and rows of strings (as read from
a CSV) and get a :class:`SetData` back, or an error that names the file, the column and the
data row, so a researcher can go straight to the faulty cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parley.analysis.qca.errors import (
    ConstantConditionError,
    DuplicateColumnError,
    InvalidValueError,
    MissingColumnError,
    OptionError,
    TooManyConditionsError,
)

__all__ = ["MAX_CONDITIONS", "SetData", "parse_outcome", "read_table"]

#: Above this many conditions the truth table (2**k rows) and the prime-implicant search no
#: longer fit comfortably in memory and time; R QCA itself slows to minutes near 20.
MAX_CONDITIONS = 24

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SetData:
    """Calibrated memberships of cases in the conditions and in the outcome.

    Attributes:
        conditions: condition names in the order given (it fixes literal order everywhere).
        outcome: the outcome's name as asked, with ``~`` when negated.
        cases: one id per case (the case-id column, or the 1-based row number).
        x: memberships in the conditions, shape (cases, conditions), values in [0, 1].
        y: membership in the outcome (already negated when ``outcome`` starts with ``~``).
    """

    conditions: tuple[str, ...]
    outcome: str
    cases: tuple[str, ...]
    x: FloatArray
    y: FloatArray

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.conditions)

    @classmethod
    def from_columns(
        cls,
        conditions: Sequence[str],
        columns: Sequence[Sequence[float]],
        outcome: str,
        y: Sequence[float],
        cases: Sequence[str] | None = None,
    ) -> SetData:
        """Build directly from numbers (tests, benchmarks, other callers).

        ``y`` is the outcome as stored; it is negated here when ``outcome`` starts with ``~``.
        """
        name, negated = parse_outcome(outcome)
        n = len(y)
        x = np.array(columns, dtype=np.float64).reshape(len(conditions), n).T.copy()
        yy = np.array(y, dtype=np.float64)
        if negated:
            yy = 1.0 - yy
        ids = tuple(cases) if cases is not None else tuple(str(i + 1) for i in range(n))
        return cls(tuple(conditions), f"~{name}" if negated else name, ids, x, yy)


def parse_outcome(outcome: str) -> tuple[str, bool]:
    """Split ``~NAME`` into ``(NAME, True)`` and ``NAME`` into ``(NAME, False)``."""
    text = outcome.strip()
    negated = text.startswith("~")
    name = text[1:].strip() if negated else text
    if not name:
        raise OptionError("the outcome name is empty")
    return name, negated


def read_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    outcome: str,
    conditions: Sequence[str],
    case_id: str | None = None,
    source: str = "data",
    max_conditions: int = MAX_CONDITIONS,
) -> SetData:
    """Validate string cells into :class:`SetData`.

    Args:
        header: column names, as in the CSV's first line.
        rows: data rows (lists of strings); row ``i`` (0-based) is reported as data row
            ``i + 1``, which is line ``i + 2`` of a CSV file with a header.
        outcome: ``NAME`` or ``~NAME``.
        conditions: condition column names.
        case_id: column holding case ids (unique, non-empty); default the row numbers.
        source: the file name used in error messages.
        max_conditions: the limit on the number of conditions.

    Raises:
        MissingColumnError, DuplicateColumnError, InvalidValueError, ConstantConditionError,
        TooManyConditionsError, OptionError: each naming the file, column, row or limit.
    """
    names = [h.strip() for h in header]
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            raise DuplicateColumnError(f"{source}: column {name!r} appears more than once")
        seen.add(name)
    out_name, negated = parse_outcome(outcome)
    conds = [c.strip() for c in conditions]
    if not conds or any(not c for c in conds):
        raise OptionError("give at least one condition, separated by commas, none empty")
    dup = sorted({c for c in conds if conds.count(c) > 1})
    if dup:
        raise DuplicateColumnError(f"condition {dup[0]!r} is listed more than once")
    if out_name in conds:
        raise OptionError(f"{out_name!r} is both the outcome and a condition")
    if len(conds) > max_conditions:
        raise TooManyConditionsError(
            f"{len(conds)} conditions exceed the limit of {max_conditions} "
            f"(a truth table of 2^{len(conds)} rows)"
        )
    wanted = [*conds, out_name] + ([case_id] if case_id else [])
    for name in wanted:
        if name not in names:
            raise MissingColumnError(
                f"{source}: no column {name!r} (columns: {', '.join(names)})"
            )
    index = {name: i for i, name in enumerate(names)}

    def number(row_no: int, row: Sequence[str], col: str) -> float:
        cell = row[index[col]].strip() if index[col] < len(row) else ""
        where = f"{source}: data row {row_no} (line {row_no + 1}), column {col!r}"
        if cell == "":
            raise InvalidValueError(f"{where}: empty cell, a membership in [0, 1] is needed")
        try:
            value = float(cell)
        except ValueError:
            raise InvalidValueError(f"{where}: {cell!r} is not a number") from None
        if math.isnan(value) or not 0.0 <= value <= 1.0:
            raise InvalidValueError(
                f"{where}: {cell!r} is outside [0, 1]; calibrate raw data first "
                f"(parley qca calibrate)"
            )
        return value

    if not rows:
        raise InvalidValueError(f"{source}: no data rows")
    x = np.empty((len(rows), len(conds)), dtype=np.float64)
    y = np.empty(len(rows), dtype=np.float64)
    ids: list[str] = []
    id_seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        row_no = i + 1
        for j, col in enumerate(conds):
            x[i, j] = number(row_no, row, col)
        y[i] = number(row_no, row, out_name)
        if case_id:
            cid = row[index[case_id]].strip() if index[case_id] < len(row) else ""
            if not cid:
                raise InvalidValueError(
                    f"{source}: data row {row_no} (line {row_no + 1}), column {case_id!r}: "
                    f"empty case id"
                )
            if cid in id_seen:
                raise InvalidValueError(
                    f"{source}: data row {row_no} (line {row_no + 1}), column {case_id!r}: "
                    f"case id {cid!r} already used in data row {id_seen[cid]}"
                )
            id_seen[cid] = row_no
            ids.append(cid)
        else:
            ids.append(str(row_no))
    for j, col in enumerate(conds):
        high = x[:, j] > 0.5
        if high.all() or not high.any():
            side = "above" if high.all() else "at or below"
            raise ConstantConditionError(
                f"{source}: condition {col!r} is {side} 0.5 for every case; a constant "
                f"condition cannot tell configurations apart"
            )
    if negated:
        y = 1.0 - y
    return SetData(
        conditions=tuple(conds),
        outcome=f"~{out_name}" if negated else out_name,
        cases=tuple(ids),
        x=x,
        y=y,
    )
