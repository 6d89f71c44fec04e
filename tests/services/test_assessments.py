"""The assessment service over a real database (SQLite and PostgreSQL): the evaluation is
computed once per case-base revision and stored, never per request; each reader's similar cases
come from the cases it sees."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

import parley.analysis.fit as fit_module
from parley.analysis.evaluate import evaluate as real_evaluate
from parley.bootstrap import Parley
from parley.domain.access import (
    ANONYMOUS,
    OPERATOR,
    CaseReader,
    Visibility,
    may_read_case,
)
from parley.domain.account import SYSTEM, Principal
from parley.domain.case import Case, case_to_dict
from parley.domain.codebook import Codebook
from parley.domain.listing import StoredCase
from parley.domain.scenario import parse_scenario, scenario_from_case
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments
from parley.services.cases import RawDocument
from tests.fakes.case_base import FakeCaseBase
from tests.support import build, user

DATA = Path(__file__).resolve().parents[1] / "data" / "cases" / "good"
MINE = yaml.safe_load((DATA / "my-august-town-case.yaml").read_text())
JAMAICA = "jamaica-august-town-truce-2008"


class Counter:
    """Wraps the real evaluation and counts its runs, and in which thread they ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.threads: list[str] = []
        real = real_evaluate

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.threads.append(threading.current_thread().name)
            return real(*args, **kwargs)

        monkeypatch.setattr(fit_module, "evaluate", counted)

    @property
    def calls(self) -> int:
        return len(self.threads)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    a.upgrade()
    yield a
    a.assessments.wait_for_refresh()
    a.close()


@pytest.fixture
def cora(app: Parley) -> Principal:
    user(app, "cora")
    app.accounts.set_curator(SYSTEM, "cora", True)
    return Principal("cora", is_curator=True)


def _case(app: Parley, case_id: str, like: str = JAMAICA, **values: Any
          ) -> tuple[str, RawDocument]:
    """A user case coded like a bundled one (so it is as similar to that one's scenario),
    with a known outcome unless told."""
    raw = case_to_dict(app.cases.get(like).case)
    raw = {**raw, "id": case_id, "title": f"Copy of {like}", "parent": None,
           "values": {**raw["values"], **values}}
    return f"{case_id}.json", (raw, lambda _path: None)


def test_no_assessment_computes_the_evaluation_once_one_is_stored(
        app: Parley, codebook: Codebook, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reported slowness: every assessment reran the nested evaluation. Now a database
    that never had one computes it once; every later assessment, in this process or another
    one on the same database, reads the stored one."""
    counter = Counter(monkeypatch)
    scenario = parse_scenario({"cohesion": "high", "group_type": ["gang"]}, codebook)
    first = app.assessments.assess(scenario)
    assert counter.calls == 1  # the database had none
    for reader in (ANONYMOUS, OPERATOR, CaseReader("ana"), ANONYMOUS):
        again = app.assessments.assess(scenario, reader)
        assert again.outlook.caveat == first.outlook.caveat
    assert counter.calls == 1
    other = Parley.build(app.settings, hasher=app.hasher)  # another process, same database
    assert other.assessments.assess(scenario).outlook == first.outlook
    assert other.assessments.evaluate().n_cases == app.assessments.evaluate().n_cases
    assert counter.calls == 1
    other.close()
    evaluation = app.assessments.evaluate()
    assert first.outlook.caveat.startswith(
        f"Measured by leave-one-out over {evaluation.n_cases} past cases")


def test_after_a_change_the_stale_evaluation_serves_until_the_new_one_is_stored(
        app: Parley, cora: Principal, codebook: Codebook,
        monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = scenario_from_case(app.cases.get(JAMAICA).case, codebook)
    before = app.assessments.assess(scenario)
    n_before = app.assessments.evaluate().n_cases
    app.assessments.background = False  # hold the refresh, to see the stale answer
    counter = Counter(monkeypatch)
    app.curation.import_documents(cora, [_case(app, "published-copy")],
                                  visibility=Visibility.PUBLIC)
    revision = app.assessments.store.revision()
    stale = app.assessments.assess(scenario)
    assert counter.calls == 0  # the request did not compute it
    assert "published-copy" in [s.id for s in stale.similar_cases]  # the pool is current
    assert stale.outlook.caveat.startswith(before.outlook.caveat)
    assert ("measured on the case base at revision" in stale.outlook.caveat
            and f"now at revision {revision}" in stale.outlook.caveat
            and "parley evaluate" in stale.outlook.caveat)
    app.assessments.background = True
    app.assessments.assess(scenario)  # notices, and starts the refresh in the background
    app.assessments.wait_for_refresh()
    assert counter.threads == ["parley-evaluation"]
    fresh = app.assessments.assess(scenario)
    assert "revision" not in fresh.outlook.caveat
    assert f"over {n_before + 1} past cases" in fresh.outlook.caveat
    assert app.assessments.fit_in_use().measured_at == revision
    assert counter.calls == 1


def test_a_private_case_is_similar_for_its_owner_only(app: Parley, cora: Principal,
                                                      codebook: Codebook,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = scenario_from_case(app.cases.get(JAMAICA).case, codebook)
    app.assessments.assess(scenario)
    counter = Counter(monkeypatch)
    app.curation.import_documents(cora, [_case(app, "coras-own")])  # private to cora
    user(app, "bob")
    readers = {name: app.curation.reader(Principal(name)) for name in ("cora", "bob")}
    top = [s.id for s in app.assessments.assess(scenario, readers["cora"]).similar_cases]
    assert "coras-own" in top[:2]
    for reader in (ANONYMOUS, readers["bob"]):
        assert "coras-own" not in [s.id for s in app.assessments.assess(scenario,
                                                                       reader).similar_cases]
        assert "coras-own" not in app.assessments.titles(reader)
    assert app.assessments.titles(readers["cora"])["coras-own"] == f"Copy of {JAMAICA}"
    assert "revision" not in app.assessments.assess(scenario).outlook.caveat  # not stale
    # the public cases did not change: the stored evaluation is carried over, not recomputed
    app.assessments.wait_for_refresh()
    assert app.assessments.refresh().revision == app.assessments.store.revision()
    assert counter.calls == 0


def test_a_parent_counts_once_for_whoever_sees_its_sub_case(app: Parley, cora: Principal,
                                                            codebook: Codebook) -> None:
    """A parent summarises its sub-cases: a reader who sees a sub-case is not shown the
    parent as well; a reader who does not, is."""
    scenario = scenario_from_case(app.cases.get(JAMAICA).case, codebook)
    app.curation.import_documents(cora, [_case(app, "parent-copy")],
                                  visibility=Visibility.PUBLIC)
    child = _case(app, "child-copy")
    child[1][0]["parent"] = "parent-copy"  # type: ignore[index]
    app.curation.import_documents(cora, [child])  # private to cora
    anonymous = [s.id for s in app.assessments.assess(scenario).similar_cases]
    mine = [s.id for s in app.assessments.assess(
        scenario, app.curation.reader(Principal("cora"))).similar_cases]
    assert "parent-copy" in anonymous and "child-copy" not in anonymous
    assert "child-copy" in mine and "parent-copy" not in mine


def test_a_server_start_prepares_the_evaluation_before_any_request(
        app: Parley, codebook: Codebook, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = Counter(monkeypatch)
    app.assessments.warm()  # what `parley serve` does after building the app
    app.assessments.wait_for_refresh()
    assert counter.threads == ["parley-warm"]
    app.assessments.assess(parse_scenario({"cohesion": "high"}, codebook))
    assert counter.calls == 1


def test_each_readers_mask_is_the_domain_rule(bundled_cases: list[Case],
                                              codebook: Codebook) -> None:
    """The per-reader mask over the feature matrix (`_Base.seen`) agrees with
    `domain.access.may_read_case` for every visibility, owner and workspace."""
    combos = list(itertools.product(Visibility, [None, "ana", "bob"], [None, "w1", "w2"]))
    access = {c.id: StoredCase(c, "user", 1, vis, owner, ws)
              for c, (vis, owner, ws) in zip(bundled_cases, combos, strict=False)}
    service = Assessments(FakeCaseBase(bundled_cases, access=access), codebook,
                          load_guidelines(codebook), load_similarity_weights(codebook),
                          load_outlook_settings(codebook), background=False)
    readers = [ANONYMOUS, OPERATOR, CaseReader("ana"), CaseReader("ana", frozenset({"w1"})),
               CaseReader("bob", frozenset({"w1", "w2"})), CaseReader("carl", frozenset({"w2"}))]
    for reader in readers:
        expected = {c.id for c in bundled_cases
                    if c.id not in access or may_read_case(reader, access[c.id].access)}
        assert set(service.titles(reader)) == expected, reader


def test_a_damaged_stored_evaluation_is_recomputed_not_served(
        app: Parley, codebook: Codebook, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = parse_scenario({"cohesion": "high", "group_type": ["gang"]}, codebook)
    before = app.assessments.assess(scenario)
    with app.db.write() as s:
        s.execute(text("UPDATE case_base_evaluations SET result = '{\"format\": 1}'"))
    counter = Counter(monkeypatch)
    other = Parley.build(app.settings, hasher=app.hasher)  # a process that has not parsed it
    assert other.assessments.assess(scenario).outlook == before.outlook
    assert counter.calls == 1
    stored = other.case_base.latest_evaluation(other.assessments.digest)
    assert stored is not None and stored.result.startswith('{"condition_weights"')
    other.close()


def test_past_the_background_limit_the_server_keeps_the_stale_evaluation_and_says_how(
        app: Parley, cora: Principal, codebook: Codebook,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: a 10,000-case base had every server worker recompute the quadratic evaluation
    for hours; past BACKGROUND_MAX_PUBLIC public cases no thread starts, and the caveat names
    `parley evaluate` instead of promising a recomputation."""
    import parley.services.assessments as assessments_module

    scenario = scenario_from_case(app.cases.get(JAMAICA).case, codebook)
    app.assessments.assess(scenario)
    app.assessments.evaluate()
    monkeypatch.setattr(assessments_module, "BACKGROUND_MAX_PUBLIC",
                        app.assessments.store.public_count())  # one more is past it
    counter = Counter(monkeypatch)
    app.curation.import_documents(cora, [_case(app, "published-copy")],
                                  visibility=Visibility.PUBLIC)
    app.assessments.background = True
    stale = app.assessments.assess(scenario)
    app.assessments.wait_for_refresh()
    assert counter.threads == [] and counter.calls == 0
    assert "parley evaluate" in stale.outlook.caveat
    assert "recomputed in the background" not in stale.outlook.caveat
