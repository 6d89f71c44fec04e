"""The assessment service against a fake catalogue: caching, and recomputing when cases change."""

from __future__ import annotations

from dataclasses import replace

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import UNKNOWN_VALUE
from parley.domain.guideline import Guideline
from parley.domain.scenario import SavedScenario, Scenario, parse_scenario
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments, SavedScenarios


class FakeCatalogue:
    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases
        self.exports = 0

    def export(self, where: str | None = None) -> list[Case]:
        self.exports += 1
        return list(self.cases)


class FakeScenarioStore:
    def __init__(self) -> None:
        self.rows: dict[str, Scenario] = {}

    def save(self, scenario: Scenario) -> str:
        key = f"s{len(self.rows)}"
        self.rows[key] = scenario
        return key

    def get(self, scenario_id: str) -> SavedScenario:
        from datetime import UTC, datetime

        return SavedScenario(scenario_id, self.rows[scenario_id], datetime.now(UTC))

    def recent(self, limit: int = 50) -> list[SavedScenario]:
        return [self.get(k) for k in reversed(self.rows)][:limit]


def _service(cases: list[Case], codebook: Codebook) -> tuple[Assessments, FakeCatalogue]:
    guidelines: list[Guideline] = load_guidelines(codebook)
    catalogue = FakeCatalogue(cases)
    service = Assessments(catalogue, codebook, guidelines,  # type: ignore[arg-type]
                          load_similarity_weights(codebook))
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


def test_saved_scenarios_round_trip(codebook: Codebook) -> None:
    service = SavedScenarios(FakeScenarioStore())
    scenario = parse_scenario({"title": "T", "secrecy": "secret"}, codebook)
    saved = service.save(scenario)
    assert service.get(saved.id).scenario == scenario
    assert [s.id for s in service.recent()] == [saved.id]
