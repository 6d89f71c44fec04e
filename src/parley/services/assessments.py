"""Assessment use cases: assess a scenario against the stored case base; evaluate the outlook.

The case base can change (a curator imports cases), and each reader sees its own part of it
(bundled and published cases; a signed-in reader also its own and its workspaces' cases), so
the prepared pool, the fitted outlook parameters and the measured accuracy in the caveat are
computed for the cases the reader sees, and cached by their content (a few case sets at once).
The caveat is thus always the accuracy of the outlook the user is shown, measured on the very
cases it draws from (docs/assessment.md); similar cases are only ones the reader may open.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from parley.analysis.assess import CasePool, assess
from parley.analysis.evaluate import Evaluation, caveat, evaluate, fit_outlook_params
from parley.analysis.outlook import OutlookParams
from parley.analysis.similarity import SimilarityWeights
from parley.domain.access import ANONYMOUS, CaseReader, Scope
from parley.domain.account import Principal
from parley.domain.assessment import Assessment
from parley.domain.audit import AssessmentDeleted, AssessmentRead, AssessmentSaved
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import Forbidden, InvalidInput, NotFound
from parley.domain.guideline import Guideline
from parley.domain.scenario import SavedScenario, Scenario
from parley.services.cases import CaseCatalogue
from parley.services.ports import VaultStore

PREPARED_SETS = 8
"""How many case sets (readers who see different cases) keep their prepared pool."""


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
        self._prepared: OrderedDict[int, _Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def _prepare(self, reader: CaseReader) -> _Prepared:
        cases = self.catalogue.seen_by(reader).export()
        key = fingerprint(cases)
        with self._lock:
            prepared = self._prepared.get(key)
            if prepared is None:
                evaluation = evaluate(cases, self.codebook, self.weights)
                prepared = _Prepared(
                    key,
                    CasePool.build(cases, self.codebook, self.weights),
                    fit_outlook_params(cases, self.codebook, self.weights),
                    evaluation,
                    caveat(evaluation),
                )
                self._prepared[key] = prepared
                while len(self._prepared) > PREPARED_SETS:
                    self._prepared.popitem(last=False)
            self._prepared.move_to_end(key)
            return prepared

    def assess(self, scenario: Scenario, reader: CaseReader = ANONYMOUS) -> Assessment:
        """The assessment of a validated scenario over the cases `reader` sees."""
        prepared = self._prepare(reader)
        return assess(scenario, self.guidelines, prepared.pool, prepared.params, prepared.caveat)

    def evaluate(self, reader: CaseReader = ANONYMOUS) -> Evaluation:
        """Leave-one-out evaluation of the outlook over the cases `reader` sees."""
        return self._prepare(reader).evaluation


class SavedScenarios:
    """Saved assessments: each belongs to its signed-in author; only they (or an admin) read it.

    Anyone may assess a scenario; saving needs an account, because a saved scenario may
    describe secret talks and must have someone it belongs to. Someone else's assessment is
    reported exactly like a missing one (404), so its existence is not confirmed. Saving,
    reading and deleting are each audited in the transaction that does them.
    """

    def __init__(self, vault: VaultStore, codebook: Codebook) -> None:
        self.vault = vault
        self.codebook = codebook

    @staticmethod
    def _require_account(actor: Principal) -> None:
        if actor.system:
            raise InvalidInput("saved assessments belong to an account: sign in to save one")

    @staticmethod
    def _require_write(actor: Principal) -> None:
        if actor.scope is not Scope.WRITE:
            raise Forbidden("saving or deleting an assessment needs a token with write scope")

    @staticmethod
    def _may_open(actor: Principal, author: str | None) -> bool:
        return author is not None and (author == actor.name or actor.is_admin)

    def save(self, actor: Principal, scenario: Scenario) -> SavedScenario:
        """Seal and store a validated scenario for `actor`; returns it with its new id."""
        self._require_account(actor)
        self._require_write(actor)
        with self.vault.write() as tx:
            saved = tx.scenarios.save(actor.name, scenario)
            tx.audit.append(actor.name, AssessmentSaved(assessment=saved.id))
        return saved

    def get(self, actor: Principal, scenario_id: str) -> SavedScenario:
        """The author's (or, for an admin, anyone's) saved assessment; others get NotFound."""
        with self.vault.write() as tx:
            if not self._may_open(actor, tx.scenarios.author_of(scenario_id)):
                raise NotFound(f"no saved assessment '{scenario_id}'")
            saved = tx.scenarios.get(scenario_id, self.codebook)
            tx.audit.append(actor.name, AssessmentRead(assessment=saved.id,
                                                       author=saved.author))
        return saved

    def mine(self, actor: Principal, limit: int = 50) -> list[SavedScenario]:
        """The actor's own saved assessments, newest first (titles are shown: not audited)."""
        if actor.system:
            return []
        with self.vault.read() as tx:
            return tx.scenarios.by_author(actor.name, self.codebook, limit)

    def delete(self, actor: Principal, scenario_id: str) -> None:
        self._require_write(actor)
        with self.vault.write() as tx:
            author = tx.scenarios.author_of(scenario_id)
            if not self._may_open(actor, author):
                raise NotFound(f"no saved assessment '{scenario_id}'")
            tx.scenarios.delete(scenario_id)
            tx.audit.append(actor.name, AssessmentDeleted(assessment=scenario_id,
                                                          author=author or ""))
