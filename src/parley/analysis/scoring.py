"""Proper scoring rules and a reliability table for distributions over ordered outcome classes.

- Brier score: sum over classes of (p - outcome)^2, 0 (perfect) to 2 (all mass on a wrong
  class); the uniform guess over five classes scores 0.8 whatever happens.
- Ranked probability score (RPS): the squared distance between the predicted and the observed
  *cumulative* distributions, divided by K - 1, so 0 (perfect) to 1. It respects the order of
  the classes: predicting `collapsed` when the truth is `no-deal` costs less than predicting
  `transformation`. Both are proper: no forecast scores better in expectation than the
  forecaster's honest belief.
- Reliability: every (case, class) probability, binned; in each bin the mean predicted
  probability beside how often that class happened. A calibrated method has the two close.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Ten equal bins of predicted probability: [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0].
RELIABILITY_EDGES: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))


def brier(probs: FloatArray, label: int) -> float:
    """Multi-class Brier score of one prediction, in [0, 2]."""
    target = np.zeros(len(probs))
    target[label] = 1.0
    return float(np.sum((probs - target) ** 2))


def rps(probs: FloatArray, label: int) -> float:
    """Ranked probability score of one prediction over ordered classes, in [0, 1].

    Example:
        >>> rps(np.full(5, 0.2), 2)  # uniform, truth in the middle: (0.2^2+0.4^2)*2/4
        0.1
    """
    k = len(probs)
    if k < 2:
        return 0.0
    predicted = np.cumsum(probs)[:-1]
    observed = (np.arange(k - 1) >= label).astype(np.float64)
    return float(np.sum((predicted - observed) ** 2) / (k - 1))


def mean_scores(probs: FloatArray, labels: npt.NDArray[np.int64]) -> tuple[float, float]:
    """Mean Brier and mean RPS of rows of `probs` against `labels` (0, 0 when empty)."""
    if len(labels) == 0:
        return 0.0, 0.0
    return (float(np.mean([brier(p, int(y)) for p, y in zip(probs, labels, strict=True)])),
            float(np.mean([rps(p, int(y)) for p, y in zip(probs, labels, strict=True)])))


def balanced_scores(probs: FloatArray, labels: npt.NDArray[np.int64]) -> tuple[float, float]:
    """Mean Brier and RPS with every outcome class that occurred weighing the same.

    The paper chose notable cases, so its mix of outcomes is not the world's; a method that
    only beats the uniform guess by echoing that mix loses its edge here.
    """
    present = np.unique(labels)
    if len(present) == 0:
        return 0.0, 0.0
    per_class = [mean_scores(probs[labels == c], labels[labels == c]) for c in present]
    return (float(np.mean([b for b, _ in per_class])), float(np.mean([r for _, r in per_class])))


@dataclass(frozen=True)
class ReliabilityBin:
    """Predictions whose probability fell in [low, high): how many, and how often true."""

    low: float
    high: float
    n: int
    mean_predicted: float | None  # None when the bin is empty
    observed: float | None


def reliability(probs: FloatArray, labels: npt.NDArray[np.int64],
                edges: tuple[float, ...] = RELIABILITY_EDGES) -> tuple[ReliabilityBin, ...]:
    """The reliability table over every (case, class) probability; the last bin includes 1."""
    n_classes = probs.shape[1] if probs.ndim == 2 else 0
    flat = probs.reshape(-1)
    happened = np.zeros_like(probs)
    if len(labels):
        happened[np.arange(len(labels)), labels] = 1.0
    hits = happened.reshape(-1)
    out: list[ReliabilityBin] = []
    for b, (low, high) in enumerate(itertools.pairwise(edges)):
        last = b == len(edges) - 2
        inside = (flat >= low) & ((flat <= high) if last else (flat < high))
        n = int(inside.sum())
        out.append(ReliabilityBin(
            low, high, n,
            float(flat[inside].mean()) if n else None,
            float(hits[inside].mean()) if n else None))
    assert sum(b.n for b in out) == len(labels) * n_classes
    return tuple(out)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (honest with few cases)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
