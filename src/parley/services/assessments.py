"""Assessment use cases: assess a scenario against the stored case base; evaluate the outlook.

The case base can change (a user imports cases), so the prepared pool, the fitted outlook
parameters and the measured accuracy in the caveat are recomputed whenever the set of cases
changes, and cached otherwise. The caveat is thus always the accuracy of the outlook the user
is shown, measured on the very cases it draws from (docs/assessment.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from parley.analysis.assess import CasePool, assess
from parley.analysis.evaluate import Evaluation, caveat, evaluate, fit_outlook_params
from parley.analysis.outlook import OutlookParams
from parley.analysis.similarity import SimilarityWeights
from parley.domain.assessment import Assessment
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.scenario import SavedScenario, Scenario
from parley.services.cases import CaseCatalogue
from parley.services.ports import ScenarioStore


@dataclass(frozen=True)
class _Prepared:
    fingerprint: int
    pool: CasePool
    params: OutlookParams
    evaluation: Evaluation
    caveat: str


def fingerprint(cases: Sequence[Case]) -> int:
    """A hash of the case base's content: any edit to any case changes it."""
    return hash(tuple(sorted((c.id, c.parent, repr(sorted(c.values.items(), key=lambda kv: kv[0])))
                             for c in cases)))


class Assessments:
    """Assess scenarios and evaluate the outlook over the stored case base."""

    def __init__(self, catalogue: CaseCatalogue, codebook: Codebook,
                 guidelines: Sequence[Guideline], weights: SimilarityWeights) -> None:
        self.catalogue = catalogue
        self.codebook = codebook
        self.guidelines = tuple(guidelines)
        self.weights = weights
        self._prepared: _Prepared | None = None
        self._lock = threading.Lock()

    def _prepare(self) -> _Prepared:
        cases = self.catalogue.export()
        key = fingerprint(cases)
        with self._lock:
            if self._prepared is None or self._prepared.fingerprint != key:
                evaluation = evaluate(cases, self.codebook, self.weights)
                self._prepared = _Prepared(
                    key,
                    CasePool.build(cases, self.codebook, self.weights),
                    fit_outlook_params(cases, self.codebook, self.weights),
                    evaluation,
                    caveat(evaluation),
                )
            return self._prepared

    def assess(self, scenario: Scenario) -> Assessment:
        """The assessment of a validated scenario."""
        prepared = self._prepare()
        return assess(scenario, self.guidelines, prepared.pool, prepared.params, prepared.caveat)

    def evaluate(self) -> Evaluation:
        """Leave-one-out evaluation of the outlook over the stored case base."""
        return self._prepare().evaluation


class SavedScenarios:
    """Save scenarios and reopen them (the web form's "save")."""

    def __init__(self, store: ScenarioStore) -> None:
        self.store = store

    def save(self, scenario: Scenario) -> SavedScenario:
        """Store a validated scenario; returns it with its new id."""
        return self.store.get(self.store.save(scenario))

    def get(self, scenario_id: str) -> SavedScenario:
        return self.store.get(scenario_id)

    def recent(self, limit: int = 50) -> list[SavedScenario]:
        return self.store.recent(limit)
