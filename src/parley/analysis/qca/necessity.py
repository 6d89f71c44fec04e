"""Necessity of each condition and of its negation (R QCA's ``pof(..., relation = "nec")``).

With X the condition (or its negation) and Y the outcome:

* ``inclN = sum(min(X, Y)) / sum(Y)``: how far Y is a subset of X;
* ``covN  = sum(min(X, Y)) / sum(X)``: how far X is not much bigger than Y (trivialness);
* ``RoN   = sum(1 - X) / sum(1 - min(X, Y))``: relevance of necessity (Schneider and
  Wagemann 2012), low when X is almost always present.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parley.analysis.qca.dataset import SetData

__all__ = ["NecessityRow", "necessity"]


@dataclass(frozen=True)
class NecessityRow:
    """Necessity parameters of one literal (``COND`` or ``~COND``)."""

    condition: str
    incl: float
    ron: float
    cov: float


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def necessity(data: SetData) -> list[NecessityRow]:
    """Each condition then its negation (each value, for mvQCA), in conditions order."""
    y = data.y
    out = []
    for j, name in enumerate(data.conditions):
        if data.is_multivalue:  # each value, as R's superSubset lists NAME[v]
            literals = [(f"{name}[{v}]", data.literal(j, v)) for v in range(data.noflevels[j])]
        else:
            literals = [(name, data.literal(j, 1)), (f"~{name}", data.literal(j, 0))]
        for label, x in literals:
            xy = float(np.minimum(x, y).sum())
            out.append(
                NecessityRow(
                    condition=label,
                    incl=_ratio(xy, float(y.sum())),
                    ron=_ratio(float((1.0 - x).sum()), float((1.0 - np.minimum(x, y)).sum())),
                    cov=_ratio(xy, float(x.sum())),
                )
            )
    return out
