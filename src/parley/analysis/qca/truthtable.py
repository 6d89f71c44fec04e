"""The truth table: observed configurations, their consistency and their outcome code.

Follows R QCA's ``truthTable()``: a case belongs to the row where each of its memberships is
above 0.5 (a case with a membership of exactly 0.5 belongs to no row, but still counts in
the sums); a row's inclusion is ``sum(min(row, Y)) / sum(row)`` over *all* cases, using the
fuzzy membership of each case in the row. Rows with fewer than ``n_cut`` cases become
remainders. ``OUT`` is ``1`` when inclusion reaches ``incl_cut1`` and PRI reaches ``pri_cut``,
``C`` (contradiction) when inclusion is below ``incl_cut1`` but at least ``incl_cut0``, else
``0``. Cuts are compared with R's tolerance (``sqrt(machine epsilon)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.errors import NoConfigurationsError, OptionError
from parley.analysis.qca.terms import format_config, radix_weights

__all__ = ["TOLERANCE", "TruthTable", "TruthTableRow", "build_truth_table"]

#: R's ``agteb()`` tolerance for comparisons with cut-offs.
TOLERANCE = float(np.finfo(np.float64).eps) ** 0.5

Out = Literal["1", "0", "C", "?"]


@dataclass(frozen=True)
class TruthTableRow:
    """One observed configuration."""

    config: int
    out: Out
    n: int
    incl: float
    pri: float
    cases: tuple[str, ...]


@dataclass(frozen=True)
class TruthTable:
    """Observed rows (including those sent to the remainders by ``n_cut``) and the cuts."""

    conditions: tuple[str, ...]
    rows: tuple[TruthTableRow, ...]
    incl_cut1: float
    incl_cut0: float
    n_cut: int
    pri_cut: float
    unassigned_cases: tuple[str, ...]
    levels: tuple[int, ...] = ()

    @property
    def noflevels(self) -> tuple[int, ...]:
        """Values per condition (2 for crisp and fuzzy sets)."""
        return self.levels or (2,) * self.k

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.conditions)

    def configs(self, out: Out) -> list[int]:
        """The configurations coded ``out`` (``?`` gives the observed rows below ``n_cut``)."""
        return [r.config for r in self.rows if r.out == out]

    @property
    def positives(self) -> list[int]:
        """Rows to explain (OUT = 1)."""
        return self.configs("1")

    @property
    def negatives(self) -> list[int]:
        """Rows a solution must not cover: OUT = 0 and contradictions."""
        return [r.config for r in self.rows if r.out in ("0", "C")]

    def format(self, config: int) -> str:
        """One digit per condition (0/1 for crisp sets)."""
        return format_config(config, self.k, self.noflevels)


def _check_cuts(incl_cut: tuple[float, ...], n_cut: int, pri_cut: float) -> tuple[float, float]:
    if not 1 <= len(incl_cut) <= 2:
        raise OptionError("--incl-cut takes one value or two (X,Y)")
    ic1 = incl_cut[0]
    ic0 = incl_cut[1] if len(incl_cut) == 2 else ic1
    for value in (ic1, ic0, pri_cut):
        if not 0.0 <= value <= 1.0:
            raise OptionError(f"cut-off {value:g} is outside [0, 1]")
    if ic0 > ic1:
        raise OptionError(
            f"the second inclusion cut ({ic0:g}, for OUT = 0) must not exceed the first "
            f"({ic1:g}, for OUT = 1)"
        )
    if n_cut < 1:
        raise OptionError(f"--n-cut must be at least 1, got {n_cut}")
    return ic1, ic0


def build_truth_table(
    data: SetData,
    incl_cut: tuple[float, ...] = (1.0,),
    n_cut: int = 1,
    pri_cut: float = 0.0,
) -> TruthTable:
    """Build the truth table of ``data`` with R QCA's rules (see the module docstring).

    Raises:
        OptionError: cuts out of range.
        NoConfigurationsError: no row has ``n_cut`` cases, so every row is a remainder.
    """
    ic1, ic0 = _check_cuts(incl_cut, n_cut, pri_cut)
    k = data.k
    x, y = data.x, data.y
    mv_cols = np.array([data.is_mv_column(j) for j in range(k)], dtype=bool)
    # A set column places a case by membership above 0.5; a multi-value column by its code.
    value = np.where(mv_cols[None, :], x, x > 0.5).astype(np.int64)
    half = (np.isclose(x, 0.5, rtol=0.0, atol=TOLERANCE) & ~mv_cols[None, :]).any(axis=1)
    weights = np.array(radix_weights(data.noflevels), dtype=np.int64)
    config_of_case = (value * weights).sum(axis=1)
    assigned = ~half
    observed = sorted({int(c) for c in config_of_case[assigned]})
    if not observed:
        raise NoConfigurationsError(
            "no case can be placed in a truth-table row: every case has a membership of "
            "exactly 0.5 in some condition"
        )
    configs = np.array(observed, dtype=np.int64)
    # Membership of every case in every observed row: min over conditions of x or 1 - x
    # (a multi-value condition: 1 where the case has the row's code).
    codes = configs[:, None] // weights[None, :] % np.array(data.noflevels)[None, :]  # rows x k
    member = np.ones((x.shape[0], len(observed)), dtype=np.float64)
    for j in range(k):  # one condition at a time keeps memory at cases x rows
        if mv_cols[j]:
            col = (x[:, j, None] == codes[None, :, j]).astype(np.float64)
        else:
            col = np.where(codes[None, :, j] == 1, x[:, j, None], 1.0 - x[:, j, None])
        np.minimum(member, col, out=member)
    sum_x = member.sum(axis=0)
    min_xy = np.minimum(member, y[:, None]).sum(axis=0)
    min_xyn = np.minimum(np.minimum(member, y[:, None]), 1.0 - y[:, None]).sum(axis=0)
    incl = np.divide(min_xy, sum_x, out=np.zeros_like(min_xy), where=sum_x > 0)
    denom = sum_x - min_xyn
    pri = np.divide(min_xy - min_xyn, denom, out=np.zeros_like(denom), where=denom > 0)
    rows: list[TruthTableRow] = []
    kept = 0
    for r, config in enumerate(observed):
        members = tuple(
            data.cases[i]
            for i in np.flatnonzero(assigned & (config_of_case == config))
        )
        n = len(members)
        out: Out
        if n < n_cut:
            out = "?"
        elif incl[r] >= ic1 - TOLERANCE and pri[r] >= pri_cut - TOLERANCE:
            out = "1"
        elif incl[r] < ic1 - TOLERANCE and incl[r] >= ic0 - TOLERANCE:
            out = "C"
        else:
            out = "0"
        kept += out != "?"
        rows.append(TruthTableRow(config, out, n, float(incl[r]), float(pri[r]), members))
    if kept == 0:
        most = max(r.n for r in rows)
        raise NoConfigurationsError(
            f"every truth-table row is a remainder: n.cut = {n_cut} but the largest row "
            f"has {most} case(s)"
        )
    unassigned = tuple(data.cases[i] for i in np.flatnonzero(half))
    return TruthTable(
        conditions=data.conditions,
        rows=tuple(rows),
        incl_cut1=ic1,
        incl_cut0=ic0,
        n_cut=n_cut,
        pri_cut=pri_cut,
        unassigned_cases=unassigned,
        levels=data.levels,
    )
