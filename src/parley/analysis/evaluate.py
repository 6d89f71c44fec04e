"""Leave-one-out evaluation of the outlook over the case base, against two baselines.

Protocol (what `parley evaluate` reports):

- Evaluated cases are the *leaf* cases (no sub-cases of their own) whose `outcome_class` is
  known. A parent case summarises its sub-cases, so using both would count one process twice.
- Each case in turn is held out. Its scenario is built from its pre-negotiation values (the
  codebook's scenario variables); its outcome is never an input.
- Its neighbours come only from the other leaf cases, never from its own parent or sub-cases.
- k and alpha are fitted inside each fold by an inner leave-one-out on the remaining cases only.
  The similarity weights are not fitted (they are judgments written down with reasons), so the
  outlook is also scored with equal weights to show what that choice does.
- Baselines: the majority class of the training fold (accuracy), scored as the fold's class
  frequencies (Brier); and the uniform distribution (Brier 0.8 with five classes; its accuracy
  is the expected 1/K of a random pick).
- Brier score: mean over cases of the sum over classes of (p - outcome)^2; 0 is perfect, 2 the
  worst, lower is better.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from parley.analysis.outlook import OutlookParams, base_rates, brier, fit_params, predict, ranked
from parley.analysis.similarity import CaseIndex, Row, SimilarityWeights
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.scenario import scenario_from_case

OUTCOME = "outcome_class"


@dataclass(frozen=True)
class MethodScore:
    """How one way of predicting the outcome class scored over the held-out cases."""

    method: str
    accuracy: float
    accuracy_low: float  # Wilson 95% interval
    accuracy_high: float
    brier: float
    description: str


@dataclass(frozen=True)
class Prediction:
    """The outlook's prediction for one held-out case."""

    case: str
    actual: str
    predicted: str
    p_actual: float
    k: int
    alpha: float
    neighbours: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """Scores of the outlook and the baselines, with the protocol's facts."""

    n_cases: int
    classes: tuple[str, ...]
    class_counts: Mapping[str, int]
    scores: tuple[MethodScore, ...]
    predictions: tuple[Prediction, ...]
    excluded: Mapping[str, tuple[str, ...]]
    protocol: str

    def score(self, method: str) -> MethodScore:
        return next(s for s in self.scores if s.method == method)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (honest with few cases)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def leaf_cases(cases: Sequence[Case]) -> list[Case]:
    """Cases without sub-cases of their own."""
    parents = {c.parent for c in cases if c.parent}
    return [c for c in cases if c.id not in parents]


def family(cases: Sequence[Case]) -> dict[str, set[str]]:
    """For each case, its parent and its sub-cases (never neighbours of each other)."""
    out: dict[str, set[str]] = {c.id: set() for c in cases}
    for c in cases:
        if c.parent:
            out[c.id].add(c.parent)
            out.setdefault(c.parent, set()).add(c.id)
    return out


def _pairwise(rows: Sequence[Row], ids: Sequence[str], related: Mapping[str, set[str]],
              codebook: Codebook, weights: SimilarityWeights
              ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Pairwise similarities, and which pairs may be neighbours (not self, not family, enough
    variables compared)."""
    n = len(rows)
    index = CaseIndex(rows, codebook, weights)
    sim = np.zeros((n, n))
    usable = np.zeros((n, n), dtype=bool)
    for i in range(n):
        s, compared = index.similarities(rows[i])
        sim[i], usable[i] = s, compared >= weights.min_compared
        usable[i, i] = False
        for j in range(n):
            if ids[j] in related.get(ids[i], set()):
                usable[i, j] = False
    return sim, usable


def _argmax(probs: npt.NDArray[np.float64]) -> int:
    # first maximum in codebook order: deterministic, and the docs say so
    return int(np.argmax(probs))


def evaluate(cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights) -> Evaluation:
    """Leave-one-out accuracy and Brier score of the outlook and of the baselines."""
    classes = tuple(codebook[OUTCOME].codes)
    leaves = leaf_cases(cases)
    no_outcome = tuple(c.id for c in leaves if c.values[OUTCOME].is_unknown)
    items = sorted((c for c in leaves if not c.values[OUTCOME].is_unknown), key=lambda c: c.id)
    non_leaf = tuple(sorted({c.id for c in cases} - {c.id for c in leaves}))
    ids = [c.id for c in items]
    labels = [classes.index(str(c.value(OUTCOME))) for c in items]
    related = family(cases)
    n, n_classes = len(items), len(classes)

    rows = [scenario_from_case(c, codebook).values for c in items]
    methods: list[tuple[str, SimilarityWeights, str]] = [
        ("outlook", weights, "k most similar cases, similarity-weighted and smoothed; k and alpha "
         "fitted inside each fold; weights from similarity-weights.yaml"),
        ("outlook-equal-weights", weights.equal(), "the same, with every variable weighted 1"),
    ]
    scores: list[MethodScore] = []
    predictions: list[Prediction] = []
    for name, w, description in methods:
        sim, usable = _pairwise(rows, ids, related, codebook, w)
        correct, total_brier = 0, 0.0
        for i in range(n):
            train = [j for j in range(n) if j != i and ids[j] not in related.get(ids[i], set())]
            params = fit_params(sim, labels, ids, usable, train, n_classes)
            order = ranked(sim[i], [j for j in train if usable[i, j]], ids)
            base = base_rates([labels[j] for j in train], n_classes)
            probs = predict(order, sim[i], labels, params, base)
            guess = _argmax(probs)
            correct += guess == labels[i]
            total_brier += brier(probs, labels[i])
            if name == "outlook":
                predictions.append(Prediction(
                    ids[i], classes[labels[i]], classes[guess], float(probs[labels[i]]), params.k,
                    params.alpha, tuple(ids[j] for j in order[: params.k])))
        low, high = wilson(correct, n)
        scores.append(MethodScore(name, correct / n if n else 0.0, low, high,
                                  total_brier / n if n else 0.0, description))

    correct, total_brier = 0, 0.0
    for i in range(n):
        train_labels = [labels[j] for j in range(n)
                        if j != i and ids[j] not in related.get(ids[i], set())]
        freq = np.bincount(train_labels, minlength=n_classes).astype(float)
        freq = freq / freq.sum() if freq.sum() else np.full(n_classes, 1.0 / n_classes)
        correct += _argmax(freq) == labels[i]
        total_brier += brier(freq, labels[i])
    low, high = wilson(correct, n)
    scores.append(MethodScore("majority-class", correct / n if n else 0.0, low, high,
                              total_brier / n if n else 0.0,
                              "always the most common class of the training fold (Brier: the "
                              "fold's class frequencies)"))
    uniform = np.full(n_classes, 1.0 / n_classes)
    scores.append(MethodScore("uniform", 1.0 / n_classes, 1.0 / n_classes, 1.0 / n_classes,
                              brier(uniform, 0), "1/K to every class (accuracy: the expected "
                              "1/K of a random pick)"))
    counts = Counter(classes[label] for label in labels)
    return Evaluation(
        n_cases=n,
        classes=classes,
        class_counts={c: counts.get(c, 0) for c in classes},
        scores=tuple(scores),
        predictions=tuple(predictions),
        excluded={"outcome unknown": no_outcome, "has sub-cases": non_leaf},
        protocol=(__doc__ or "").split("Protocol (what `parley evaluate` reports):", 1)[-1].strip(),
    )


def fit_outlook_params(cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights
                       ) -> OutlookParams:
    """k and alpha fitted by leave-one-out over every leaf case with a known outcome."""
    classes = tuple(codebook[OUTCOME].codes)
    items = sorted((c for c in leaf_cases(cases) if not c.values[OUTCOME].is_unknown),
                   key=lambda c: c.id)
    ids = [c.id for c in items]
    rows = [scenario_from_case(c, codebook).values for c in items]
    sim, usable = _pairwise(rows, ids, family(cases), codebook, weights)
    labels = [classes.index(str(c.value(OUTCOME))) for c in items]
    return fit_params(sim, labels, ids, usable, list(range(len(items))), len(classes))


def caveat(evaluation: Evaluation) -> str:
    """The outlook's caveat, stating its measured accuracy beside the baselines'."""
    if evaluation.n_cases == 0:
        return ("No case with a known outcome is available, so this outlook is uniform and its "
                "accuracy cannot be measured.")
    o, m = evaluation.score("outlook"), evaluation.score("majority-class")
    u = evaluation.score("uniform")
    right = round(o.accuracy * evaluation.n_cases)
    verdict = ("no better than" if o.brier >= min(m.brier, u.brier)
               else "better than")
    return (
        f"Measured by leave-one-out over {evaluation.n_cases} past cases, the most likely class "
        f"was right for {right} of {evaluation.n_cases} (accuracy {o.accuracy:.0%}, 95% interval "
        f"{o.accuracy_low:.0%}-{o.accuracy_high:.0%}; always guessing the most common class: "
        f"{m.accuracy:.0%}; a random guess: {u.accuracy:.0%}). Its Brier score is "
        f"{o.brier:.2f} (most-common-class frequencies: {m.brier:.2f}; uniform: {u.brier:.2f}; "
        f"lower is better), so on this evidence it is {verdict} the baselines. It describes "
        "what happened in comparable cases; it is not a prediction."
    )


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON of `parley evaluate --format json`."""
    return {
        "n_cases": evaluation.n_cases,
        "classes": list(evaluation.classes),
        "class_counts": dict(evaluation.class_counts),
        "methods": {
            s.method: {"accuracy": round(s.accuracy, 4),
                       "accuracy_95ci": [round(s.accuracy_low, 4), round(s.accuracy_high, 4)],
                       "brier": round(s.brier, 4), "description": s.description}
            for s in evaluation.scores
        },
        "predictions": [
            {"case": p.case, "actual": p.actual, "predicted": p.predicted,
             "p_actual": round(p.p_actual, 4), "k": p.k, "alpha": p.alpha,
             "neighbours": list(p.neighbours)}
            for p in evaluation.predictions
        ],
        "excluded": {k: list(v) for k, v in evaluation.excluded.items()},
        "protocol": evaluation.protocol,
    }
