"""Changing the case base (services/curation.py) on the in-memory fakes, SQLite and
PostgreSQL: who may, bundled cases refused, owner and visibility, sub-cases, stale versions,
and the audit of each change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from parley.bootstrap import Parley
from parley.domain.access import ANONYMOUS, OPERATOR, CaseReader, Role, Scope, Visibility
from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import AuditEntry
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from parley.domain.listing import SyncReport
from parley.domain.source import SourceText
from parley.knowledge.loader import load_source_texts
from parley.services.analysis import ComparativeAnalysis
from parley.services.cases import CaseCatalogue, RawDocument
from parley.services.curation import CaseCuration
from parley.services.workspaces import Workspaces
from tests.fakes.vault import FakeVault
from tests.services.conftest import Store
from tests.support import user

DATA = Path(__file__).resolve().parents[1] / "data" / "cases" / "good"
MINE = yaml.safe_load((DATA / "my-august-town-case.yaml").read_text())
BUNDLED = "jamaica-august-town-truce-2008"


def doc(case_id: str, **changes: Any) -> tuple[str, RawDocument]:
    """A valid user case under `case_id` (from the test data), as one parsed document."""
    raw = {**MINE, "id": case_id, **changes}
    return f"{case_id}.yaml", (raw, lambda _path: None)


@cache
def _sources() -> dict[str, SourceText]:
    return load_source_texts()  # as the app reads them (empty in manifest mode)


@dataclass
class Site:
    """The curation service on one store, and what its tests do around it."""

    store: Store
    curation: CaseCuration
    workspaces: Workspaces
    upgrade: Callable[..., SyncReport]
    tamper: Callable[[str], None]  # a bundled case made private to 'mallory' behind our back

    @property
    def app(self) -> Parley | None:
        return self.store.app

    @property
    def cases(self) -> CaseCatalogue:
        """The case base as anonymous readers see it."""
        return self.curation.catalogue

    def add_user(self, name: str, *, admin: bool = False) -> Principal:
        if isinstance(self.store.vault, FakeVault):
            return self.store.vault.add_user(name, admin=admin)
        assert self.app is not None
        return user(self.app, name, admin=admin)

    def set_curator(self, name: str, is_curator: bool) -> None:
        with self.store.vault.write() as tx:
            tx.accounts.set_curator(name, is_curator)

    def disable(self, name: str) -> None:
        with self.store.vault.write() as tx:
            tx.accounts.set_disabled(name, datetime.now(UTC))

    def entries(self) -> list[AuditEntry]:
        with self.store.vault.read() as tx:
            return tx.audit.audit_entries()


def _tamper_row(app: Parley, case_id: str) -> None:
    from sqlalchemy import text

    with app.db.write() as s:
        s.execute(text("UPDATE cases SET summary = 'forged', visibility = 'private', "
                       "owner = 'mallory' WHERE id = :id"), {"id": case_id})


@pytest.fixture
def bare(store: Store, codebook: Codebook, bundled_cases: list[Case]) -> Site:
    """An empty case base (the bundled cases not loaded yet)."""
    if store.app is not None:
        app = store.app
        return Site(store, app.curation, app.workspaces, app.upgrade,
                    lambda i: _tamper_row(app, i))
    vault = store.vault
    assert isinstance(vault, FakeVault)
    curation = CaseCuration(vault, CaseCatalogue(vault.case_store(), codebook, _sources()))

    def upgrade(actor: Principal = SYSTEM) -> SyncReport:
        return curation.sync_bundled(bundled_cases, actor, "fake-digest")

    return Site(store, curation, Workspaces(vault, 10_000_000), upgrade,
                lambda i: vault.edit_case(i, Visibility.PRIVATE, "mallory"))


@pytest.fixture
def site(bare: Site) -> Site:
    bare.upgrade()
    return bare


@pytest.fixture
def people(site: Site) -> dict[str, Principal]:
    p = {"cora": site.add_user("cora"), "carl": site.add_user("carl"),
         "uma": site.add_user("uma"), "root": site.add_user("root", admin=True),
         "wendy": site.add_user("wendy")}
    site.add_user("spare-admin", admin=True)
    for name in ("cora", "carl"):
        site.set_curator(name, True)
        p[name] = Principal(name, is_curator=True)
    return p


def ids(site: Site, actor: Principal | None) -> set[str]:
    return {c.id for c in site.curation.seen_by(actor).export()}


def test_only_curators_and_admins_change_the_case_base(site: Site,
                                                      people: dict[str, Principal]) -> None:
    with pytest.raises(Forbidden, match="needs a curator or administrator account"):
        site.curation.import_documents(people["uma"], [doc("uma-case")])
    # what the token said does not count: the account as stored now does
    with pytest.raises(Forbidden, match="curator"):
        site.curation.import_documents(Principal("uma", is_curator=True), [doc("uma-case")])
    with pytest.raises(Forbidden, match="read-only token"):
        site.curation.import_documents(Principal("cora", scope=Scope.READ), [doc("c")])
    with pytest.raises(NotAuthenticated):
        site.curation.import_documents(Principal("ghost", is_curator=True), [doc("g")])
    assert site.curation.import_documents(people["cora"], [doc("cora-case")]) == ["cora-case"]
    assert site.curation.import_documents(people["root"], [doc("root-case")]) == ["root-case"]
    site.set_curator("cora", False)  # taken away: refused at once
    with pytest.raises(Forbidden):
        site.curation.delete(people["cora"], "cora-case")
    site.disable("root")
    with pytest.raises(NotAuthenticated):
        site.curation.delete(people["root"], "root-case")
    assert {"cora-case", "root-case"} <= ids(site, SYSTEM)


def test_bundled_cases_are_refused_to_everyone_naming_the_case(
        site: Site, people: dict[str, Principal]) -> None:
    before = site.cases.get(BUNDLED)
    changed = (f"{BUNDLED}.yaml", ({**MINE, "id": BUNDLED}, lambda _p: None))
    for actor in (people["cora"], people["root"], SYSTEM):
        for replace in (False, True):
            with pytest.raises(ValidationFailed) as refused:
                site.curation.import_documents(actor, [changed, doc("fresh")],
                                              replace_existing=replace)
            problem = refused.value.problems[0]
            assert problem.case == BUNDLED and problem.field == "id"
            assert problem.message.startswith("is a bundled case: bundled cases change only "
                                              "through a Parley release and `parley db upgrade`")
        message = (f"case '{BUNDLED}' is a bundled case: bundled cases change only through a "
                   "Parley release")
        with pytest.raises(Conflict, match=message):
            site.curation.update(actor, BUNDLED, changed[1], before.version)
        with pytest.raises(Conflict, match=message):
            site.curation.delete(actor, BUNDLED)
        with pytest.raises(Conflict, match=message):
            site.curation.set_visibility(actor, BUNDLED, Visibility.PRIVATE)
    assert site.cases.get(BUNDLED) == before
    assert "fresh" not in ids(site, SYSTEM)  # all or nothing


def test_private_shared_and_published_cases(site: Site, people: dict[str, Principal]) -> None:
    cora, carl, uma, wendy = (people[n] for n in ("cora", "carl", "uma", "wendy"))
    ws = site.workspaces.create(wendy, "Talks")
    site.workspaces.set_member(SYSTEM, ws.id, "uma", Role.OBSERVER)
    site.workspaces.set_member(SYSTEM, ws.id, "cora", Role.ANALYST)
    site.curation.import_documents(cora, [doc("draft")])
    assert site.curation.seen_by(cora).get("draft").owner == "cora"
    for other in (None, carl, uma, wendy):
        assert "draft" not in ids(site, other)
        with pytest.raises(NotFound, match="no case with id 'draft'"):
            site.curation.seen_by(other).get("draft")
    # a curator who cannot see it: 404 for every change, and the id is "taken"
    for change in (lambda: site.curation.delete(carl, "draft"),
                   lambda: site.curation.set_visibility(carl, "draft", Visibility.PUBLIC),
                   lambda: site.curation.update(carl, "draft", doc("draft")[1], 1)):
        with pytest.raises(NotFound, match="no case with id 'draft'"):
            change()
    with pytest.raises(ValidationFailed, match="taken by a case you cannot see"):
        site.curation.import_documents(carl, [doc("draft")], replace_existing=True)
    # shared with a workspace cora belongs to: its members see it, nobody else
    with pytest.raises(NotFound, match="no workspace"):  # carl is no member
        site.curation.import_documents(carl, [doc("x")], visibility=Visibility.WORKSPACE,
                                      workspace=ws.id)
    site.curation.set_visibility(cora, "draft", Visibility.WORKSPACE, ws.id)
    assert "draft" in ids(site, uma) and "draft" in ids(site, wendy)
    assert "draft" not in ids(site, carl) and "draft" not in ids(site, None)
    with pytest.raises(Forbidden):  # wendy sees it but is no curator
        site.curation.delete(wendy, "draft")
    # published: everyone reads it, any curator may change it
    site.curation.set_visibility(cora, "draft", Visibility.PUBLIC)
    assert all("draft" in ids(site, r) for r in (None, carl, uma))
    site.curation.update(carl, "draft", doc("draft", summary="Curated in common.")[1], 3)
    assert site.cases.get("draft").case.summary == "Curated in common."
    # withdrawn to private: its owner stays cora
    site.curation.set_visibility(carl, "draft", Visibility.PRIVATE)
    assert "draft" not in ids(site, carl) and "draft" in ids(site, cora)


# databases only: full-text search and facet counts are the SQL stores' own (the fake lists none)
@pytest.mark.parametrize("store", ["sqlite", "postgresql"], indirect=True)
def test_every_read_sees_only_what_the_reader_may(site: Site,
                                                  people: dict[str, Principal]) -> None:
    cora = people["cora"]
    site.curation.import_documents(cora, [doc("secret-draft", title="Unique zanzibar truce")])
    mine, anyone = site.curation.seen_by(cora), site.curation.seen_by(None)
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
        site: Site, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    site.curation.import_documents(cora, [doc("parent")])
    with pytest.raises(ValidationFailed, match="parent 'parent' is seen by fewer people"):
        site.curation.import_documents(cora, [doc("child", parent="parent")],
                                      visibility=Visibility.PUBLIC)
    with pytest.raises(ValidationFailed, match="parent 'parent' is not a known case"):
        site.curation.import_documents(people["carl"], [doc("kid", parent="parent")])
    site.curation.import_documents(cora, [doc("child", parent="parent")])
    with pytest.raises(Conflict, match="is seen by fewer people"):
        site.curation.set_visibility(cora, "child", Visibility.PUBLIC)
    site.curation.set_visibility(cora, "parent", Visibility.PUBLIC)
    site.curation.set_visibility(cora, "child", Visibility.PUBLIC)
    with pytest.raises(Conflict, match=r"1 sub-case\(s\) of 'parent' \(child\) are seen by more"):
        site.curation.set_visibility(cora, "parent", Visibility.PRIVATE)
    with pytest.raises(Conflict, match="is the parent of child"):
        site.curation.delete(cora, "parent")
    site.curation.delete(cora, "child")
    site.curation.delete(cora, "parent")
    assert not {"parent", "child"} & ids(site, SYSTEM)


def test_edits_check_the_version_and_the_id(site: Site, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    site.curation.import_documents(cora, [doc("mine")])
    with pytest.raises(ValidationFailed, match="must be 'mine', the case being edited"):
        site.curation.update(cora, "mine", doc("other")[1], 1)
    edited = site.curation.update(cora, "mine", doc("mine", summary="v2")[1], 1)
    assert edited.version == 2 and edited.case.summary == "v2"
    with pytest.raises(Conflict, match="changed by someone else"):
        site.curation.update(cora, "mine", doc("mine", summary="late")[1], 1)
    with pytest.raises(Conflict, match="changed by someone else"):
        site.curation.delete(cora, "mine", 1)
    assert site.curation.seen_by(cora).get("mine").case.summary == "v2"


def test_every_change_is_audited_and_the_chain_verifies(
        site: Site, people: dict[str, Principal]) -> None:
    cora = people["cora"]
    ws = site.workspaces.create(cora, "Mine")
    start = len(site.entries())
    site.curation.import_documents(cora, [doc("a"), doc("b")], visibility=Visibility.WORKSPACE,
                                  workspace=ws.id)
    site.curation.import_documents(cora, [doc("a", summary="again"), doc("c")],
                                  replace_existing=True)
    site.curation.update(cora, "b", doc("b", summary="edited")[1], 1)
    site.curation.set_visibility(cora, "b", Visibility.PUBLIC)
    site.curation.delete(cora, "c")
    with pytest.raises(Forbidden):
        site.curation.delete(people["uma"], "a")  # refused: nothing written
    new = site.entries()[start:]
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
    if site.app is not None:  # the fake audit log keeps no signed head to verify against
        report = site.app.audit.verify()
        assert report.ok, report


def test_the_operator_changes_any_case_but_bundled_ones(site: Site,
                                                        people: dict[str, Principal]) -> None:
    operator = Principal("cli:ops", is_admin=True, system=True)
    site.curation.import_documents(people["cora"], [doc("hers")])
    assert "hers" in ids(site, operator)
    site.curation.import_documents(operator, [doc("ops", summary="x")], owner="cora",
                                  visibility=Visibility.PRIVATE)
    assert site.curation.seen_by(people["cora"]).get("ops").owner == "cora"
    with pytest.raises(NotFound, match="no user 'nobody'"):
        site.curation.import_documents(operator, [doc("z")], owner="nobody")
    with pytest.raises(Forbidden, match="only the operator"):
        site.curation.import_documents(people["carl"], [doc("z")], owner="cora")
    site.curation.delete(operator, "hers")
    assert site.entries()[-1].actor == "cli:ops"


def test_upgrade_restores_and_audits_a_bundled_case_changed_in_the_database(
        site: Site) -> None:
    before = site.cases.get(BUNDLED)
    site.tamper(BUNDLED)
    assert BUNDLED not in ids(site, None)
    report = site.upgrade(Principal("cli:ops", is_admin=True, system=True))
    assert report.restored == (BUNDLED,) and report.added == () and not report.installed
    restored = site.cases.get(BUNDLED)
    assert restored.case == before.case and restored.owner is None
    last = site.entries()[-1]
    assert (last.actor, last.event) == ("cli:ops", "bundled.synced")
    assert last.details == {"added": [], "updated": [], "restored": [BUNDLED]}
    if site.app is not None:  # the fake audit log keeps no signed head to verify against
        assert site.app.audit.verify().ok


def test_first_load_is_the_installation_and_not_audited(bare: Site) -> None:
    report = bare.upgrade()
    assert report.installed and len(report.added) == 28
    assert bare.entries() == []
    assert bare.upgrade().unchanged == 28 and bare.entries() == []


def test_readers(site: Site, people: dict[str, Principal]) -> None:
    ws = site.workspaces.create(people["uma"], "W")
    assert site.curation.reader(None) == ANONYMOUS
    assert site.curation.reader(SYSTEM) == OPERATOR
    assert site.curation.reader(people["uma"]) == CaseReader("uma", frozenset({ws.id}))
