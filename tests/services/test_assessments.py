"""The assessment service against a fake catalogue: caching, and recomputing when cases change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from parley.domain.access import (
    ANONYMOUS,
    CaseAccess,
    CaseReader,
    Scope,
    Visibility,
    may_read_case,
)
from parley.domain.account import SYSTEM, Principal
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import Forbidden, InvalidInput, NotFound
from parley.domain.evidence import UNKNOWN_VALUE
from parley.domain.guideline import Guideline
from parley.domain.scenario import parse_scenario, scenario_from_case
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments, SavedScenarios
from tests.support import build, user


class FakeCatalogue:
    """Cases in memory; `private` maps a case id to the one account that sees it."""

    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases
        self.private: dict[str, str] = {}
        self.exports = 0

    def seen_by(self, reader: CaseReader) -> _View:
        return _View(self, reader)


class _View:
    def __init__(self, catalogue: FakeCatalogue, reader: CaseReader) -> None:
        self.catalogue, self.reader = catalogue, reader

    def export(self, where: str | None = None) -> list[Case]:
        self.catalogue.exports += 1
        private = self.catalogue.private
        return [c for c in self.catalogue.cases if may_read_case(self.reader, CaseAccess(
            c.id, False, Visibility.PRIVATE if c.id in private else Visibility.PUBLIC,
            private.get(c.id)))]


def _service(cases: list[Case], codebook: Codebook) -> tuple[Assessments, FakeCatalogue]:
    guidelines: list[Guideline] = load_guidelines(codebook)
    catalogue = FakeCatalogue(cases)
    service = Assessments(catalogue, codebook, guidelines,  # type: ignore[arg-type]
                          load_similarity_weights(codebook), load_outlook_settings(codebook))
    return service, catalogue


def test_preparation_is_cached_until_the_cases_change(bundled_cases: list[Case],
                                                      codebook: Codebook) -> None:
    service, catalogue = _service(bundled_cases, codebook)
    scenario = parse_scenario({"cohesion": "high", "group_type": ["gang"]}, codebook)
    first = service.assess(scenario)
    evaluation = service.evaluate()
    assert service.evaluate() is evaluation  # cached
    assert first.outlook.caveat.startswith(f"Measured by leave-one-out over "
                                           f"{evaluation.n_cases} past cases")
    # a case loses its outcome: the evaluation (and so the caveat) is recomputed
    known = next(c for c in bundled_cases if not c.values["outcome_class"].is_unknown
                 and c.parent is not None)
    changed = replace(known, values={**known.values, "outcome_class": UNKNOWN_VALUE})
    catalogue.cases = [changed if c.id == known.id else c for c in bundled_cases]
    assert service.evaluate() is not evaluation
    assert service.evaluate().n_cases == evaluation.n_cases - 1


def test_each_reader_is_assessed_over_the_cases_it_sees(bundled_cases: list[Case],
                                                        codebook: Codebook) -> None:
    service, catalogue = _service(bundled_cases, codebook)
    jamaica = next(c for c in bundled_cases if c.id == "jamaica-august-town-truce-2008")
    scenario = scenario_from_case(jamaica, codebook)
    everyone = service.assess(scenario)
    # the most similar case becomes ana's private case: nobody else is shown it
    top = everyone.similar_cases[0].id
    catalogue.private[top] = "ana"
    ana = CaseReader("ana")
    anonymous = service.assess(scenario, ANONYMOUS)
    assert top not in [s.id for s in anonymous.similar_cases]
    assert top not in [s.id for s in service.assess(scenario, CaseReader("bob")).similar_cases]
    assert service.assess(scenario, ana).similar_cases[0].id == top
    assert service.evaluate(ana) is service.evaluate(ana)  # both case sets stay cached
    assert service.evaluate(ANONYMOUS) is service.evaluate(ANONYMOUS)
    assert service.evaluate(ana) is not service.evaluate(ANONYMOUS)


def test_saved_scenarios_belong_to_their_author(codebook: Codebook, tmp_path: Path) -> None:
    app = build(f"sqlite:///{tmp_path / 'p.db'}", tmp_path)
    ana, bob = user(app, "ana"), user(app, "bob")
    admin = user(app, "root", admin=True)
    service = SavedScenarios(app.vault, codebook)
    scenario = parse_scenario({"title": "T", "secrecy": "secret"}, codebook)
    saved = service.save(ana, scenario)
    assert service.get(ana, saved.id).scenario == scenario
    assert service.get(admin, saved.id).author == "ana"
    with pytest.raises(NotFound):
        service.get(bob, saved.id)
    with pytest.raises(NotFound):
        service.delete(bob, saved.id)
    with pytest.raises(InvalidInput, match="sign in"):
        service.save(SYSTEM, scenario)
    with pytest.raises(Forbidden):
        service.save(Principal("ana", scope=Scope.READ), scenario)
    assert [s.id for s in service.mine(ana)] == [saved.id] and service.mine(bob) == []
    service.delete(ana, saved.id)
    assert service.mine(ana) == []
    app.close()
