"""A read-only session (the library) computes the outlook's evaluation when none is stored,
uses it like a stored one, and leaves the store without it."""

from __future__ import annotations

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments
from parley.services.read_only import EvaluationsInMemory
from tests.fakes.case_base import FakeCaseBase


def test_evaluations_stay_in_memory(codebook: Codebook, bundled_cases: list[Case]) -> None:
    inner = FakeCaseBase(bundled_cases)
    store = EvaluationsInMemory(inner)
    service = Assessments(store, codebook, load_guidelines(codebook),
                          load_similarity_weights(codebook), load_outlook_settings(codebook),
                          load_brief_rules(codebook), background=False)
    first = service.evaluate()
    assert inner.stored == {}  # nothing written to the real store
    assert store.latest_evaluation_revision(service.digest) == inner.revision()
    again = service.evaluate()  # the kept one is reused, not recomputed
    assert again == first and len(store._kept) == 1
