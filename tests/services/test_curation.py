"""Changing the case base (services/curation.py) on SQLite and PostgreSQL: who may, bundled
cases refused, owner and visibility, sub-cases, stale versions, and the audit of each change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import ANONYMOUS, OPERATOR, CaseReader, Role, Scope, Visibility
from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import AuditEntry
from parley.domain.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from parley.services.analysis import ComparativeAnalysis
from parley.services.cases import RawDocument
from tests.support import build, user

DATA = Path(__file__).resolve().parents[1] / "data" / "cases" / "good"
MINE = yaml.safe_load((DATA / "my-august-town-case.yaml").read_text())
BUNDLED = "jamaica-august-town-truce-2008"


def doc(case_id: str, **changes: Any) -> tuple[str, RawDocument]:
    """A valid user case under `case_id` (from the test data), as one parsed document."""
    raw = {**MINE, "id": case_id, **changes}
    return f"{case_id}.yaml", (raw, lambda _path: None)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    a.upgrade()
    yield a
    a.close()


@pytest.fixture
def people(app: Parley) -> dict[str, Principal]:
    p = {"cora": user(app, "cora"), "carl": user(app, "carl"), "uma": user(app, "uma"),
         "root": user(app, "root", admin=True), "wendy": user(app, "wendy")}
    user(app, "spare-admin", admin=True)
    for name in ("cora", "carl"):
        app.accounts.set_curator(SYSTEM, name, True)
        p[name] = Principal(name, is_curator=True)
    return p


def entries(app: Parley) -> list[AuditEntry]:
    with app.vault.read() as tx:
        return tx.audit.audit_entries()


def ids(app: Parley, actor: Principal | None) -> set[str]:
    return {c.id for c in app.curation.seen_by(actor).export()}


def test_only_curators_and_admins_change_the_case_base(app: Parley,
                                                      people: dict[str, Principal]) -> None:
    with pytest.raises(Forbidden, match="needs a curator or administrator account"):
        app.curation.import_documents(people["uma"], [doc("uma-case")])
    # what the token said does not count: the account as stored now does
    with pytest.raises(Forbidden, match="curator"):
        app.curation.import_documents(Principal("uma", is_curator=True), [doc("uma-case")])
    with pytest.raises(Forbidden, match="read-only token"):
        app.curation.import_documents(Principal("cora", scope=Scope.READ), [doc("c")])
    with pytest.raises(NotAuthenticated):
        app.curation.import_documents(Principal("ghost", is_curator=True), [doc("g")])
    assert app.curation.import_documents(people["cora"], [doc("cora-case")]) == ["cora-case"]
    assert app.curation.import_documents(people["root"], [doc("root-case")]) == ["root-case"]
    app.accounts.set_curator(SYSTEM, "cora", False)  # taken away: refused at once
    with pytest.raises(Forbidden):
        app.curation.delete(people["cora"], "cora-case")
    app.accounts.set_disabled(SYSTEM, "root", True)
    with pytest.raises(NotAuthenticated):
        app.curation.delete(people["root"], "root-case")
    assert {"cora-case", "root-case"} <= ids(app, SYSTEM)


def test_bundled_cases_are_refused_to_everyone_naming_the_case(
        app: Parley, people: dict[str, Principal]) -> None:
    before = app.cases.get(BUNDLED)
    changed = (f"{BUNDLED}.yaml", ({**MINE, "id": BUNDLED}, lambda _p: None))
    for actor in (people["cora"], people["root"], SYSTEM):
        for replace in (False, True):
            with pytest.raises(ValidationFailed) as refused:
                app.curation.import_documents(actor, [changed, doc("fresh")],
                                              replace_existing=replace)
            problem = refused.value.problems[0]
            assert problem.case == BUNDLED and problem.field == "id"
            assert problem.message.startswith("is a bundled case: bundled cases change only "
                                              "through a Parley release and `parley db upgrade`")
        message = (f"case '{BUNDLED}' is a bundled case: bundled cases change only through a "
                   "Parley release")
        with pytest.raises(Conflict, match=message):
            app.curation.update(actor, BUNDLED, changed[1], before.version)
        with pytest.raises(Conflict, match=message):
            app.curation.delete(actor, BUNDLED)
        with pytest.raises(Conflict, match=message):
            app.curation.set_visibility(actor, BUNDLED, Visibility.PRIVATE)
    assert app.cases.get(BUNDLED) == before
    assert "fresh" not in ids(app, SYSTEM)  # all or nothing


def test_private_shared_and_published_cases(app: Parley, people: dict[str, Principal]) -> None:
    cora, carl, uma, wendy = (people[n] for n in ("cora", "carl", "uma", "wendy"))
    ws = app.workspaces.create(wendy, "Talks")
    app.workspaces.set_member(SYSTEM, ws.id, "uma", Role.OBSERVER)
    app.workspaces.set_member(SYSTEM, ws.id, "cora", Role.ANALYST)
    app.curation.import_documents(cora, [doc("draft")])
    assert app.curation.seen_by(cora).get("draft").owner == "cora"
    for other in (None, carl, uma, wendy):
        assert "draft" not in ids(app, other)
        with pytest.raises(NotFound, match="no case with id 'draft'"):
            app.curation.seen_by(other).get("draft")
    # a curator who cannot see it: 404 for every change, and the id is "taken"
    for change in (lambda: app.curation.delete(carl, "draft"),
                   lambda: app.curation.set_visibility(carl, "draft", Visibility.PUBLIC),
                   lambda: app.curation.update(carl, "draft", doc("draft")[1], 1)):
        with pytest.raises(NotFound, match="no case with id 'draft'"):
            change()
    with pytest.raises(ValidationFailed, match="taken by a case you cannot see"):
        app.curation.import_documents(carl, [doc("draft")], replace_existing=True)
    # shared with a workspace cora belongs to: its members see it, nobody else
    with pytest.raises(NotFound, match="no workspace"):  # carl is no member
        app.curation.import_documents(carl, [doc("x")], visibility=Visibility.WORKSPACE,
                                      workspace=ws.id)
    app.curation.set_visibility(cora, "draft", Visibility.WORKSPACE, ws.id)
    assert "draft" in ids(app, uma) and "draft" in ids(app, wendy)
    assert "draft" not in ids(app, carl) and "draft" not in ids(app, None)
    with pytest.raises(Forbidden):  # wendy sees it but is no curator
        app.curation.delete(wendy, "draft")
    # published: everyone reads it, any curator may change it
    app.curation.set_visibility(cora, "draft", Visibility.PUBLIC)
    assert all("draft" in ids(app, r) for r in (None, carl, uma))
    app.curation.update(carl, "draft", doc("draft", summary="Curated in common.")[1], 3)
    assert app.cases.get("draft").case.summary == "Curated in common."
    # withdrawn to private: its owner stays cora
    app.curation.set_visibility(carl, "draft", Visibility.PRIVATE)
    assert "draft" not in ids(app, carl) and "draft" in ids(app, cora)


def test_every_read_sees_only_what_the_reader_may(app: Parley,
                                                  people: dict[str, Principal]) -> None:
    cora = people["cora"]
    app.curation.import_documents(cora, [doc("secret-draft", title="Unique zanzibar truce")])
    mine, anyone = app.curation.seen_by(cora), app.curation.seen_by(None)
    assert mine.browse(search="zanzibar").total == 1
    assert anyone.browse(search="zanzibar").total == 0
    assert anyone.browse("security_dilemma = yes").total == \
        mine.browse("security_dilemma = yes").total - 1
    facets = ("secrecy",)
    counted = anyone.browse(facets=facets)  # leaf cases: parents of sub-cases are not counted
    assert sum(counted.facets["secrecy"].values()) == counted.leaves < anyone.count()
    assert sum(mine.browse(facets=facets).facets["secrecy"].values()) == counted.leaves + 1
    with pytest.raises(NotFound):
        anyone.compare([BUNDLED, "secret-draft"])
    assert len(mine.compare([BUNDLED, "secret-draft"]).cases) == 2
    assert "secret-draft" not in {c.id for c in anyone.export()}
    crosstab = ComparativeAnalysis(anyone).crosstab("region", "outcome_class",
                                                    leaves_only=False)
    mine_tab = ComparativeAnalysis(mine).crosstab("region", "outcome_class", leaves_only=False)
    assert mine_tab.n_cases == crosstab.n_cases + 1


def test_sub_cases_are_never_seen_by_more_people_than_their_parent(
        app: Parley, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    app.curation.import_documents(cora, [doc("parent")])
    with pytest.raises(ValidationFailed, match="parent 'parent' is seen by fewer people"):
        app.curation.import_documents(cora, [doc("child", parent="parent")],
                                      visibility=Visibility.PUBLIC)
    with pytest.raises(ValidationFailed, match="parent 'parent' is not a known case"):
        app.curation.import_documents(people["carl"], [doc("kid", parent="parent")])
    app.curation.import_documents(cora, [doc("child", parent="parent")])
    with pytest.raises(Conflict, match="is seen by fewer people"):
        app.curation.set_visibility(cora, "child", Visibility.PUBLIC)
    app.curation.set_visibility(cora, "parent", Visibility.PUBLIC)
    app.curation.set_visibility(cora, "child", Visibility.PUBLIC)
    with pytest.raises(Conflict, match=r"1 sub-case\(s\) of 'parent' \(child\) are seen by more"):
        app.curation.set_visibility(cora, "parent", Visibility.PRIVATE)
    with pytest.raises(Conflict, match="is the parent of child"):
        app.curation.delete(cora, "parent")
    app.curation.delete(cora, "child")
    app.curation.delete(cora, "parent")
    assert not {"parent", "child"} & ids(app, SYSTEM)


def test_edits_check_the_version_and_the_id(app: Parley, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    app.curation.import_documents(cora, [doc("mine")])
    with pytest.raises(ValidationFailed, match="must be 'mine', the case being edited"):
        app.curation.update(cora, "mine", doc("other")[1], 1)
    edited = app.curation.update(cora, "mine", doc("mine", summary="v2")[1], 1)
    assert edited.version == 2 and edited.case.summary == "v2"
    with pytest.raises(Conflict, match="changed by someone else"):
        app.curation.update(cora, "mine", doc("mine", summary="late")[1], 1)
    with pytest.raises(Conflict, match="changed by someone else"):
        app.curation.delete(cora, "mine", 1)
    assert app.curation.seen_by(cora).get("mine").case.summary == "v2"


def test_every_change_is_audited_and_the_chain_verifies(
        app: Parley, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    ws = app.workspaces.create(cora, "Mine")
    start = len(entries(app))
    app.curation.import_documents(cora, [doc("a"), doc("b")], visibility=Visibility.WORKSPACE,
                                  workspace=ws.id)
    app.curation.import_documents(cora, [doc("a", summary="again"), doc("c")],
                                  replace_existing=True)
    app.curation.update(cora, "b", doc("b", summary="edited")[1], 1)
    app.curation.set_visibility(cora, "b", Visibility.PUBLIC)
    app.curation.delete(cora, "c")
    with pytest.raises(Forbidden):
        app.curation.delete(people["uma"], "a")  # refused: nothing written
    new = entries(app)[start:]
    assert [(e.actor, e.event, e.workspace) for e in new] == [
        ("cora", "cases.imported", ws.id), ("cora", "cases.imported", None),
        ("cora", "case.updated", None), ("cora", "case.visibility_changed", None),
        ("cora", "case.deleted", None)]
    assert new[0].details == {"added": ["a", "b"], "replaced": [], "visibility": "workspace",
                              "owner": "cora"}
    assert new[1].details["added"] == ["c"] and new[1].details["replaced"] == ["a"]
    assert new[2].details["case"] == "b" and new[2].details["version"] == 2
    assert len(new[2].details["content_hash"]) == 64
    assert new[3].details == {"case": "b", "visibility": "public", "previous": "workspace"}
    assert new[4].details == {"case": "c", "owner": "cora", "visibility": "private"}
    report = app.audit.verify()
    assert report.ok, report


def test_the_operator_changes_any_case_but_bundled_ones(app: Parley,
                                                        people: dict[str, Principal]) -> None:
    operator = Principal("cli:ops", is_admin=True, system=True)
    app.curation.import_documents(people["cora"], [doc("hers")])
    assert "hers" in ids(app, operator)
    app.curation.import_documents(operator, [doc("ops", summary="x")], owner="cora",
                                  visibility=Visibility.PRIVATE)
    assert app.curation.seen_by(people["cora"]).get("ops").owner == "cora"
    with pytest.raises(NotFound, match="no user 'nobody'"):
        app.curation.import_documents(operator, [doc("z")], owner="nobody")
    with pytest.raises(Forbidden, match="only the operator"):
        app.curation.import_documents(people["carl"], [doc("z")], owner="cora")
    app.curation.delete(operator, "hers")
    assert entries(app)[-1].actor == "cli:ops"


def test_upgrade_restores_and_audits_a_bundled_case_changed_in_the_database(
        app: Parley) -> None:
    before = app.cases.get(BUNDLED)
    with app.db.write() as s:
        s.execute(text("UPDATE cases SET summary = 'forged', visibility = 'private', "
                       "owner = 'mallory' WHERE id = :id"), {"id": BUNDLED})
    assert BUNDLED not in ids(app, None)
    report = app.upgrade(Principal("cli:ops", is_admin=True, system=True))
    assert report.restored == (BUNDLED,) and report.added == () and not report.installed
    restored = app.cases.get(BUNDLED)
    assert restored.case == before.case and restored.owner is None
    last = entries(app)[-1]
    assert (last.actor, last.event) == ("cli:ops", "bundled.synced")
    assert last.details == {"added": [], "updated": [], "restored": [BUNDLED]}
    assert app.audit.verify().ok


def test_first_load_is_the_installation_and_not_audited(database_url: str,
                                                        tmp_path: Path) -> None:
    app = build(database_url, tmp_path)
    report = app.upgrade()
    assert report.installed and len(report.added) == 28
    assert entries(app) == []
    assert app.upgrade().unchanged == 28 and entries(app) == []
    app.close()


def test_readers(app: Parley, people: dict[str, Principal]) -> None:
    ws = app.workspaces.create(people["uma"], "W")
    assert app.curation.reader(None) == ANONYMOUS
    assert app.curation.reader(SYSTEM) == OPERATOR
    assert app.curation.reader(people["uma"]) == CaseReader("uma", frozenset({ws.id}))
