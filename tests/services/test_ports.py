"""One contract for the ports of the confidential store (`services/ports.py`): the in-memory
fakes (tests/fakes/) and the SQL repositories (SQLite, PostgreSQL) must give the same answers:
versions checked (optimistic concurrency), uniqueness, not-found errors, and a failed write
changes nothing in any of them; for cases, saved scenarios and indicator series too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from parley.domain.access import CaseAccess, Classification, Role, Scope, Visibility
from parley.domain.account import Principal, Throttle
from parley.domain.audit import WorkspaceCreated
from parley.domain.case import Case, parse_case
from parley.domain.codebook import Codebook
from parley.domain.errors import Conflict, NotFound
from parley.domain.listing import SyncReport
from parley.domain.monitoring import MonitorSettings
from parley.domain.scenario import parse_scenario
from parley.domain.workspace import ItemKind
from parley.interchange.indicator_csv import read_indicator_file
from parley.services.ports import VaultStore, VaultTx
from tests.services.conftest import Store

NOW = datetime.now(UTC).replace(microsecond=0)
DATA = Path(__file__).resolve().parents[1] / "data"
MINE = yaml.safe_load((DATA / "cases" / "good" / "my-august-town-case.yaml").read_text())
SICILY = read_indicator_file(DATA / "monitoring" / "sicily-long.csv")
SETTINGS = MonitorSettings("2005-01", 2, "stdpop")


@pytest.fixture
def vault(store: Store) -> VaultStore:
    return store.vault


def test_users_sessions_and_disable(vault: VaultStore) -> None:
    with vault.write() as tx:
        assert tx.accounts.count_users() == 0
        tx.accounts.add_user("ana", "h1", False)
        tx.accounts.add_user("root", "h2", True)
        tx.accounts.add_session("ana", "d1", NOW + timedelta(hours=1))
        tx.accounts.add_session("ana", "d2", NOW + timedelta(hours=1))
        tx.accounts.add_session("ana", "old", NOW - timedelta(seconds=1))
    with pytest.raises(Conflict), vault.write() as tx:
        tx.accounts.set_password_hash("ana", "changed")
        tx.accounts.add_user("ana", "h", False)  # fails: the whole write is undone
    with vault.read() as tx:
        assert [u.name for u in tx.accounts.users()] == ["ana", "root"]
        auth = tx.accounts.user_auth("ana")
        assert auth is not None and auth.password_hash == "h1" and not auth.disabled
        assert tx.accounts.user_auth("nobody") is None
        assert tx.accounts.session_principal("d1", NOW) == Principal("ana")
        assert tx.accounts.session_principal("old", NOW) is None
        assert tx.accounts.session_principal("nope", NOW) is None
    with vault.write() as tx:
        assert tx.accounts.end_sessions("ana", keep_digest="d2") == 2
        tx.accounts.set_disabled("ana", NOW)
        with pytest.raises(NotFound):
            tx.accounts.set_disabled("nobody", NOW)
    with vault.read() as tx:
        assert tx.accounts.session_principal("d2", NOW) is None  # disabled
        user = tx.accounts.get_user("ana")
        assert user is not None and user.disabled


def test_tokens_expire_and_record_use(vault: VaultStore) -> None:
    with vault.write() as tx:
        tx.accounts.add_user("ana", "h", False)
        live = tx.accounts.add_token("ana", "t1", Scope.READ, "a", NOW + timedelta(days=1))
        tx.accounts.add_token("ana", "t2", Scope.WRITE, "b", NOW - timedelta(seconds=1))
    with vault.write() as tx:
        found = tx.accounts.token_principal("t1", NOW)
        assert found is not None and found[0] == Principal("ana", False, Scope.READ)
        assert tx.accounts.token_principal("t2", NOW) is None
        tx.accounts.touch_token(live.id, NOW)
        with pytest.raises(NotFound):
            tx.accounts.revoke_token("ana", "missing")
    with vault.read() as tx:
        listed = tx.accounts.tokens("ana")
        assert [(t.label, t.last_used_at is not None) for t in listed] == [("a", True),
                                                                           ("b", False)]


def test_throttle_rows_and_purge(vault: VaultStore) -> None:
    old = Throttle(NOW - timedelta(hours=1), 5, 7)
    trusted = Throttle(NOW - timedelta(hours=1), 0, 3, NOW + timedelta(days=1))
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") is None
        tx.accounts.set_throttle("ana", "a", old)
        tx.accounts.set_throttle("ana", "b", trusted)
        tx.accounts.set_throttle("ghost", "*", Throttle(NOW, 2, 2))
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") == old
        tx.accounts.purge_throttle(NOW - timedelta(minutes=15), NOW)
    with vault.write() as tx:
        assert tx.accounts.throttle("ana", "a") is None
        assert tx.accounts.throttle("ana", "b") == trusted
        assert tx.accounts.throttle("ghost", "*") == Throttle(NOW, 2, 2)


# -- workspaces, items and invitations -----------------------------------------------------------


def _workspace_with_note(store: Store) -> tuple[str, str]:
    store.add_user("olga")
    with store.vault.write() as tx:
        ws = tx.workspaces.add_workspace("Talks", "", "olga")
        item = tx.workspaces.add_item(ws.id, ItemKind.NOTE, Classification.RESTRICTED,
                                      {"title": "first"}, "olga")
        tx.audit.append("olga", WorkspaceCreated(ws.id, owner="olga"))
    assert ws.version == 1 and item.version == 1
    return ws.id, item.id


def test_versions_are_checked_on_every_update_and_delete(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    with store.vault.write() as tx:
        updated = tx.workspaces.update_item(ws, item, Classification.RESTRICTED,
                                            {"title": "second"}, expected_version=1)
        renamed = tx.workspaces.update_workspace(ws, "Talks II", "", expected_version=1)
    assert updated.version == 2 and renamed.version == 2
    stale_writes: list[Callable[[VaultTx], object]] = [
        lambda tx: tx.workspaces.update_item(ws, item, Classification.RESTRICTED,
                                             {"title": "lost"}, expected_version=1),
        lambda tx: tx.workspaces.delete_item(ws, item, expected_version=1),
        lambda tx: tx.workspaces.update_workspace(ws, "lost", "", expected_version=1),
        lambda tx: tx.workspaces.delete_workspace(ws, expected_version=1),
    ]
    for stale in stale_writes:
        with pytest.raises(Conflict), store.vault.write() as tx:
            stale(tx)
    with store.vault.read() as tx:
        assert tx.workspaces.get_item(ws, item).fields["title"] == "second"
        assert tx.workspaces.get_workspace(ws).name == "Talks II"


def test_what_does_not_exist_is_not_found(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    with store.vault.read() as tx:
        for missing in (lambda: tx.workspaces.get_workspace("nope"),
                        lambda: tx.workspaces.get_item(ws, "nope"),
                        lambda: tx.workspaces.members("nope"),
                        lambda: tx.workspaces.attachment(ws, item),  # a note without a file
                        lambda: tx.invitations.invitations_of("nope", NOW)):
            with pytest.raises(NotFound):
                missing()
        assert tx.workspaces.item_classification(ws, "nope") is None
        assert tx.workspaces.role_of("nobody", ws) is None
        assert not tx.workspaces.workspace_exists("nope")
        assert tx.invitations.get_invitation("nope") is None
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.workspaces.set_member(ws, "nobody", Role.ANALYST)  # no such user
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.workspaces.remove_member(ws, "olga2")


def test_a_failed_write_changes_nothing(store: Store) -> None:
    ws, item = _workspace_with_note(store)
    store.add_user("ana")
    with pytest.raises(Conflict), store.vault.write() as tx:
        tx.workspaces.set_member(ws, "ana", Role.ANALYST)
        tx.workspaces.add_item(ws, ItemKind.NOTE, Classification.PUBLIC, {"title": "x"}, "ana")
        tx.invitations.put_invitation(ws, "ben", Role.OBSERVER, "olga", NOW + timedelta(days=1))
        tx.workspaces.delete_item(ws, item, expected_version=7)  # stale: the whole write undone
    with store.vault.read() as tx:
        assert tx.workspaces.role_of("ana", ws) is None
        assert [i.id for i in tx.workspaces.items(ws, list(Classification)).items] == [item]
        assert tx.invitations.invitations_for("ben", NOW) == []
        assert [e.event for e in tx.audit.audit_entries(ws)] == ["workspace.created"]


def test_one_pending_invitation_per_invitee_renewed_and_gone_with_its_workspace(
        store: Store) -> None:
    ws, _ = _workspace_with_note(store)
    later = NOW + timedelta(days=7)
    with store.vault.write() as tx:
        first = tx.invitations.put_invitation(ws, "ben", Role.OBSERVER, "olga", NOW + timedelta(1))
        again = tx.invitations.put_invitation(ws, "ben", Role.ANALYST, "olga", later)
        tx.invitations.put_invitation(ws, "old", Role.OBSERVER, "olga", NOW - timedelta(1))
    assert again.id == first.id and again.role is Role.ANALYST
    with store.vault.write() as tx:
        assert [(i.invitee, i.role) for i in tx.invitations.invitations_of(ws, NOW)] == [
            ("ben", Role.ANALYST)]
        tx.invitations.purge_invitations(NOW)
        version = tx.workspaces.get_workspace(ws).version
    with store.vault.write() as tx:
        found = tx.invitations.get_invitation(first.id)
        assert found is not None and found.expires_at == later
        tx.workspaces.delete_workspace(ws, expected_version=version)
    with store.vault.read() as tx:
        assert tx.invitations.invitations_for("ben", NOW) == []
        assert tx.invitations.get_invitation(first.id) is None


# -- cases ------------------------------------------------------------------------------------


def _case(codebook: Codebook, case_id: str, **changes: Any) -> Case:
    return parse_case({**MINE, "id": case_id, **changes}, codebook, file=f"{case_id}.yaml")


def test_cases_are_unique_versioned_and_not_found_when_missing(store: Store,
                                                               codebook: Codebook) -> None:
    store.add_user("cora")
    mine = CaseAccess("", False, Visibility.PRIVATE, "cora")
    with store.vault.write() as tx:
        assert tx.cases.is_empty()
        tx.cases.insert([_case(codebook, "b"), _case(codebook, "a", parent="b")], mine)
    with pytest.raises(Conflict), store.vault.write() as tx:
        tx.cases.insert([_case(codebook, "c")], mine)
        tx.cases.insert([_case(codebook, "a")], mine)  # taken: the whole write is undone
    with store.vault.write() as tx:
        records = tx.cases.records(["a", "b", "c", "nope"])
        assert sorted(records) == ["a", "b"]
        assert records["a"].version == 1 and records["a"].parent == "b"
        assert records["a"].access == CaseAccess("a", False, Visibility.PRIVATE, "cora")
        assert [r.access.id for r in tx.cases.children("b")] == ["a"]
        assert tx.cases.children("a") == []
        same = tx.cases.replace(_case(codebook, "a", parent="b"))
        assert same == 1  # nothing changed: no new version
        assert tx.cases.replace(_case(codebook, "a", parent="b", summary="v2"), 1) == 2
        assert tx.cases.records(["a"])["a"].content_hash != records["a"].content_hash
        assert tx.cases.set_visibility("b", Visibility.WORKSPACE, None, "cora") == 2
        assert tx.cases.set_visibility("b", Visibility.PUBLIC, "ignored", None) == 3
        for missing in (lambda: tx.cases.get("nope"),
                        lambda: tx.cases.replace(_case(codebook, "nope")),
                        lambda: tx.cases.delete("nope"),
                        lambda: tx.cases.set_visibility("nope", Visibility.PUBLIC, None, None)):
            with pytest.raises(NotFound, match="no case with id 'nope'"):
                missing()
    stale_writes: list[Callable[[VaultTx], object]] = [
        lambda tx: tx.cases.replace(_case(codebook, "a", parent="b", summary="lost"), 1),
        lambda tx: tx.cases.delete("a", 1),
    ]
    for stale in stale_writes:
        with pytest.raises(Conflict, match="changed by someone else"), store.vault.write() as tx:
            stale(tx)
    with store.vault.write() as tx:
        a, b = tx.cases.get("a"), tx.cases.get("b")
        assert (a.version, a.case.summary, a.origin, a.owner) == (2, "v2", "user", "cora")
        assert (b.visibility, b.workspace, b.owner, b.version) == (Visibility.PUBLIC, None,
                                                                   None, 3)
        tx.cases.delete("b", 3)  # a parent is a plain id: its sub-case stays
    with store.vault.read() as tx:
        assert tx.cases.records(["a", "b"]).keys() == {"a"}


def test_bundled_sync_adds_updates_restores_and_is_idempotent(store: Store,
                                                             codebook: Codebook) -> None:
    store.add_user("cora")
    first = [_case(codebook, "x"), _case(codebook, "y"), _case(codebook, "z")]
    with store.vault.write() as tx:
        report = tx.cases.sync_bundled(first)
        tx.cases.mark_bundled("digest-1")
    assert report == SyncReport(("x", "y", "z"), (), 0, (), True)
    with store.vault.write() as tx:
        assert tx.cases.get("x").access == CaseAccess("x", True)
        tx.cases.set_visibility("y", Visibility.PRIVATE, None, "cora")  # changed outside
        again = tx.cases.sync_bundled(first)
    assert again == SyncReport(unchanged=2, restored=("y",))
    release = [_case(codebook, "x", summary="new release"), *first[1:],
               _case(codebook, "w")]
    with store.vault.write() as tx:
        report = tx.cases.sync_bundled(release)
        assert tx.cases.sync_bundled(release) == SyncReport(unchanged=4)
    assert report == SyncReport(("w",), ("x",), 2, ())
    with store.vault.read() as tx:
        y = tx.cases.get("y")
        assert (y.visibility, y.owner, y.origin) == (Visibility.PUBLIC, None, "bundled")
        assert tx.cases.get("x").case.summary == "new release"
        assert not tx.cases.is_empty()


# -- saved scenarios -----------------------------------------------------------------------------


def test_saved_scenarios_round_trip_newest_first_and_missing(store: Store,
                                                             codebook: Codebook) -> None:
    ws, _ = _workspace_with_note(store)
    store.add_user("ana")
    first = parse_scenario({"title": "Truce", "cohesion": "low", "groups": ["MS-13"],
                            "classification": "secret"}, codebook)
    second = parse_scenario({"title": "Dialogue", "notes": "ñ — “quoted”"}, codebook)
    with store.vault.write() as tx:
        a = tx.scenarios.save("ana", first)
        b = tx.scenarios.save("ana", second, ws)
        c = tx.scenarios.save("olga", first, ws)
    assert (b.author, b.workspace) == ("ana", ws) and a.id != b.id
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.scenarios.save("ana", second)
        tx.scenarios.save("nobody", second)  # no such user: the whole write undone
    with pytest.raises(NotFound), store.vault.write() as tx:
        tx.scenarios.save("ana", second, "nope")
    with store.vault.write() as tx:
        saved = tx.scenarios.get(a.id, codebook)
        assert (saved.scenario, saved.author, saved.workspace) == (first, "ana", None)
        assert [s.id for s in tx.scenarios.by_author("ana", codebook)] == [b.id, a.id]
        assert [s.id for s in tx.scenarios.by_author("ana", codebook, limit=1)] == [b.id]
        assert [s.id for s in tx.scenarios.in_workspace(ws, codebook)] == [c.id, b.id]
        assert tx.scenarios.in_workspace("nope", codebook) == []
        assert (tx.scenarios.author_of(c.id), tx.scenarios.workspace_of(c.id)) == ("olga", ws)
        assert tx.scenarios.workspace_of(a.id) is None
        renamed = tx.scenarios.replace(b.id, replace(second, title="Renamed"), codebook)
        assert (renamed.scenario.title, renamed.workspace, renamed.author) == ("Renamed", ws,
                                                                               "ana")
        tx.scenarios.delete(a.id)
        assert tx.scenarios.author_of("nope") is None
        for missing in (lambda: tx.scenarios.get(a.id, codebook),
                        lambda: tx.scenarios.workspace_of("nope"),
                        lambda: tx.scenarios.replace("nope", second, codebook),
                        lambda: tx.scenarios.delete(a.id)):
            with pytest.raises(NotFound):
                missing()
        version = tx.workspaces.get_workspace(ws).version
    with store.vault.write() as tx:
        tx.workspaces.delete_workspace(ws, version)  # shared ones go back to their authors
    with store.vault.read() as tx:
        assert tx.scenarios.workspace_of(b.id) is None
        assert tx.scenarios.get(b.id, codebook).scenario.title == "Renamed"
        assert [s.id for s in tx.scenarios.by_author("olga", codebook)] == [c.id]


# -- indicator series ----------------------------------------------------------------------------


def test_indicator_series_by_classification_versioned_and_not_found_when_missing(
        store: Store) -> None:
    ws, _ = _workspace_with_note(store)
    (sicily,) = SICILY.series
    shorter = replace(sicily, points=sicily.points[:24])
    with store.vault.write() as tx:
        public = tx.indicators.add(ws, sicily, SETTINGS, Classification.PUBLIC, "olga")
        secret = tx.indicators.add(ws, shorter, MonitorSettings(), Classification.SECRET, "ana")
    with store.vault.write() as tx:
        assert tx.indicators.classifications(ws) == {public: Classification.PUBLIC,
                                                     secret: Classification.SECRET}
        found, bad = tx.indicators.series(ws, [Classification.PUBLIC,
                                               Classification.RESTRICTED])
        assert [s.id for s in found] == [public] and bad == []
        stored = tx.indicators.get(ws, public)
        assert (stored.workspace_id, stored.classification, stored.version) == (
            ws, "public", 1)
        assert (stored.created_by, stored.series, stored.settings) == ("olga", sicily,
                                                                       SETTINGS)
        tx.indicators.replace(ws, public, shorter, MonitorSettings(), Classification.RESTRICTED,
                              expected_version=1)
        tx.indicators.flush()
        other = tx.workspaces.add_workspace("Other", "", "olga").id
        assert tx.indicators.feed_secret(ws) == tx.indicators.feed_secret(ws)
        assert tx.indicators.feed_secret(ws) != tx.indicators.feed_secret(other)
        for missing in (lambda: tx.indicators.get(ws, "nope"),
                        lambda: tx.indicators.get(other, public),  # not in that workspace
                        lambda: tx.indicators.series("nope", list(Classification)),
                        lambda: tx.indicators.classifications("nope"),
                        lambda: tx.indicators.feed_secret("nope"),
                        lambda: tx.indicators.add("nope", sicily, SETTINGS,
                                                  Classification.PUBLIC, "olga")):
            with pytest.raises(NotFound):
                missing()
    with pytest.raises(Conflict, match="changed by someone else"), store.vault.write() as tx:
        tx.indicators.add(ws, sicily, SETTINGS, Classification.PUBLIC, "olga")
        tx.indicators.replace(ws, public, sicily, SETTINGS, Classification.PUBLIC,
                              expected_version=1)  # stale: the whole write undone
    with store.vault.write() as tx:
        replaced = tx.indicators.get(ws, public)
        assert (replaced.version, replaced.classification, replaced.created_by) == (
            2, "restricted", "olga")
        assert replaced.series == shorter and replaced.settings == MonitorSettings()
        assert list(tx.indicators.classifications(ws)) == [public, secret]
        tx.workspaces.delete_workspace(ws, tx.workspaces.get_workspace(ws).version)
    with store.vault.read() as tx, pytest.raises(NotFound):
        tx.indicators.get(ws, public)
