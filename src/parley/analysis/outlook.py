"""The outlook: a distribution over the ordered outcome classes that claims no more than its
measured evidence supports (docs/assessment.md).

The outlook in use (`Calibrated`) blends three things, then shrinks the blend towards the
uniform distribution:

1. an *ordinal* vote of the k most similar comparable past cases: each votes with its
   similarity, for its own class and (with `spread` > 0) a little for the neighbouring classes
   on the scale no-deal < collapsed < temporary-reduction < lasting-reduction < transformation,
   smoothed towards the base rates with strength `alpha`;
2. a small, strongly regularised ordinal model of the paper's conditions for durable results
   (`parley.analysis.conditions`), with weight `beta` against the vote;
3. shrinkage: `p = (1 - shrinkage) * blend + shrinkage * uniform`. The paper chose notable
   cases, so its class frequencies are not the world's; uniform is the honest fallback.

Every one of k, spread, alpha, beta and shrinkage is fitted together by cross-validation on the
ranked probability score (a proper scoring rule that respects the order of the classes), on the
training cases only (`fit_calibrated`). Finally, no class may exceed 0.5 unless the same
cross-validation showed that such confident outlooks came true at least as often as claimed.

With no comparable past case (none compared on enough variables and at least
`min_similarity` alike) the vote abstains and falls back to the base rates; with fewer than
`min_known` known scenario variables the whole outlook is the base rates shrunk towards uniform.

`distribution`, `predict` and `fit_params` are the plain similarity-weighted vote Parley used
before (`nearest-neighbour` in `parley evaluate`), kept as a baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from parley.analysis.conditions import OutlookSettings, contributions, probabilities
from parley.analysis.scoring import brier, rps, wilson
from parley.domain.assessment import Measured, Outlook
from parley.domain.phrase import ENGLISH_NUMBERS, NumberStyle

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

K_GRID: tuple[int, ...] = (1, 2, 3, 5, 7, 10, 15, 1000)
ALPHA_GRID: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)

# The calibrated outlook's grid (fitted jointly by cross-validated RPS).
CAL_K_GRID: tuple[int, ...] = (1, 3, 5, 10, 1000)
CAL_ALPHA_GRID: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
SPREAD_GRID: tuple[float, ...] = (0.0, 0.5)
BETA_GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
SHRINKAGE_GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
# how alike a past case must be to vote (values below the settings' floor are not tried)
SIMILARITY_GRID: tuple[float, ...] = (0.25, 0.5, 0.75)



@dataclass(frozen=True)
class Design:
    """The grid the calibrated outlook's settings are fitted over, and the fitting criterion's
    weight on an even mix of outcome classes (0: the paper's mix only; 0.5: half each).
    `DESIGN` is the one in use; others exist to compare choices (scripts/outlook-choices)."""

    k_grid: tuple[int, ...] = CAL_K_GRID
    alpha_grid: tuple[float, ...] = CAL_ALPHA_GRID
    spread_grid: tuple[float, ...] = SPREAD_GRID
    beta_grid: tuple[float, ...] = BETA_GRID
    shrinkage_grid: tuple[float, ...] = SHRINKAGE_GRID
    similarity_grid: tuple[float, ...] = SIMILARITY_GRID
    even_weight: float = 0.5

    def thresholds(self, floor: float) -> tuple[float, ...]:
        """The similarity thresholds tried: the grid's values at or above `floor`, or the floor."""
        return tuple(t for t in self.similarity_grid if t >= floor) or (floor,)


DESIGN = Design()

CAUTIOUS_CAP = 0.5
# Confidence above the cap needs at least this many cross-validated outlooks above it (and
# that they came true as often as they claimed: `supports_confidence`).
MIN_CONFIDENT = 5


# ----- the plain nearest-neighbour vote (baseline) ----------------------------------------------


@dataclass(frozen=True)
class OutlookParams:
    """How many neighbours vote (k) and how strongly the vote is smoothed (alpha)."""

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


def ranked(sims: FloatArray, candidates: Sequence[int], ids: Sequence[str]) -> list[int]:
    """Candidates by similarity, highest first; ties by id so results never depend on order."""
    return sorted(candidates, key=lambda j: (-sims[j], ids[j]))


def predict(order: Sequence[int], sims: FloatArray, labels: Sequence[int], params: OutlookParams,
            base: FloatArray) -> FloatArray:
    """The plain vote from a ranked list of neighbour indices."""
    top = order[: params.k]
    return distribution([(float(sims[j]), labels[j]) for j in top], base, params.alpha)


def fit_params(
    sim: FloatArray,
    labels: Sequence[int],
    ids: Sequence[str],
    usable: BoolArray,
    members: Sequence[int],
    n_classes: int,
    k_grid: Sequence[int] = K_GRID,
    alpha_grid: Sequence[float] = ALPHA_GRID,
) -> OutlookParams:
    """Choose the plain vote's k and alpha by leave-one-out Brier score over `members` only.

    `usable[i, j]` is True when j may be a neighbour of i. Ties in score go to the larger alpha
    and then the smaller k: the more cautious vote.
    """
    if len(members) < 2:
        return DEFAULT_PARAMS
    member_set = set(members)
    n, kn = len(members), len(k_grid)
    labels_arr = np.asarray(labels, dtype=np.int64)
    votes = np.zeros((kn, n, n_classes))  # similarity votes of the k nearest, per k
    bases = np.zeros((n, n_classes))
    truth = np.zeros((n, n_classes))
    for c, i in enumerate(members):
        order = ranked(sim[i], [j for j in member_set if j != i and usable[i, j]], ids)
        bases[c] = base_rates([labels[j] for j in members if j != i], n_classes)
        truth[c, labels[i]] = 1.0
        if order:
            weighted = np.zeros((len(order), n_classes))
            weighted[np.arange(len(order)), labels_arr[order]] = np.maximum(sim[i, order], 0.0)
            cum = np.cumsum(weighted, axis=0)
            votes[:, c] = cum[np.minimum(np.array(k_grid), len(order)) - 1]
    best: tuple[float, float, int] | None = None
    chosen = DEFAULT_PARAMS
    for alpha in alpha_grid:
        prior = alpha * n_classes
        probs = (votes + prior * bases) / (votes.sum(axis=2, keepdims=True) + prior)
        scores = ((probs - truth) ** 2).sum(axis=2).mean(axis=1)
        for ki, k in enumerate(k_grid):
            key = (round(float(scores[ki]), 12), -alpha, k)
            if best is None or key < best:
                best, chosen = key, OutlookParams(k, alpha)
    return chosen


# ----- the calibrated outlook -------------------------------------------------------------------


@dataclass(frozen=True)
class CalibratedParams:
    """The calibrated outlook's fitted settings (see the module docstring)."""

    k: int
    alpha: float
    spread: float
    beta: float
    shrinkage: float
    cap: float  # the largest probability any class may get
    min_similarity: float = 0.0  # a past case less alike than this does not vote

    def __post_init__(self) -> None:
        if (self.k < 1 or self.alpha <= 0 or not 0 <= self.spread <= 1
                or not 0 <= self.beta <= 1 or not 0 <= self.shrinkage <= 1
                or not 0 < self.cap <= 1 or not 0 <= self.min_similarity <= 1):
            raise ValueError(f"invalid outlook parameters {self}")


# With nothing fitted (fewer than two training cases): the uniform distribution.
UNIFORM_PARAMS = CalibratedParams(5, 1.0, 0.0, 0.0, 1.0, CAUTIOUS_CAP)


@dataclass(frozen=True)
class Evidence:
    """What one outlook is drawn from.

    Attributes:
        base: Laplace-smoothed class frequencies of the training cases.
        neighbours: comparable past cases, most similar first: (index, similarity, class).
        conditions: the scenario's condition codes (all 0 when abstaining).
        weights: the fitted weight of each condition.
    """

    base: FloatArray
    neighbours: tuple[tuple[int, float, int], ...]
    conditions: FloatArray
    weights: FloatArray


def ordinal_kernel(label: int, spread: float, n_classes: int) -> FloatArray:
    """One vote for class `label`, a share `spread ** distance` for classes near it on the scale.

    Example:
        >>> ordinal_kernel(2, 0.5, 5)  # weights 0.25, 0.5, 1, 0.5, 0.25, normalised
        array([0.1, 0.2, 0.4, 0.2, 0.1])
    """
    distance = np.abs(np.arange(n_classes) - label)
    raw = np.where(distance == 0, 1.0, spread ** np.maximum(distance, 1))
    kernel: FloatArray = raw / raw.sum()
    return kernel


@dataclass(frozen=True)
class Explained:
    """An outlook and, per source, how much it moved each class (each row sums to 0).

    `prior` is the move from uniform to the (shrunk) base rates; `cases` one row per voting
    neighbour; `conditions` one row per condition; `cap` what the confidence limit took away.
    The moves add up exactly: uniform + prior + cases + conditions + cap = probs.
    """

    probs: FloatArray
    prior: FloatArray
    cases: FloatArray
    conditions: FloatArray
    cap: FloatArray
    voters: tuple[tuple[int, float, int], ...] = field(default=())


def _capped(probs: FloatArray, cap: float) -> FloatArray:
    """Mix towards uniform just enough that no class exceeds `cap` (keeps the order of classes)."""
    n = len(probs)
    top = float(probs.max())
    if top <= cap or cap >= 1.0 or cap <= 1.0 / n:
        return probs
    t = (cap - 1.0 / n) / (top - 1.0 / n)
    out: FloatArray = t * probs + (1 - t) / n
    return out


def shrunk(base: FloatArray, shrinkage: float) -> FloatArray:
    """Base rates shrunk towards uniform: (1 - shrinkage) * base + shrinkage / K."""
    out: FloatArray = (1 - shrinkage) * base + shrinkage / len(base)
    return out


def explain(evidence: Evidence, params: CalibratedParams) -> Explained:
    """The calibrated outlook from its evidence, with every source's contribution."""
    n = len(evidence.base)
    uniform = np.full(n, 1.0 / n)
    prior_rates = shrunk(evidence.base, params.shrinkage)
    voters = tuple(v for v in evidence.neighbours if v[1] >= params.min_similarity)[: params.k]
    votes = np.array([max(0.0, s) for _, s, _ in voters])
    denominator = votes.sum() + params.alpha * n
    kernels = (np.array([ordinal_kernel(c, params.spread, n) for _, _, c in voters])
               if voters else np.zeros((0, n)))
    # vote = prior + sum_j votes_j / denominator * (kernel_j - prior)
    case_moves = (1 - params.beta) * (votes / denominator)[:, None] * (kernels - prior_rates)
    _, cond_moves = contributions(evidence.conditions, evidence.weights, prior_rates)
    condition_moves = params.beta * cond_moves
    prior = prior_rates - uniform
    # a convex mixture of distributions, so non-negative and summing to 1
    blended = uniform + prior + case_moves.sum(axis=0) + condition_moves.sum(axis=0)
    final = _capped(blended, params.cap)
    return Explained(final, prior, case_moves, condition_moves, final - blended, voters)


def outlook(evidence: Evidence, params: CalibratedParams) -> FloatArray:
    """The calibrated outlook's distribution."""
    return explain(evidence, params).probs


@dataclass(frozen=True)
class OutlookModel:
    """The outlook in use: settings and condition weights fitted on the whole case base, and
    (once evaluated) how it scored on cases it had not seen."""

    params: CalibratedParams
    condition_weights: tuple[float, ...]
    settings: OutlookSettings
    measured: Measured | None = None


def _pct(p: float, numbers: NumberStyle = ENGLISH_NUMBERS) -> str:
    return numbers.percent.format(f"{100 * p:.0f}")


@dataclass(frozen=True)
class OutlookWords:
    """The outlook sentence's words, as `str.format` templates: English here, other languages
    from `knowledge/i18n/<lang>/outlook.yaml`. Numbers are filled in by `outlook_sentence`."""

    too_little: str = ("Too little is known about this situation to compare it with past "
                       "cases, so the outlook is only the base rate ({spread})")
    no_comparable: str = "No past case is comparable, so the outlook rests on base rates ({spread})"
    no_comparable_conditions: str = (
        "No past case is comparable, so the outlook rests on base rates and the paper's "
        "conditions for durable results ({spread})")
    most_likely: str = "Most likely {top} ({pct}; {spread})"
    unmeasured: str = ("{lead}. Its accuracy could not be measured, so treat it as a rough "
                       "indication.")
    measured: str = (
        "{lead}. Measured on past cases it had not seen, this method scored a Brier score of "
        "{brier_loo} and a ranked probability score of {rps_loo} by leave-one-out, and "
        "{brier_loco} and {rps_loco} holding out whole countries (an even guess: "
        "{uniform_brier} and {uniform_rps}; lower is better): {verdict}.")
    weak: str = "weak evidence, not a forecast"
    no_better: str = "no better than an even guess, so not a forecast"
    and_: str = "and"
    each: str = "each"
    classes: Mapping[str, str] = field(default_factory=dict)  # outcome class -> its name
    numbers: NumberStyle = ENGLISH_NUMBERS  # how the language writes 0.61 and 40%

    def name(self, cls: str) -> str:
        return self.classes.get(cls) or cls.replace("-", " ")


ENGLISH = OutlookWords()


def _spread_of(distribution: Mapping[str, float], words: OutlookWords = ENGLISH) -> str:
    """'temporary reduction 40%; no deal, collapsed and transformation 15% each; ...'"""
    groups: dict[str, list[str]] = {}
    for cls, p in sorted(distribution.items(), key=lambda kv: -kv[1]):
        groups.setdefault(_pct(p, words.numbers), []).append(words.name(cls))
    parts = []
    for pct, names in groups.items():
        joined = names[0] if len(names) == 1 else (
            ", ".join(names[:-1]) + f" {words.and_} " + names[-1])
        parts.append(f"{joined} {pct}" + (f" {words.each}" if len(names) > 1 else ""))
    return "; ".join(parts)


def outlook_sentence(outlook: Outlook, measured: Measured | None = None,
                     words: OutlookWords = ENGLISH) -> str:
    """One sentence for the brief's front page: the outlook and the measured figures of the
    method that produced it (`measured` defaults to the outlook's own).

    Example: "Most likely temporary reduction (40%; the other four 15% each) ..." is what a
    reader gets, followed by the Brier score and ranked probability score by leave-one-out
    and by leave-one-country-out beside the even guess's, and a verdict.
    """
    figures = measured or outlook.measured
    top, p1 = max(outlook.distribution.items(), key=lambda kv: kv[1])
    rest = {k: v for k, v in outlook.distribution.items() if k != top}
    if outlook.abstained == "too-little-known":
        lead = words.too_little.format(spread=_spread_of(outlook.distribution, words))
    elif outlook.abstained == "no-comparable-case":
        conditions = any(m.kind == "condition" for m in outlook.explanation)
        lead = (words.no_comparable_conditions if conditions else words.no_comparable).format(
            spread=_spread_of(outlook.distribution, words))
    else:
        lead = words.most_likely.format(top=words.name(top), pct=_pct(p1, words.numbers),
                                        spread=_spread_of(rest, words))
    if figures is None or figures.n_cases == 0:
        return words.unmeasured.format(lead=lead)
    def num(value: float, spec: str) -> str:
        return format(value, spec).replace(".", words.numbers.decimal)

    return words.measured.format(
        lead=lead, brier_loo=num(figures.brier_loo, ".2f"), rps_loo=num(figures.rps_loo, ".3f"),
        brier_loco=num(figures.brier_loco, ".2f"), rps_loco=num(figures.rps_loco, ".3f"),
        uniform_brier=num(figures.uniform_brier, ".2f"),
        uniform_rps=num(figures.uniform_rps, ".3f"),
        verdict=words.weak if figures.beats_uniform else words.no_better)


# ----- fitting by cross-validation --------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The cases an outlook may learn from, prepared once per case base.

    Attributes:
        ids: case ids (deterministic tie-breaks).
        labels: outcome class index of each case.
        groups: the unit a cross-validation holds out together (its own id, or its country).
        sim: pairwise similarities.
        comparable: comparable[i, j] is True when j may be a neighbour of i by similarity alone
            (compared on enough variables, at least `min_similarity` alike, not i itself).
        related: related[i, j] is True when i and j are parts of one process (parent, sub-case
            or sub-cases of one parent): they never help predict each other.
        conditions: condition codes of each case.
        informative: False for cases with too few known scenario variables (base rates only).
        n_classes: number of outcome classes.
        prior_sd: the conditions model's prior standard deviation.
        min_similarity: the least similarity `comparable` allows (thresholds fitted above it).
    """

    ids: tuple[str, ...]
    labels: npt.NDArray[np.int64]
    groups: tuple[str, ...]
    sim: FloatArray
    comparable: BoolArray
    related: BoolArray
    conditions: FloatArray
    informative: BoolArray
    n_classes: int
    prior_sd: float
    min_similarity: float = 0.0  # the floor `comparable` applied

    @property
    def size(self) -> int:
        return len(self.ids)


class EvidenceBuilder:
    """Builds the evidence for held-out cases, caching the conditions model per training set."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._weights: dict[tuple[int, ...], FloatArray] = {}

    def weights(self, train: Sequence[int]) -> FloatArray:
        from parley.analysis.conditions import fit_weights

        key = tuple(sorted(train))
        if key not in self._weights:
            p = self.problem
            idx = np.array(key, dtype=np.int64)
            base = base_rates(p.labels[idx].tolist(), p.n_classes)
            self._weights[key] = fit_weights(p.conditions[idx], p.labels[idx], base, p.prior_sd)
        return self._weights[key]

    def evidence(self, i: int, train: Sequence[int]) -> Evidence:
        """The evidence for case i, learning only from `train` (minus anything related to i)."""
        p = self.problem
        own = [j for j in train if j != i and not p.related[i, j]]
        base = base_rates(p.labels[own].tolist() if own else [], p.n_classes)
        weights = self.weights(own)
        if not p.informative[i]:
            return Evidence(base, (), np.zeros_like(p.conditions[i]), weights)
        candidates = [j for j in own if p.comparable[i, j]]
        order = sorted(candidates, key=lambda j: (-p.sim[i, j], p.ids[j]))
        neighbours = tuple((j, float(p.sim[i, j]), int(p.labels[j])) for j in order)
        return Evidence(base, neighbours, p.conditions[i], weights)


@lru_cache(maxsize=64)
def _kernels(spread: float, n_classes: int) -> FloatArray:
    """Row c: the ordinal vote of a case of class c."""
    return np.array([ordinal_kernel(c, spread, n_classes) for c in range(n_classes)])


def _cond_grid(etas: FloatArray, bases: FloatArray) -> FloatArray:
    """The conditions model for every (shrinkage, case): thresholds at each row's base rates."""
    cum = np.clip(np.cumsum(bases, axis=-1)[..., :-1], 1e-12, 1 - 1e-12)
    theta = np.log(cum / (1 - cum))
    below = 0.5 * (1.0 + np.tanh(0.5 * (theta - etas[None, :, None])))
    shape = (*below.shape[:-1], 1)
    full = np.concatenate([np.zeros(shape), below, np.ones(shape)], axis=-1)
    probs = np.clip(np.diff(full, axis=-1), 1e-12, None)
    out: FloatArray = probs / probs.sum(axis=-1, keepdims=True)
    return out


def _grid_predictions(evidence: Sequence[Evidence], n_classes: int, design: Design,
                      thresholds: Sequence[float]) -> FloatArray:
    """Uncapped outlooks of every case for every grid point, shaped
    (threshold, k, alpha, spread, beta, shrinkage, case, class)."""
    n = len(evidence)
    tn, kn, sn = len(thresholds), len(design.k_grid), len(design.spread_grid)
    gammas = np.array(design.shrinkage_grid)[:, None, None]
    bases = (1 - gammas) * np.array([e.base for e in evidence]) + gammas / n_classes
    etas = np.array([float(e.conditions @ e.weights) for e in evidence])
    cond = _cond_grid(etas, bases)  # (shrinkage, case, class)
    votes = np.zeros((tn, kn, sn, n, n_classes))
    totals = np.zeros((tn, kn, n))
    ks = np.array(design.k_grid)
    for c, e in enumerate(evidence):
        if not e.neighbours:
            continue
        # neighbours come most similar first, so each threshold keeps a prefix
        sims = np.maximum(np.array([s for _, s, _ in e.neighbours]), 0.0)
        labels = np.array([label for _, _, label in e.neighbours], dtype=np.int64)
        cum_sims = np.concatenate([[0.0], np.cumsum(sims)])
        cum_votes = [np.concatenate([np.zeros((1, n_classes)), np.cumsum(
            sims[:, None] * _kernels(spread, n_classes)[labels], axis=0)])
            for spread in design.spread_grid]
        for ti, threshold in enumerate(thresholds):
            tops = np.minimum(ks, int(np.sum(sims >= threshold)))
            totals[ti, :, c] = cum_sims[tops]
            for si in range(sn):
                votes[ti, :, si, c] = cum_votes[si][tops]
    alphas = np.array(design.alpha_grid)[None, None, :, None, None, None, None] * n_classes
    # (threshold, k, alpha, spread, shrinkage, case, class)
    vote = ((votes[:, :, None, :, None] + alphas * bases[None, None, None, None])
            / (totals[:, :, None, None, None, :, None] + alphas))
    beta = np.array(design.beta_grid)[:, None, None, None]
    out: FloatArray = ((1 - beta) * vote[:, :, :, :, None]
                       + beta * cond[None, None, None, None, None])
    return out


def _grid_scores(preds: FloatArray, labels: npt.NDArray[np.int64], even_weight: float
                 ) -> FloatArray:
    """The fitting criterion for every grid point: the RPS averaged over cases (the paper's mix
    of outcomes) and averaged with every outcome class that occurred weighing the same (an even
    mix), weighted (1 - even_weight) and even_weight. The paper chose notable cases, so its mix
    is not the world's; fitting to both keeps the outlook from earning its score by echoing the
    paper's frequencies."""
    k = preds.shape[-1]
    cum = np.cumsum(preds, axis=-1)[..., :-1]
    observed = (np.arange(k - 1)[None, :] >= labels[:, None]).astype(np.float64)
    per_case = np.sum((cum - observed) ** 2, axis=-1) / (k - 1)
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    even = 1.0 / (counts[labels] * np.count_nonzero(counts))
    scores: FloatArray = ((1 - even_weight) * per_case.mean(axis=-1)
                          + even_weight * (per_case * even).sum(axis=-1))
    return scores


def capped_grid(preds: FloatArray, cap: float) -> FloatArray:
    """`_capped` over a whole array of outlooks (last axis: classes)."""
    n = preds.shape[-1]
    top = preds.max(axis=-1, keepdims=True)
    t = np.where(top > cap, (cap - 1.0 / n) / np.maximum(top - 1.0 / n, 1e-12), 1.0)
    out: FloatArray = t * preds + (1 - t) / n
    return out


def supports_confidence(preds: FloatArray, labels: npt.NDArray[np.int64]) -> bool:
    """Whether cross-validated outlooks above 0.5 earned it: at least MIN_CONFIDENT of them,
    their top class came true more often than not (Wilson 95% lower bound at least 0.5), and
    at least as often as they claimed on average."""
    top = preds.max(axis=1)
    confident = top > CAUTIOUS_CAP
    m = int(confident.sum())
    if m < MIN_CONFIDENT:
        return False
    hits = int((preds[confident].argmax(axis=1) == labels[confident]).sum())
    low, _ = wilson(hits, m)
    return low >= CAUTIOUS_CAP and hits / m >= float(top[confident].mean())


def _best(scores: FloatArray, design: Design, thresholds: Sequence[float]
          ) -> tuple[float, tuple[int, ...]]:
    """The lowest score on the (threshold, k, alpha, spread, beta, shrinkage) grid; ties (to
    1e-9) go to more shrinkage, then stronger smoothing, more neighbours, a higher threshold,
    less spread, less blend."""
    grids = np.meshgrid(np.array(thresholds, dtype=float),
                        np.array(design.k_grid, dtype=float), np.array(design.alpha_grid),
                        np.array(design.spread_grid), np.array(design.beta_grid, dtype=float),
                        np.array(design.shrinkage_grid), indexing="ij")
    threshold, k, alpha, spread, beta, shrinkage = (g.reshape(-1) for g in grids)
    rounded = np.round(scores.reshape(-1), 9)
    # np.lexsort sorts by the last key first
    order = np.lexsort((beta, spread, -threshold, -k, -alpha, -shrinkage, rounded))
    flat = int(order[0])
    index = tuple(int(x) for x in np.unravel_index(flat, scores.shape))
    return float(scores.reshape(-1)[flat]), index


def held_out_units(problem: Problem, members: Sequence[int]) -> list[list[int]]:
    """The members grouped by the unit a cross-validation holds out together."""
    units: dict[str, list[int]] = {}
    for i in members:
        units.setdefault(problem.groups[i], []).append(i)
    return [units[g] for g in sorted(units)]


def _choose(preds: FloatArray, labels: npt.NDArray[np.int64], design: Design,
            thresholds: Sequence[float]) -> CalibratedParams:
    # The cautious cap is the default; lifting it must be earned: the best uncapped setting
    # must score at least as well and its confident outlooks must have come true as claimed.
    capped = _grid_scores(capped_grid(preds, CAUTIOUS_CAP), labels, design.even_weight)
    score, index = _best(capped, design, thresholds)
    cap = CAUTIOUS_CAP
    free_score, free_index = _best(_grid_scores(preds, labels, design.even_weight), design,
                                   thresholds)
    if free_score <= score and supports_confidence(preds[free_index], labels):
        index, cap = free_index, 1.0
    ti, ki, ai, si, bi, hi = index
    return CalibratedParams(design.k_grid[ki], design.alpha_grid[ai], design.spread_grid[si],
                            design.beta_grid[bi], design.shrinkage_grid[hi], cap,
                            thresholds[ti])


def fit_variants(problem: Problem, members: Sequence[int], builder: EvidenceBuilder,
                 variants: Mapping[str, Sequence[float]], design: Design = DESIGN
                 ) -> dict[str, CalibratedParams]:
    """`fit_calibrated` for several restrictions of the blend (beta values drawn from the
    design's beta grid) at once, sharing the cross-validated evidence."""
    thresholds = design.thresholds(problem.min_similarity)
    units = held_out_units(problem, members)
    if len(units) < 2:
        return {name: replace(UNIFORM_PARAMS, beta=betas[0], min_similarity=thresholds[-1])
                for name, betas in variants.items()}
    member_set = set(members)
    held: list[int] = []
    evidence: list[Evidence] = []
    for unit in units:
        train = sorted(member_set - set(unit))
        for i in unit:
            held.append(i)
            evidence.append(builder.evidence(i, train))
    labels = problem.labels[np.array(held, dtype=np.int64)]
    preds = _grid_predictions(evidence, problem.n_classes, design, thresholds)
    out: dict[str, CalibratedParams] = {}
    for name, betas in variants.items():
        columns = [design.beta_grid.index(b) for b in betas]
        out[name] = _choose(preds[:, :, :, :, columns], labels,
                            replace(design, beta_grid=tuple(betas)), thresholds)
    return out


def fit_calibrated(problem: Problem, members: Sequence[int],
                   builder: EvidenceBuilder | None = None,
                   betas: Sequence[float] | None = None, design: Design = DESIGN
                   ) -> CalibratedParams:
    """Fit every setting of the calibrated outlook by cross-validation over `members` only.

    Each unit (a case, or a country: `problem.groups`) is held out in turn and predicted from
    the other members, never from cases related to it; the criterion is `_grid_scores`. Ties go
    to the more cautious setting. `betas` (values of the design's beta grid) restricts the
    blend, to score the vote or the conditions model alone.
    """
    builder = builder or EvidenceBuilder(problem)
    chosen = tuple(betas) if betas is not None else design.beta_grid
    return fit_variants(problem, members, builder, {"fit": chosen}, design)["fit"]


__all__ = [
    "ALPHA_GRID",
    "BETA_GRID",
    "CAL_ALPHA_GRID",
    "CAL_K_GRID",
    "CAUTIOUS_CAP",
    "DESIGN",
    "K_GRID",
    "SHRINKAGE_GRID",
    "SPREAD_GRID",
    "CalibratedParams",
    "Design",
    "Evidence",
    "EvidenceBuilder",
    "Explained",
    "OutlookModel",
    "OutlookParams",
    "Problem",
    "base_rates",
    "brier",
    "capped_grid",
    "distribution",
    "explain",
    "fit_calibrated",
    "fit_params",
    "fit_variants",
    "ordinal_kernel",
    "outlook",
    "outlook_sentence",
    "predict",
    "probabilities",
    "ranked",
    "rps",
    "supports_confidence",
]
