"""The outlook: a distribution over outcome classes drawn from the most similar past cases.

For the k most similar cases with a known outcome, each casts a vote for its outcome class
weighted by its similarity. The votes are smoothed additively towards the base rate of the
classes among the cases available (Laplace-smoothed, so no class has base rate 0):

    p(class) = (similarity votes for class + alpha K base(class)) / (all votes + alpha K)

So no class is ever 0 or 1, and few or weak neighbours leave the outlook near the base rates
rather than pretending to know more.

k and alpha are chosen by leave-one-out on the cases available (`fit_params`), never on the case
being predicted (see `parley.analysis.evaluate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

K_GRID: tuple[int, ...] = (1, 2, 3, 5, 7, 10, 15, 1000)
ALPHA_GRID: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class OutlookParams:
    """How many neighbours vote (k) and how strongly the outlook is smoothed (alpha)."""

    k: int
    alpha: float

    def __post_init__(self) -> None:
        if self.k < 1 or self.alpha <= 0:
            raise ValueError("k must be at least 1 and alpha above 0")


DEFAULT_PARAMS = OutlookParams(5, 1.0)


def base_rates(labels: Sequence[int], n_classes: int) -> FloatArray:
    """Laplace-smoothed class frequencies: (count + 1) / (n + K), never 0."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes).astype(float)
    rates: FloatArray = (counts + 1.0) / (counts.sum() + n_classes)
    return rates


def distribution(neighbours: Sequence[tuple[float, int]], base: FloatArray, alpha: float
                 ) -> FloatArray:
    """Similarity-weighted class votes of (similarity, class index), smoothed towards `base`.

    Example:
        >>> distribution([(1.0, 0)], np.full(5, 0.2), 1.0)  # one perfect neighbour of class 0
        array([0.333..., 0.166..., 0.166..., 0.166..., 0.166...])
    """
    n_classes = len(base)
    votes = np.zeros(n_classes)
    for sim, label in neighbours:
        votes[label] += max(0.0, sim)
    probs: FloatArray = (votes + alpha * n_classes * base) / (votes.sum() + alpha * n_classes)
    return probs


def brier(probs: FloatArray, label: int) -> float:
    """Multi-class Brier score of one prediction: sum over classes of (p - outcome)^2, in [0, 2]."""
    target = np.zeros(len(probs))
    target[label] = 1.0
    return float(np.sum((probs - target) ** 2))


def ranked(sims: FloatArray, candidates: Sequence[int], ids: Sequence[str]) -> list[int]:
    """Candidates by similarity, highest first; ties by id so results never depend on order."""
    return sorted(candidates, key=lambda j: (-sims[j], ids[j]))


def predict(order: Sequence[int], sims: FloatArray, labels: Sequence[int], params: OutlookParams,
            base: FloatArray) -> FloatArray:
    """The outlook from a ranked list of neighbour indices."""
    top = order[: params.k]
    return distribution([(float(sims[j]), labels[j]) for j in top], base, params.alpha)


def fit_params(
    sim: FloatArray,
    labels: Sequence[int],
    ids: Sequence[str],
    usable: npt.NDArray[np.bool_],
    members: Sequence[int],
    n_classes: int,
    k_grid: Sequence[int] = K_GRID,
    alpha_grid: Sequence[float] = ALPHA_GRID,
) -> OutlookParams:
    """Choose k and alpha by leave-one-out Brier score over `members` only.

    Args:
        sim: pairwise similarities of all cases.
        labels: outcome class index of every case.
        ids: case ids (for deterministic ties).
        usable: usable[i, j] is True when j may be a neighbour of i (not i itself, not i's
            parent or child, compared on enough variables).
        members: the cases the fit may look at (a training fold).
        n_classes: number of outcome classes.

    Ties in score go to the larger alpha and then the smaller k: the more cautious outlook.
    """
    if len(members) < 2:
        return DEFAULT_PARAMS
    member_set = set(members)
    orders = {i: ranked(sim[i], [j for j in member_set if j != i and usable[i, j]], ids)
              for i in members}
    # each inner held-out case's base rate leaves that case out too
    bases = {i: base_rates([labels[j] for j in members if j != i], n_classes) for i in members}
    best: tuple[float, float, int] | None = None
    chosen = DEFAULT_PARAMS
    for alpha in alpha_grid:
        for k in k_grid:
            params = OutlookParams(k, alpha)
            score = sum(brier(predict(orders[i], sim[i], labels, params, bases[i]), labels[i])
                        for i in members) / len(members)
            key = (round(score, 12), -alpha, k)
            if best is None or key < best:
                best, chosen = key, params
    return chosen
