"""The case base's revision (migration 0012) on SQLite and PostgreSQL: every kind of case change
raises it in its own transaction (a refused change does not), reads do not; evaluations are
stored per revision; the migration goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from bench.synthetic import generate_cases
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import OPERATOR, Visibility
from parley.domain.account import SYSTEM, Principal
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.scenario import scenario_from_case
from parley.knowledge.loader import bundled_case_files, load_bundled_cases
from parley.services.cases import RawDocument
from parley.services.ports import StoredEvaluation
from parley.storage.case_base import CaseBaseRevisions
from parley.storage.cases import CaseRepository
from parley.storage.database import Database, alembic_config
from parley.storage.migration_head import head_revision
from tests.support import build, migrate, user

DATA = Path(__file__).resolve().parents[1] / "data" / "cases" / "good"
MINE = yaml.safe_load((DATA / "my-august-town-case.yaml").read_text())


def doc(case_id: str, **changes: Any) -> tuple[str, RawDocument]:
    return f"{case_id}.yaml", ({**MINE, "id": case_id, **changes}, lambda _path: None)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    a.upgrade()
    yield a
    a.close()


@pytest.fixture
def cora(app: Parley) -> Principal:
    user(app, "cora")
    app.accounts.set_curator(SYSTEM, "cora", True)
    return Principal("cora", is_curator=True)


def revisions(app: Parley) -> CaseBaseRevisions:
    return CaseBaseRevisions(app.db, app.codebook)


def test_every_kind_of_case_change_raises_the_revision(app: Parley, cora: Principal) -> None:
    store = revisions(app)
    seen = [store.revision()]

    def moved() -> bool:
        seen.append(store.revision())
        return seen[-1] > seen[-2]

    app.curation.import_documents(cora, [doc("c1"), doc("c2")])
    assert moved(), "import"
    stored = app.curation.seen_by(cora).get("c1")
    app.curation.update(cora, "c1", ({**MINE, "id": "c1", "title": "Edited"},
                                     lambda _p: None), stored.version)
    assert moved(), "edit"
    app.curation.set_visibility(cora, "c1", Visibility.PUBLIC)
    assert moved(), "visibility change"
    app.curation.delete(cora, "c2")
    assert moved(), "delete"
    bulk = CaseRepository(app.db, app.codebook)  # the unaudited bulk loader too
    bulk.import_cases([replace(app.cases.get("c1").case, id="c3")])
    assert moved(), "bulk import"
    with app.db.write() as s:  # an edit made outside Parley is a change as well
        s.execute(text("UPDATE cases SET title = 'Outside' WHERE id = 'c3'"))
    assert moved(), "raw SQL"
    with app.db.write() as s:
        s.execute(text("UPDATE cases SET document = 'x' WHERE id = 'jamaica-august-town-truce-2008'"))
    assert moved()
    report = app.upgrade()  # the bundled file is restored: a change
    assert report.restored == ("jamaica-august-town-truce-2008",)
    assert moved(), "bundled restore"


def test_reads_and_refused_changes_leave_the_revision(app: Parley, cora: Principal) -> None:
    store = revisions(app)
    before = store.revision()
    app.cases.seen_by(OPERATOR).export()
    app.cases.browse(search="truce")
    app.upgrade()  # nothing to restore
    with pytest.raises(ValidationFailed):
        app.curation.import_documents(cora, [doc("ok"), doc("bad", parent="nowhere")])
    assert store.revision() == before


def test_a_revision_and_its_cases_are_read_together(app: Parley, cora: Principal) -> None:
    store = revisions(app)
    snap = store.snapshot()
    assert snap.revision == store.revision()
    assert {s.id for s in snap.cases} == CaseRepository(app.db, app.codebook).ids(
        reader=OPERATOR)
    public_before = store.public_cases()
    app.curation.import_documents(cora, [doc("private-one")])  # private: public cases alike
    public_after = store.public_cases()
    assert public_after.revision > public_before.revision
    assert public_after.digest == public_before.digest
    assert store.public_digest() == (public_after.revision, public_after.digest)
    app.curation.set_visibility(cora, "private-one", Visibility.PUBLIC)
    published = store.public_cases()
    assert published.digest != public_before.digest
    assert "private-one" in {c.id for c in published.cases}
    assert len(store.snapshot().cases) == len(snap.cases) + 1


def test_evaluations_are_stored_per_revision_and_settings(app: Parley) -> None:
    store = revisions(app)
    assert store.latest_evaluation("s" * 64) is None
    assert store.latest_evaluation_revision("s" * 64) is None
    now = datetime.now(UTC)
    first = StoredEvaluation(3, "s" * 64, "p" * 64, 28, '{"a": 1}', now, 1.5)
    store.store_evaluation(first)
    store.store_evaluation(first)  # twice (two processes): the first stays, no error
    store.store_evaluation(StoredEvaluation(7, "s" * 64, "q" * 64, 29, '{"b": 2}', now, 2.0))
    store.store_evaluation(StoredEvaluation(9, "t" * 64, "q" * 64, 29, '{"c": 3}', now, 2.0))
    latest = store.latest_evaluation("s" * 64)
    assert latest is not None and (latest.revision, latest.result) == (7, '{"b": 2}')
    assert store.latest_evaluation_revision("s" * 64) == 7
    same = store.evaluation_of("s" * 64, "p" * 64)
    assert same is not None and same.revision == 3 and same.seconds == 1.5
    assert store.evaluation_of("t" * 64, "p" * 64) is None


def test_0012_down_and_up(database_url: str, bundled_cases: list[Case],
                          codebook: Codebook) -> None:
    db = Database(database_url)
    db.upgrade()
    assert db.current_revision() == head_revision()
    repo_store = CaseBaseRevisions(db, codebook)
    start = repo_store.revision()
    repo = CaseRepository(db, codebook)
    repo.sync_bundled(bundled_cases[:3])
    assert repo_store.revision() > start
    migrate(db, "0011", down=True)
    assert db.current_revision() == "0011"
    with db.engine.begin() as conn:  # no trigger left behind to fail on the missing table
        conn.execute(text("UPDATE cases SET title = 'after downgrade'"))
        conn.execute(text("DELETE FROM cases WHERE id = :id"), {"id": bundled_cases[0].id})
    migrate(db, "head")
    assert repo_store.revision() == 1  # a new counter
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM cases WHERE id = :id"), {"id": bundled_cases[1].id})
    assert repo_store.revision() > 1
    db.dispose()


def test_head_revision_is_alembics_without_importing_it() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_start_skips_the_bundled_files_only_while_nothing_changed(
        app: Parley, cora: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real = load_bundled_cases

    def counted(*args: Any, **kwargs: Any) -> list[Case]:
        parsed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("parley.bootstrap.load_bundled_cases", counted)
    report = app.upgrade()
    assert parsed == [] and report.unchanged == len(bundled_case_files())
    app.curation.import_documents(cora, [doc("any-change")])  # the revision moves: re-check
    assert app.upgrade().unchanged == len(bundled_case_files()) and parsed == [1]
    assert app.upgrade().unchanged == len(bundled_case_files()) and parsed == [1]
    with app.db.write() as s:  # an edit outside Parley: restored at the next start
        s.execute(text("UPDATE cases SET title = 'x' WHERE id = 'jamaica-august-town-truce-2008'"))
    assert app.upgrade().restored == ("jamaica-august-town-truce-2008",) and parsed == [1, 1]


def test_a_snapshot_holds_what_parse_case_would(app: Parley, codebook: Codebook) -> None:
    """The pool rows are read from the stored documents without building the evidence; each
    holds exactly the values, outcome, parent and access the full parse gives."""
    repo = CaseRepository(app.db, codebook)
    repo.import_cases(generate_cases(300, seed=3))
    repo.import_cases([replace(generate_cases(1, seed=4)[0], id="hidden-one")],
                      visibility=Visibility.WORKSPACE, owner="ana")
    full = {c.id: c for c in repo.all_cases(reader=OPERATOR)}
    snap = revisions(app).snapshot()
    assert [r.id for r in snap.cases] == sorted(full)
    for row in snap.cases:
        case = full[row.id]
        assert dict(row.values) == dict(scenario_from_case(case, codebook).values), row.id
        assert (row.title, row.summary, row.parent, row.outcome) == (
            case.title, case.summary, case.parent, str(case.value("outcome_class")))
        stored = repo.get(row.id, reader=OPERATOR)
        assert (row.visibility, row.owner, row.workspace) == (
            stored.visibility, stored.owner, stored.workspace)
