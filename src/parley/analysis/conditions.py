"""The paper's conditions for durable results, as a small, strongly regularised ordinal model.

Each condition (defined in `knowledge/outlook-conditions.yaml` with the paper's words) is coded
for a case or scenario as +1 when its `present_when` holds and its `absent_when` does not, -1 in
the opposite case, and 0 when neither or both hold (unknown counts as neither).

The model is a proportional-odds (cumulative logit) model over the ordered outcome classes
no-deal < collapsed < temporary-reduction < lasting-reduction < transformation:

    P(outcome <= c) = logistic(theta_c - x . w)

The thresholds theta are fixed at the cumulative base rates of the training cases, so with
every condition unknown (x = 0) the model returns exactly those base rates; only the condition
weights w are fitted, by penalised maximum likelihood with a Gaussian prior of standard
deviation `prior_sd` on each (a small prior: a handful of cases must not produce large
effects). The log-likelihood is concave, so Newton's method finds the unique optimum.
A positive weight means the condition moves the outlook towards the better outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from parley.domain.evidence import Citation, Unknown, Value
from parley.domain.query import Node, evaluate

FloatArray = npt.NDArray[np.float64]
Row = Mapping[str, Value | Unknown]

_EPS = 1e-12


@dataclass(frozen=True)
class Condition:
    """One of the paper's conditions for durable results, readable from a scenario."""

    name: str
    label: str
    present_when: Node
    absent_when: Node
    why: str
    citations: tuple[Citation, ...]

    def code(self, row: Row) -> float:
        """+1 present, -1 absent, 0 unknown (or contradictory)."""
        present, absent = evaluate(self.present_when, row), evaluate(self.absent_when, row)
        return float(present) - float(absent)


@dataclass(frozen=True)
class OutlookSettings:
    """What the outlook needs besides the cases: the conditions and the honesty thresholds."""

    conditions: tuple[Condition, ...]
    min_known: int = 5  # fewer known scenario variables: base rates and a sentence saying why
    min_similarity: float = 0.5  # a past case less alike than this is not comparable
    prior_sd: float = 0.5  # of each condition's weight

    def __post_init__(self) -> None:
        if self.min_known < 0 or not 0.0 <= self.min_similarity <= 1.0 or self.prior_sd <= 0:
            raise ValueError("min_known >= 0, 0 <= min_similarity <= 1 and prior_sd > 0")

    def features(self, rows: Sequence[Row]) -> FloatArray:
        """The condition codes of each row, one column per condition."""
        out = np.zeros((len(rows), len(self.conditions)))
        for i, row in enumerate(rows):
            for f, cond in enumerate(self.conditions):
                out[i, f] = cond.code(row)
        return out


def thresholds(base: FloatArray) -> FloatArray:
    """The cumulative logits of the base rates (K - 1 of them)."""
    cum = np.clip(np.cumsum(base)[:-1], _EPS, 1 - _EPS)
    out: FloatArray = np.log(cum / (1 - cum))
    return out


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def probabilities(eta: FloatArray, base: FloatArray) -> FloatArray:
    """Class probabilities for linear scores `eta` (one row per score)."""
    theta = thresholds(base)
    cum = _sigmoid(theta[None, :] - np.asarray(eta, dtype=np.float64)[:, None])
    full = np.concatenate([np.zeros((len(cum), 1)), cum, np.ones((len(cum), 1))], axis=1)
    probs: FloatArray = np.clip(np.diff(full, axis=1), _EPS, None)
    normalised: FloatArray = probs / probs.sum(axis=1, keepdims=True)
    return normalised


def fit_weights(x: FloatArray, labels: npt.NDArray[np.int64], base: FloatArray,
                prior_sd: float, max_iter: int = 50) -> FloatArray:
    """Penalised maximum-likelihood condition weights (Newton's method with step halving).

    Args:
        x: condition codes, one row per training case.
        labels: each training case's outcome class index.
        base: base rates of the classes (they fix the thresholds).
        prior_sd: standard deviation of the Gaussian prior on each weight.
    """
    m = x.shape[1]
    w = np.zeros(m)
    if m == 0 or len(labels) == 0 or not np.any(x):
        return w
    theta = np.concatenate([[-np.inf], thresholds(base), [np.inf]])
    upper, lower = theta[labels + 1], theta[labels]
    precision = 1.0 / prior_sd**2

    def objective(weights: FloatArray) -> float:
        eta = x @ weights
        d = _sigmoid(upper - eta) - _sigmoid(lower - eta)
        return float(-np.sum(np.log(np.maximum(d, _EPS))) + 0.5 * precision * weights @ weights)

    current = objective(w)
    for _ in range(max_iter):
        eta = x @ w
        fa, fb = _sigmoid(upper - eta), _sigmoid(lower - eta)
        da, db = fa * (1 - fa), fb * (1 - fb)
        d = np.maximum(fa - fb, _EPS)
        first = (db - da) / d  # d log-likelihood / d eta
        second = (da * (1 - 2 * fa) - db * (1 - 2 * fb)) / d - first**2  # <= 0
        grad = -x.T @ first + precision * w
        hess = x.T @ (x * (-second)[:, None]) + precision * np.eye(m)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-6:
            candidate = w - t * step
            value = objective(candidate)
            if value <= current + 1e-15:
                break
            t /= 2
        else:
            break
        w, improvement, current = candidate, current - value, value
        if improvement < 1e-12 or float(np.max(np.abs(t * step))) < 1e-10:
            break
    return w


def contributions(x: FloatArray, w: FloatArray, base: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The model's distribution for one row, and how much each condition moved each class.

    The shift from the base rates is shared among the conditions in proportion to each one's
    part of the linear score x . w, so the rows of the second result sum exactly to
    `distribution - base`.
    """
    terms = x * w
    eta = float(terms.sum())
    probs = probabilities(np.array([eta]), base)[0]
    shift = probs - base
    if abs(eta) < _EPS:
        return probs, np.zeros((len(w), len(base)))
    moved: FloatArray = np.outer(terms / eta, shift)
    # Each row moves probability mass, so it sums to zero. When the conditions nearly cancel,
    # terms / eta is large (1.7e7 for weights 1 and 1 + 2**-24 pulling apart) and magnifies
    # the rounding in shift's sum to 1e-9 per row: take that back out of every row.
    moved -= moved.mean(axis=1, keepdims=True)
    return probs, moved
