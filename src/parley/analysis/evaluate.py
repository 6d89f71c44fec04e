"""Evaluation of the outlook that cannot flatter it: nested, by leave-one-out and by
leave-one-country-out, against three baselines.

Protocol (what `parley evaluate` reports):

- Evaluated cases are the *leaf* cases (no sub-cases of their own) whose `outcome_class` is
  known. A parent case summarises its sub-cases, so using both would count one process twice.
- Each held-out case's scenario is built from its pre-negotiation values (the codebook's
  scenario variables); its outcome is never an input.
- Leave-one-out holds out one case at a time; leave-one-country-out holds out every case of one
  country at a time. Either way a held-out case is never predicted from its parent, its
  sub-cases or the other sub-cases of its parent (parts of one process), and under
  leave-one-country-out never from a case of its own country.
- Everything is fitted inside each fold, on the training cases only (nested): the base rates,
  the conditions model, and every setting of the outlook (neighbours, smoothing, ordinal spread,
  blend, shrinkage towards uniform, confidence limit) by an inner cross-validation on the ranked
  probability score; the nearest-neighbour baseline's k and alpha by an inner leave-one-out.
- The similarity weights and the conditions are not fitted: they are judgments written down
  with reasons (similarity-weights.yaml, outlook-conditions.yaml).
- Baselines: uniform (1/K to each class); the paper's frequencies (the class frequencies of the
  training fold; its accuracy is that of always guessing its most common class); and the
  nearest-neighbour vote Parley used before.
- Scores: accuracy of the most likely class (Wilson 95% interval); Brier score (0 best, 2
  worst); ranked probability score over the ordered classes (0 best, 1 worst); a reliability
  table of every predicted class probability, binned, against how often that class happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from parley.analysis.conditions import OutlookSettings, fit_weights
from parley.analysis.outlook import (
    DESIGN,
    Design,
    EvidenceBuilder,
    OutlookModel,
    Problem,
    base_rates,
    explain,
    fit_calibrated,
    fit_params,
    fit_variants,
    predict,
    ranked,
)
from parley.analysis.outlook_text import english
from parley.analysis.scoring import (
    ReliabilityBin,
    balanced_scores,
    mean_scores,
    reliability,
    wilson,
)
from parley.analysis.similarity import CaseIndex, Row, SimilarityWeights
from parley.domain.assessment import Measured
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import UNKNOWN
from parley.domain.phrase import Phrase
from parley.domain.scenario import scenario_from_case

OUTCOME = "outcome_class"
METHOD_IN_USE = "outlook"
LOO, LOCO = "leave-one-out", "leave-one-country-out"
# The unit the outlook's own settings are fitted over, inside each fold and for the outlook in
# use: whole countries, because a new situation is most often unlike any coded one.
INNER = LOCO

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MethodScore:
    """How one way of predicting the outcome class scored over the held-out cases."""

    method: str
    accuracy: float
    accuracy_low: float  # Wilson 95% interval
    accuracy_high: float
    brier: float
    description: str
    rps: float = 0.0
    reliability: tuple[ReliabilityBin, ...] = ()
    max_probability: float = 0.0  # the largest probability it gave any class
    balanced_brier: float = 0.0  # every outcome class that occurred counts equally
    balanced_rps: float = 0.0


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
    probabilities: tuple[float, ...] = ()
    shrinkage: float = 0.0
    beta: float = 0.0
    spread: float = 0.0
    cap: float = 1.0


@dataclass(frozen=True)
class SchemeResult:
    """One cross-validation scheme's scores for every method."""

    scheme: str
    n_folds: int
    scores: tuple[MethodScore, ...]
    predictions: tuple[Prediction, ...]

    def score(self, method: str) -> MethodScore:
        return next(s for s in self.scores if s.method == method)


@dataclass(frozen=True)
class Evaluation:
    """Scores of the outlook and the baselines under both schemes, with the protocol's facts.

    A pure value of the case base (cacheable per revision); `evaluation_to_dict` is its JSON.
    """

    n_cases: int
    classes: tuple[str, ...]
    class_counts: Mapping[str, int]
    schemes: tuple[SchemeResult, ...]
    excluded: Mapping[str, tuple[str, ...]]
    protocol: str
    n_countries: int = 0
    method: str = METHOD_IN_USE

    def scheme(self, name: str) -> SchemeResult:
        return next(s for s in self.schemes if s.scheme == name)

    @property
    def scores(self) -> tuple[MethodScore, ...]:
        """Leave-one-out scores (the first evaluation)."""
        return self.scheme(LOO).scores

    @property
    def predictions(self) -> tuple[Prediction, ...]:
        return self.scheme(LOO).predictions

    def score(self, method: str, scheme: str = LOO) -> MethodScore:
        return self.scheme(scheme).score(method)


def leaf_cases(cases: Sequence[Case]) -> list[Case]:
    """Cases without sub-cases of their own."""
    parents = {c.parent for c in cases if c.parent}
    return [c for c in cases if c.id not in parents]


def family(cases: Sequence[Case]) -> dict[str, set[str]]:
    """For each case, the other parts of its process: its parent, its sub-cases and the other
    sub-cases of its parent (never neighbours of each other)."""
    out: dict[str, set[str]] = {c.id: set() for c in cases}
    children: dict[str, set[str]] = {}
    for c in cases:
        if c.parent:
            out[c.id].add(c.parent)
            out.setdefault(c.parent, set()).add(c.id)
            children.setdefault(c.parent, set()).add(c.id)
    for siblings in children.values():
        for cid in siblings:
            out[cid] |= siblings - {cid}
    return out


def _country(case: Case) -> str:
    return (case.country or f"(no country: {case.id})").casefold()


@dataclass(frozen=True)
class _Prepared:
    problem: Problem  # groups: the outer-LOO unit (the case itself)
    eligible: npt.NDArray[np.bool_]  # compared on enough variables (the plain vote's rule)
    countries: tuple[str, ...]


def _prepare(items: Sequence[Case], related_ids: Mapping[str, set[str]], codebook: Codebook,
             weights: SimilarityWeights, settings: OutlookSettings) -> _Prepared:
    classes = tuple(codebook[OUTCOME].codes)
    ids = tuple(c.id for c in items)
    n = len(items)
    rows: list[Row] = [scenario_from_case(c, codebook).values for c in items]
    index = CaseIndex(rows, codebook, weights)
    sim = np.zeros((n, n))
    compared = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        sim[i], compared[i] = index.similarities(rows[i])
    eligible = compared >= weights.min_compared
    np.fill_diagonal(eligible, False)
    related = np.array([[ids[j] in related_ids.get(ids[i], set()) for j in range(n)]
                        for i in range(n)], dtype=bool).reshape(n, n)
    known = np.array([sum(v is not UNKNOWN for v in r.values()) for r in rows], dtype=np.int64)
    problem = Problem(
        ids=ids,
        labels=np.array([classes.index(str(c.value(OUTCOME))) for c in items], dtype=np.int64),
        groups=ids,
        sim=sim,
        comparable=eligible & (sim >= settings.min_similarity),
        related=related,
        conditions=settings.features(rows),
        informative=known >= settings.min_known,
        n_classes=len(classes),
        prior_sd=settings.prior_sd,
        min_similarity=settings.min_similarity,
    )
    return _Prepared(problem, eligible, tuple(_country(c) for c in items))


def _score(method: str, description: str, probs: FloatArray, labels: npt.NDArray[np.int64],
           accuracy: float | None = None) -> MethodScore:
    n = len(labels)
    correct = int((probs.argmax(axis=1) == labels).sum()) if n else 0
    low, high = wilson(correct, n)
    mean_brier, mean_rps = mean_scores(probs, labels)
    if accuracy is not None:  # the uniform guess: the expected accuracy of a random pick
        low = high = accuracy
    b_brier, b_rps = balanced_scores(probs, labels)
    return MethodScore(method, accuracy if accuracy is not None else (correct / n if n else 0.0),
                       low, high, mean_brier, description, mean_rps, reliability(probs, labels),
                       float(probs.max()) if n else 0.0, b_brier, b_rps)


DESCRIPTIONS = {
    "outlook": "the outlook in use: ordinal vote of comparable past cases blended with the "
               "conditions model, shrunk towards uniform, confidence-limited; all settings fitted "
               "inside each fold",
    "ordinal-vote": "the outlook with the conditions model switched off (beta = 0)",
    "conditions-model": "the outlook with the vote switched off (beta = 1): the paper's conditions "
                        "for durable results alone",
    "nearest-neighbour": "the plain vote Parley used before: k most similar cases, "
                         "similarity-weighted, smoothed towards the base rates; k and alpha "
                         "fitted inside each fold by leave-one-out Brier score",
    "paper-frequencies": "the class frequencies of the training fold (accuracy: always its most "
                         "common class)",
    "uniform": "1/K to every class (accuracy: the expected 1/K of a random pick)",
}
CALIBRATED_VARIANTS: dict[str, tuple[float, ...]] = {
    "outlook": DESIGN.beta_grid, "ordinal-vote": (0.0,), "conditions-model": (1.0,),
}


def _run_scheme(scheme: str, prepared: _Prepared, builder: EvidenceBuilder,
                classes: tuple[str, ...], design: Design) -> SchemeResult:
    """Every method under one scheme, with everything fitted inside each outer fold."""
    base_problem = prepared.problem
    n, k_classes = base_problem.size, base_problem.n_classes
    outer_groups = base_problem.ids if scheme == LOO else prepared.countries
    inner_problem = replace(base_problem, groups=prepared.countries if INNER == LOCO
                            else base_problem.ids)
    outer = replace(base_problem, groups=outer_groups)
    units = [[i for i in range(n) if outer_groups[i] == g] for g in sorted(set(outer_groups))]
    labels = base_problem.labels
    probs: dict[str, FloatArray] = {m: np.zeros((n, k_classes)) for m in DESCRIPTIONS}
    predictions: dict[int, Prediction] = {}
    nn_usable = prepared.eligible & ~base_problem.related
    for unit in units:
        excluded = set(unit) | {j for i in unit for j in np.flatnonzero(outer.related[i])}
        members = [j for j in range(n) if j not in excluded]
        fitted = fit_variants(inner_problem, members, builder, CALIBRATED_VARIANTS, design)
        vote_params = fit_params(base_problem.sim, labels.tolist(), base_problem.ids, nn_usable,
                                 members, k_classes)
        train_labels = labels[members].tolist()
        freq = np.bincount(np.asarray(train_labels, dtype=np.int64),
                           minlength=k_classes).astype(float)
        freq = freq / freq.sum() if freq.sum() else np.full(k_classes, 1.0 / k_classes)
        for i in unit:
            evidence = builder.evidence(i, members)
            for name, params in fitted.items():
                probs[name][i] = explain(evidence, params).probs
            order = ranked(base_problem.sim[i], [j for j in members if nn_usable[i, j]],
                           base_problem.ids)
            probs["nearest-neighbour"][i] = predict(order, base_problem.sim[i], labels.tolist(),
                                                    vote_params, base_rates(train_labels,
                                                                            k_classes))
            probs["paper-frequencies"][i] = freq
            probs["uniform"][i] = np.full(k_classes, 1.0 / k_classes)
            p = probs[METHOD_IN_USE][i]
            chosen = fitted[METHOD_IN_USE]
            predictions[i] = Prediction(
                base_problem.ids[i], classes[labels[i]], classes[int(np.argmax(p))],
                float(p[labels[i]]), chosen.k, chosen.alpha,
                tuple(base_problem.ids[j] for j, _, _ in evidence.neighbours[: chosen.k]),
                tuple(float(x) for x in p), chosen.shrinkage, chosen.beta, chosen.spread,
                chosen.cap)
    scores = tuple(
        _score(m, d, probs[m], labels, 1.0 / k_classes if m == "uniform" else None)
        for m, d in DESCRIPTIONS.items())
    return SchemeResult(scheme, len(units), scores,
                        tuple(predictions[i] for i in range(n)))


def evaluate(cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights,
             settings: OutlookSettings, design: Design = DESIGN) -> Evaluation:
    """Nested leave-one-out and leave-one-country-out scores of the outlook and the baselines.

    A pure function of its arguments: cache it per case-base revision, never per request.
    """
    classes = tuple(codebook[OUTCOME].codes)
    leaves = leaf_cases(cases)
    no_outcome = tuple(c.id for c in leaves if c.values[OUTCOME].is_unknown)
    items = sorted((c for c in leaves if not c.values[OUTCOME].is_unknown), key=lambda c: c.id)
    non_leaf = tuple(sorted({c.id for c in cases} - {c.id for c in leaves}))
    prepared = _prepare(items, family(cases), codebook, weights, settings)
    builder = EvidenceBuilder(prepared.problem)
    schemes = tuple(_run_scheme(s, prepared, builder, classes, design) for s in (LOO, LOCO))
    counts = Counter(classes[label] for label in prepared.problem.labels.tolist())
    return Evaluation(
        n_cases=len(items),
        classes=classes,
        class_counts={c: counts.get(c, 0) for c in classes},
        schemes=schemes,
        excluded={"outcome unknown": no_outcome, "has sub-cases": non_leaf},
        protocol=(__doc__ or "").split("Protocol (what `parley evaluate` reports):", 1)[-1].strip(),
        n_countries=len(set(prepared.countries)),
    )


def fit_outlook(cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights,
                settings: OutlookSettings, evaluation: Evaluation | None = None,
                design: Design = DESIGN) -> OutlookModel:
    """The outlook in use, fitted on every leaf case with a known outcome exactly as inside each
    fold of the evaluation; `evaluation` (of the same cases) supplies its measured figures."""
    classes = tuple(codebook[OUTCOME].codes)
    items = sorted((c for c in leaf_cases(cases) if not c.values[OUTCOME].is_unknown),
                   key=lambda c: c.id)
    prepared = _prepare(items, family(cases), codebook, weights, settings)
    problem = replace(prepared.problem, groups=prepared.countries if INNER == LOCO
                      else prepared.problem.ids)
    members = list(range(problem.size))
    params = fit_calibrated(problem, members, design=design)
    labels = problem.labels
    base = base_rates(labels.tolist(), len(classes))
    condition_weights = fit_weights(problem.conditions, labels, base, settings.prior_sd)
    return OutlookModel(params, tuple(float(w) for w in condition_weights), settings,
                        measured_figures(evaluation) if evaluation is not None else None)


def measured_figures(evaluation: Evaluation) -> Measured:
    """The outlook in use's scores beside the uniform guess's, for its caveat and sentence."""
    loo, loco = evaluation.scheme(LOO), evaluation.scheme(LOCO)
    used, uniform = loo.score(evaluation.method), loo.score("uniform")
    return Measured(evaluation.method, evaluation.n_cases, evaluation.n_countries,
                    used.brier, used.rps, loco.score(evaluation.method).brier,
                    loco.score(evaluation.method).rps, uniform.brier, uniform.rps)


def caveat(evaluation: Evaluation) -> str:
    """The outlook's caveat: its measured scores under both evaluations beside the baselines'."""
    return english(*caveat_phrases(evaluation))


def caveat_phrases(evaluation: Evaluation) -> tuple[Phrase, ...]:
    """The caveat as phrases (`analysis/outlook_text.py`), to say it in any language."""
    if evaluation.n_cases == 0:
        return (Phrase("caveat_unmeasured"),)
    n = evaluation.n_cases
    o, f, u = (evaluation.score(m) for m in (evaluation.method, "paper-frequencies", "uniform"))
    oc, fc = (evaluation.score(m, LOCO) for m in (evaluation.method, "paper-frequencies"))
    figures = measured_figures(evaluation)
    return (Phrase("caveat", {
        "n": n, "right": round(o.accuracy * n), "accuracy": o.accuracy, "low": o.accuracy_low,
        "high": o.accuracy_high, "frequent": f.accuracy, "brier": o.brier, "rps": o.rps,
        "f_brier": f.brier, "f_rps": f.rps, "u_brier": u.brier, "u_rps": u.rps,
        "countries": evaluation.n_countries, "loco_brier": oc.brier, "loco_rps": oc.rps,
        "f_loco_brier": fc.brier, "f_loco_rps": fc.rps,
        "verdict": Phrase("caveat_better" if figures.beats_uniform else "caveat_not_better"),
    }),)


def _bins(bins: Sequence[ReliabilityBin]) -> list[dict[str, Any]]:
    return [{"bin": [b.low, b.high], "n": b.n,
             "mean_predicted": None if b.mean_predicted is None else round(b.mean_predicted, 4),
             "observed": None if b.observed is None else round(b.observed, 4)} for b in bins]


def _methods(result: SchemeResult) -> dict[str, Any]:
    return {
        s.method: {"accuracy": round(s.accuracy, 4),
                   "accuracy_95ci": [round(s.accuracy_low, 4), round(s.accuracy_high, 4)],
                   "brier": round(s.brier, 4), "rps": round(s.rps, 4),
                   "even_mix": {"brier": round(s.balanced_brier, 4),
                                "rps": round(s.balanced_rps, 4)},
                   "max_probability": round(s.max_probability, 4),
                   "reliability": _bins(s.reliability), "description": s.description}
        for s in result.scores
    }


def _predictions(result: SchemeResult) -> list[dict[str, Any]]:
    return [
        {"case": p.case, "actual": p.actual, "predicted": p.predicted,
         "p_actual": round(p.p_actual, 4),
         "probabilities": [round(x, 4) for x in p.probabilities],
         "k": p.k, "alpha": p.alpha, "spread": p.spread, "beta": p.beta,
         "shrinkage": p.shrinkage, "cap": p.cap, "neighbours": list(p.neighbours)}
        for p in result.predictions
    ]


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON of `parley evaluate --format json`.

    `evaluations` holds both schemes; the top-level `methods` and `predictions` repeat the
    leave-one-out ones, with `majority-class` (the first interface's name for the paper's
    frequencies) kept so that earlier scripts keep working.
    """
    loo = evaluation.scheme(LOO)
    legacy = _methods(loo)
    legacy["majority-class"] = {**legacy["paper-frequencies"],
                                "description": "the same as paper-frequencies (its first name)"}
    return {
        "n_cases": evaluation.n_cases,
        "n_countries": evaluation.n_countries,
        "classes": list(evaluation.classes),
        "class_counts": dict(evaluation.class_counts),
        "method_in_use": evaluation.method,
        "evaluations": {
            r.scheme: {"n_folds": r.n_folds, "methods": _methods(r),
                       "predictions": _predictions(r)}
            for r in evaluation.schemes
        },
        "methods": legacy,
        "predictions": _predictions(loo),
        "excluded": {k: list(v) for k, v in evaluation.excluded.items()},
        "protocol": evaluation.protocol,
    }
