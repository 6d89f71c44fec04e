"""Parameters of fit for sufficiency: inclusion (consistency), PRI, raw and unique coverage.

With X the membership in a term or model and Y in the outcome (R QCA's ``pof()``):

* ``inclS = sum(min(X, Y)) / sum(X)``
* ``PRI   = (sum(min(X, Y)) - sum(min(X, Y, 1-Y))) / (sum(X) - sum(min(X, Y, 1-Y)))``
* ``covS  = sum(min(X, Y)) / sum(Y)``
* ``covU`` of a term in a model = covS(model) - covS(model without the term).

A model's membership is the maximum of its terms' memberships; a term's is the minimum of
its literals' (``x`` or ``1 - x``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.multivalue import MVImplicant
from parley.analysis.qca.terms import Implicant, bit_of

__all__ = ["Fit", "ModelFit", "Term", "TermFit", "fit", "membership", "model_fit"]

FloatArray = npt.NDArray[np.float64]

#: A crisp/fuzzy term or a multi-value one.
Term = Implicant | MVImplicant


@dataclass(frozen=True)
class Fit:
    """Sufficiency parameters of one set (a term or a whole model)."""

    incl: float
    pri: float
    cov: float


@dataclass(frozen=True)
class TermFit:
    """A term of a model with its parameters and the cases it covers (membership > 0.5)."""

    term: Term
    incl: float
    pri: float
    cov: float
    cov_unique: float
    cases: tuple[str, ...]


@dataclass(frozen=True)
class ModelFit:
    """A whole model and its terms."""

    terms: tuple[TermFit, ...]
    incl: float
    pri: float
    cov: float


def membership(term: Term, data: SetData) -> FloatArray:
    """Each case's membership in the term (1 for the empty term)."""
    out = np.ones(data.x.shape[0], dtype=np.float64)
    for j in range(data.k):
        bit = bit_of(j, data.k)
        if term.mask & bit:
            if isinstance(term, MVImplicant):
                col = data.literal(j, term.values[j])
            else:
                col = data.literal(j, 1 if term.value & bit else 0)
            np.minimum(out, col, out=out)
    return out


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def fit(x: FloatArray, y: FloatArray) -> Fit:
    """inclS, PRI and covS of a set with memberships ``x`` for the outcome ``y``."""
    xy = np.minimum(x, y)
    xyn = np.minimum(xy, 1.0 - y)
    sxy, sxyn = float(xy.sum()), float(xyn.sum())
    return Fit(
        incl=_ratio(sxy, float(x.sum())),
        pri=_ratio(sxy - sxyn, float(x.sum()) - sxyn),
        cov=_ratio(sxy, float(y.sum())),
    )


def model_fit(terms: Sequence[Term], data: SetData) -> ModelFit:
    """Parameters of a model and of each of its terms, terms in normal-form order."""
    ordered = sorted(terms, key=lambda t: t.format(data.conditions))
    mems = [membership(t, data) for t in ordered]
    y = data.y
    whole = np.maximum.reduce(mems) if mems else np.zeros_like(y)
    total = fit(whole, y)
    out = []
    for i, (term, mem) in enumerate(zip(ordered, mems, strict=True)):
        others = [m for j, m in enumerate(mems) if j != i]
        rest = np.maximum.reduce(others) if others else np.zeros_like(y)
        term_fit = fit(mem, y)
        cov_rest = fit(rest, y).cov if others else 0.0
        cases = tuple(data.cases[c] for c in np.flatnonzero(mem > 0.5))
        out.append(
            TermFit(term, term_fit.incl, term_fit.pri, term_fit.cov, total.cov - cov_rest, cases)
        )
    return ModelFit(tuple(out), total.incl, total.pri, total.cov)
