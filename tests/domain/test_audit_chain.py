"""The keyed audit chain: without the audit key, any edit, removal, insertion, reordering or
truncation is found, even when the attacker recomputes every hash they can."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.domain.audit import (
    EVENTS,
    GENESIS,
    AuditEntry,
    ChainRekeyed,
    ChainSeal,
    ChainStarted,
    ItemCreated,
    LoginFailed,
    SecretRead,
    Subjects,
    WorkspaceCreated,
    chain_hash,
    head_tag,
    make_checkpoint,
    make_entry,
    make_unkeyed_entry,
    parse_checkpoints,
    verify_chain,
)
from parley.domain.errors import InvalidInput

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KEY = bytes(range(32))

events = st.one_of(
    st.builds(ItemCreated, workspace=st.text(max_size=8), item=st.text(max_size=8),
              kind=st.sampled_from(["note", "party"]), classification=st.just("secret")),
    st.builds(LoginFailed, user=st.text(max_size=10), reason=st.text(max_size=10)),
    st.builds(SecretRead, workspace=st.text(max_size=8),
              items=st.lists(st.text(max_size=5), max_size=3).map(tuple)),
)
# what an attacker without the audit key can use to recompute entries
attacker_keys = st.one_of(st.none(), st.binary(min_size=32, max_size=32).filter(lambda k: k != KEY))


def build(evs: list[object], key: bytes = KEY) -> list[AuditEntry]:
    """A keyed log as the store writes it: the `chain.started` anchor, then the events."""
    log = [make_entry(None, T0, "system", ChainStarted(), key)]
    for i, ev in enumerate(evs):
        log.append(make_entry(log[-1], T0 + timedelta(seconds=i), f"user{i % 3}", ev, key))  # type: ignore[arg-type]
    return log


def seal_of(log: list[AuditEntry], key: bytes = KEY, anchor: int = 1) -> ChainSeal:
    return ChainSeal(anchor, log[-1].seq, log[-1].hash, head_tag(key, log[-1].seq, log[-1].hash))


def forge(prev: AuditEntry | None, entry: AuditEntry, attacker_key: bytes | None
          ) -> AuditEntry:
    """Relink and recompute `entry` after `prev` as the attacker can: plain hash or a wrong key."""
    moved = replace(entry, seq=prev.seq + 1 if prev else 1,
                    prev_hash=prev.hash if prev else GENESIS)
    if attacker_key is None:
        return replace(moved, hash=chain_hash(moved.prev_hash, moved.content()))
    from parley.domain.audit import entry_mac

    return replace(moved, hash=entry_mac(attacker_key, moved.prev_hash, moved.content()))


def reforge(log: list[AuditEntry], start: int, attacker_key: bytes | None) -> list[AuditEntry]:
    out = log[:start]
    for entry in log[start:]:
        out.append(forge(out[-1] if out else None, entry, attacker_key))
    return out


@given(st.lists(events, max_size=30))
def test_any_appended_sequence_verifies(evs: list[object]) -> None:
    log = build(evs)
    report = verify_chain(log, KEY, seal_of(log))
    assert report.ok and report.keyed and report.count == len(log)
    assert report.head == log[-1].hash


@given(st.lists(events, min_size=2, max_size=20), st.data(), attacker_keys)
def test_an_edit_is_found_even_with_every_hash_recomputed(
        evs: list[object], data: st.DataObject, attacker: bytes | None) -> None:
    log = build(evs)
    seal = seal_of(log)
    i = data.draw(st.integers(0, len(log) - 1))
    log[i] = replace(log[i], actor=log[i].actor + "x")
    assert verify_chain(log, KEY, seal).bad == i + 1  # edited, nothing recomputed
    log = reforge(log, i, attacker)
    report = verify_chain(log, KEY, seal_of(log, attacker or KEY))  # head moved too
    assert not report.ok and report.bad == i + 1


@given(st.lists(events, min_size=2, max_size=20), st.data(), attacker_keys)
def test_a_removal_is_found_anywhere_even_renumbered(
        evs: list[object], data: st.DataObject, attacker: bytes | None) -> None:
    log = build(evs)
    seal = seal_of(log)
    i = data.draw(st.integers(0, len(log) - 1))
    del log[i]
    assert not verify_chain(log, KEY, seal).ok  # the newest too: the signed head says so
    assert not verify_chain(reforge(log, i, attacker), KEY, seal).ok


@given(st.lists(events, min_size=1, max_size=20), st.data(), attacker_keys, events)
def test_an_insertion_or_a_forged_append_is_found(
        evs: list[object], data: st.DataObject, attacker: bytes | None, extra: object) -> None:
    log = build(evs)
    seal = seal_of(log)
    i = data.draw(st.integers(1, len(log)))
    forged = make_entry(log[i - 1], T0, "mallory", extra, attacker or b"\x00" * 32)  # type: ignore[arg-type]
    log = reforge([*log[:i], forged, *log[i:]], i, attacker)
    assert not verify_chain(log, KEY, seal).ok
    report = verify_chain(log, KEY, replace(seal, head_seq=log[-1].seq, head_mac=log[-1].hash))
    assert not report.ok and report.bad == i + 1


@given(st.lists(events, min_size=2, max_size=20), st.data(), attacker_keys)
def test_a_reordering_is_found(evs: list[object], data: st.DataObject,
                               attacker: bytes | None) -> None:
    log = build(evs)
    seal = seal_of(log)
    i = data.draw(st.integers(0, len(log) - 2))
    j = data.draw(st.integers(i + 1, len(log) - 1))
    log[i], log[j] = log[j], log[i]
    assert verify_chain(log, KEY, seal).bad == i + 1
    assert not verify_chain(reforge(log, i, attacker), KEY, seal).ok


def test_an_empty_log_is_never_valid_once_keyed() -> None:
    log = build([])
    report = verify_chain([], KEY, seal_of(log))
    assert not report.ok and "anchor, seq 1" in report.reason


def test_existing_workspaces_and_users_need_their_creation_entries() -> None:
    subjects = Subjects(frozenset({"w1"}), frozenset({"ana"}))
    report = verify_chain([], None, None, subjects=subjects)
    assert [p.reason.split(" (")[0] for p in report.problems] == [
        "1 workspace(s) exist without their `workspace.created` entry",
        "1 user(s) exist without their `user.created` entry"]
    log = build([WorkspaceCreated("w1", owner="ana")])
    assert not verify_chain(log, KEY, seal_of(log), subjects=subjects).ok  # user.created missing
    assert verify_chain(log, KEY, seal_of(log), subjects=Subjects(frozenset({"w1"}))).ok


def test_the_unkeyed_prefix_is_pinned_by_the_rekeyed_anchor() -> None:
    old: list[AuditEntry] = []
    for n in range(3):
        old.append(make_unkeyed_entry(old[-1] if old else None, T0, "old",
                                      LoginFailed(user=f"u{n}")))
    anchor = make_entry(old[-1], T0, "system",
                        ChainRekeyed(legacy_entries=3, legacy_head=old[-1].hash), KEY)
    log = [*old, anchor, make_entry(anchor, T0, "ana", LoginFailed(user="x"), KEY)]
    report = verify_chain(log, KEY, seal_of(log, anchor=4))
    assert report.ok and report.legacy == 3 and report.anchor == 4
    assert verify_chain(old).ok  # before the first keyed write: a plain hash chain
    edited = reforge([*old[:1], replace(old[1], actor="mallory"), *log[2:]], 1, None)
    assert verify_chain(edited, KEY, seal_of(log, anchor=4)).bad == 4
    moved = verify_chain(log, KEY, seal_of(log, anchor=5))
    assert not moved.ok  # the anchor is where the audit key says


def test_without_the_key_only_structure_is_checked() -> None:
    log = build([LoginFailed(user="a"), LoginFailed(user="b")])
    forged = reforge([*log[:2], replace(log[2], actor="mallory")], 2, b"\x01" * 32)
    structure = verify_chain(forged, None, seal_of(forged, b"\x01" * 32))
    assert structure.ok and not structure.keyed
    assert not verify_chain(forged, KEY, seal_of(forged, b"\x01" * 32)).ok


def test_checkpoints_round_trip_and_are_checked() -> None:
    log = build([LoginFailed(user="a"), LoginFailed(user="b")])
    cp = make_checkpoint(KEY, 2, log[1].hash, T0)
    [parsed] = parse_checkpoints("# kept off the server\n" + cp.text() + "\n", "f")
    assert parsed.line == 2 and parsed.signed_by(KEY) and not parsed.signed_by(b"\x02" * 32)
    assert verify_chain(log, KEY, seal_of(log), checkpoints=[parsed]).ok
    rolled_back = verify_chain(log[:1], KEY, seal_of(log[:1]), checkpoints=[parsed])
    assert "records 2 entries, but the log now ends at seq 1" in rolled_back.reason
    rewritten = build([LoginFailed(user="z"), LoginFailed(user="b")])
    assert "differs from the checkpoint" in verify_chain(
        rewritten, KEY, seal_of(rewritten), checkpoints=[parsed]).reason
    with pytest.raises(InvalidInput, match="f, line 1: not an audit checkpoint"):
        parse_checkpoints('{"v":1,"count":"2"}', "f")
    with pytest.raises(InvalidInput, match="holds no audit checkpoint"):
        parse_checkpoints("\n", "f")


def test_a_fresh_random_key_makes_a_different_chain() -> None:
    other = secrets.token_bytes(32)
    assert build([LoginFailed()], other)[1].hash != build([LoginFailed()])[1].hash


def test_event_names_are_past_tense_and_dotted() -> None:
    names = [e.name for e in EVENTS]
    assert len(set(names)) == len(names)
    for name in names:
        noun, _, verb = name.partition(".")
        assert noun and verb.endswith(("ed", "read")), name
