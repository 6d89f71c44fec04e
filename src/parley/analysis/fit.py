"""The outlook in use as one stored value: the nested evaluation of a case base and the outlook
fitted on it, computed once per case-base revision and read back by every assessment.

`fit_case_base` is the expensive step (the nested evaluation reruns the whole fit inside every
fold: about a second at 28 cases, quadratic in memory beyond). `fit_to_json` and
`fit_from_json` are lossless (floats keep every digit), so the caveat of a stored fit is the
caveat of a fresh one. `settings_digest` names what besides the cases the result depends on:
when it changes (new weights, conditions, codebook scales or a new `FORMAT`), stored fits no
longer apply. docs/assessment.md, "The evaluation's cache".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from parley.analysis.conditions import OutlookSettings
from parley.analysis.evaluate import (
    OUTCOME,
    Evaluation,
    MethodScore,
    Prediction,
    SchemeResult,
    caveat,
    caveat_phrases,
    evaluate,
    fit_outlook,
    measured_figures,
)
from parley.analysis.outlook import DESIGN, CalibratedParams, Design, OutlookModel
from parley.analysis.scoring import ReliabilityBin
from parley.analysis.similarity import SimilarityWeights
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.phrase import Phrase

FORMAT = 1
"""Raise when the evaluation or the fit changes meaning: stored results then stop applying."""


@dataclass(frozen=True)
class OutlookFit:
    """The evaluation of a case base and the outlook's settings fitted on the same cases."""

    evaluation: Evaluation
    params: CalibratedParams
    condition_weights: tuple[float, ...]

    def model(self, settings: OutlookSettings) -> OutlookModel:
        """The outlook in use, with its measured figures."""
        return OutlookModel(self.params, self.condition_weights, settings,
                            measured_figures(self.evaluation))

    @property
    def caveat(self) -> str:
        return caveat(self.evaluation)

    @property
    def caveat_phrases(self) -> tuple[Phrase, ...]:
        """The caveat as phrases, to say it in the reader's language."""
        return caveat_phrases(self.evaluation)


def fit_case_base(cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights,
                  settings: OutlookSettings, design: Design = DESIGN) -> OutlookFit:
    """Evaluate the outlook on `cases` (nested, both schemes) and fit the outlook in use on
    them. Expensive: call it once per case-base revision, never per assessment."""
    evaluation = evaluate(cases, codebook, weights, settings, design)
    model = fit_outlook(cases, codebook, weights, settings, evaluation, design)
    return OutlookFit(evaluation, model.params, model.condition_weights)


def settings_digest(codebook: Codebook, weights: SimilarityWeights, settings: OutlookSettings,
                    design: Design = DESIGN) -> str:
    """A digest of everything besides the cases that a fit depends on."""
    variables = [(v.name, v.type.value, tuple(v.codes), v.ordered)
                 for v in codebook.scenario_variables]
    conditions = [(c.name, repr(c.present_when), repr(c.absent_when))
                  for c in settings.conditions]
    material = repr((FORMAT, tuple(codebook[OUTCOME].codes), variables,
                     sorted((k, v.weight, v.scale) for k, v in weights.variables.items()),
                     weights.min_compared, conditions, settings.min_known,
                     settings.min_similarity, settings.prior_sd, design))
    return hashlib.sha256(material.encode()).hexdigest()


def fit_to_json(fit: OutlookFit) -> str:
    """The fit as JSON (lossless: `fit_from_json` gives back an equal value)."""
    return json.dumps({"format": FORMAT, "evaluation": asdict(fit.evaluation),
                       "params": asdict(fit.params),
                       "condition_weights": list(fit.condition_weights)},
                      ensure_ascii=False, sort_keys=True)


def _score(d: Mapping[str, Any]) -> MethodScore:
    bins = tuple(ReliabilityBin(**b) for b in d["reliability"])
    return MethodScore(**{**d, "reliability": bins})


def _prediction(d: Mapping[str, Any]) -> Prediction:
    return Prediction(**{**d, "neighbours": tuple(d["neighbours"]),
                         "probabilities": tuple(d["probabilities"])})


def _scheme(d: Mapping[str, Any]) -> SchemeResult:
    return SchemeResult(d["scheme"], d["n_folds"], tuple(_score(s) for s in d["scores"]),
                        tuple(_prediction(p) for p in d["predictions"]))


def fit_from_json(text: str) -> OutlookFit:
    """A fit stored by `fit_to_json`.

    Raises:
        ValueError: the text is not a stored fit of this `FORMAT`.
    """
    try:
        return _fit_from(json.loads(text))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a stored outlook fit of format {FORMAT}: {exc}") from exc


def _fit_from(data: Any) -> OutlookFit:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT}")
    e = data["evaluation"]
    evaluation = Evaluation(
        n_cases=e["n_cases"], classes=tuple(e["classes"]), class_counts=dict(e["class_counts"]),
        schemes=tuple(_scheme(s) for s in e["schemes"]),
        excluded={k: tuple(v) for k, v in e["excluded"].items()}, protocol=e["protocol"],
        n_countries=e["n_countries"], method=e["method"])
    return OutlookFit(evaluation, CalibratedParams(**data["params"]),
                      tuple(float(w) for w in data["condition_weights"]))


__all__ = ["FORMAT", "OutlookFit", "fit_case_base", "fit_from_json", "fit_to_json",
           "settings_digest"]
