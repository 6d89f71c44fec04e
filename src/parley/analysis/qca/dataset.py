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

#: The highest code a multi-value condition may take (R QCA prints one digit per condition).
MAX_LEVEL = 9

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
        levels: number of values of each condition: 2 for a crisp or fuzzy set, ``m + 1``
            for a multi-value condition coded 0..m (its column of ``x`` holds those whole
            numbers). Empty means every condition is a crisp or fuzzy set.
    """

    conditions: tuple[str, ...]
    outcome: str
    cases: tuple[str, ...]
    x: FloatArray
    y: FloatArray
    levels: tuple[int, ...] = ()
    multi_value: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.conditions)

    @property
    def noflevels(self) -> tuple[int, ...]:
        """Values per condition (R's ``noflevels``): 2 for crisp and fuzzy sets."""
        return self.levels or (2,) * self.k

    @property
    def is_multivalue(self) -> bool:
        """Whether this is mvQCA: some condition has more than two values (R's ``mv``).

        Then every literal is written ``NAME[v]``, as R QCA does.
        """
        return any(n > 2 for n in self.noflevels)

    def is_mv_column(self, j: int) -> bool:
        """Whether condition ``j`` holds multi-value codes (compared by equality)."""
        return self.conditions[j] in self.multi_value

    def literal(self, j: int, value: int) -> FloatArray:
        """Each case's membership in "condition ``j`` takes ``value``".

        A set: ``x`` for 1 and ``1 - x`` for 0. A multi-value condition: 1 where the case has
        that code, else 0 (R QCA's crisp multi-value membership).
        """
        col: FloatArray = self.x[:, j]
        if self.is_mv_column(j):
            col = (col == value).astype(np.float64)
        elif not value:
            col = 1.0 - col
        return col

    @classmethod
    def from_columns(
        cls,
        conditions: Sequence[str],
        columns: Sequence[Sequence[float]],
        outcome: str,
        y: Sequence[float],
        cases: Sequence[str] | None = None,
        multi_value: Sequence[str] = (),
    ) -> SetData:
        """Build directly from numbers (tests, benchmarks, other callers).

        ``y`` is the outcome as stored; it is negated here when ``outcome`` starts with ``~``.
        Conditions in ``multi_value`` hold codes 0..m (not validated here: callers own them).
        """
        name, negated = parse_outcome(outcome)
        n = len(y)
        x = np.array(columns, dtype=np.float64).reshape(len(conditions), n).T.copy()
        yy = np.array(y, dtype=np.float64)
        if negated:
            yy = 1.0 - yy
        ids = tuple(cases) if cases is not None else tuple(str(i + 1) for i in range(n))
        mv = tuple(c for c in conditions if c in set(multi_value))
        levels = tuple(
            max(2, int(x[:, j].max()) + 1) if c in mv else 2 for j, c in enumerate(conditions)
        ) if mv else ()
        return cls(tuple(conditions), f"~{name}" if negated else name, ids, x, yy, levels, mv)


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
    multi_value: Sequence[str] = (),
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
        multi_value: conditions coded 0, 1, ..., m (mvQCA); their cells must be whole
            numbers from 0 up. Other conditions and the outcome are sets in [0, 1].

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
    mv = [c.strip() for c in multi_value if c.strip()]
    for name in mv:
        if name not in conds:
            raise OptionError(
                f"multi-value {name!r} is not one of the conditions ({', '.join(conds)}); "
                "only conditions can be multi-value"
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
        is_mv = col in mv
        if cell == "":
            need = "a whole number 0, 1, 2, ..." if is_mv else "a membership in [0, 1]"
            raise InvalidValueError(f"{where}: empty cell, {need} is needed")
        try:
            value = float(cell)
        except ValueError:
            raise InvalidValueError(f"{where}: {cell!r} is not a number") from None
        if is_mv:
            if math.isnan(value) or value < 0 or value != int(value) or value > MAX_LEVEL:
                raise InvalidValueError(
                    f"{where}: {cell!r} is not a multi-value code; the column is declared "
                    f"multi-value, so its cells must be whole numbers 0 to {MAX_LEVEL}"
                )
            return value
        if math.isnan(value) or not 0.0 <= value <= 1.0:
            hint = "calibrate raw data first (parley qca calibrate)"
            if col != out_name and value == int(value) and 1 < value <= MAX_LEVEL:
                hint += f", or declare it multi-value (--multi-value {col})"
            raise InvalidValueError(f"{where}: {cell!r} is outside [0, 1]; {hint}")
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
    levels: list[int] = []
    for j, col in enumerate(conds):
        if col in mv:
            values = np.unique(x[:, j])
            if len(values) < 2:
                raise ConstantConditionError(
                    f"{source}: condition {col!r} is {values[0]:g} for every case; a constant "
                    f"condition cannot tell configurations apart"
                )
            levels.append(max(2, int(values.max()) + 1))
            continue
        levels.append(2)
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
        levels=tuple(levels) if mv else (),
        multi_value=tuple(c for c in conds if c in mv),
    )
