"""The audit hash chain: any edit, removal or reordering is found, at the right entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from parley.domain.audit import (
    EVENTS,
    GENESIS,
    AuditEntry,
    ItemCreated,
    LoginFailed,
    SecretRead,
    make_entry,
    verify_chain,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)

events = st.one_of(
    st.builds(ItemCreated, workspace=st.text(max_size=8), item=st.text(max_size=8),
              kind=st.sampled_from(["note", "party"]), classification=st.just("secret")),
    st.builds(LoginFailed, user=st.text(max_size=10), reason=st.text(max_size=10)),
    st.builds(SecretRead, workspace=st.text(max_size=8),
              items=st.lists(st.text(max_size=5), max_size=3).map(tuple)),
)


def build(evs: list[object]) -> list[AuditEntry]:
    log: list[AuditEntry] = []
    for i, ev in enumerate(evs):
        prev = log[-1] if log else None
        log.append(make_entry(prev, T0 + timedelta(seconds=i), f"user{i % 3}", ev))  # type: ignore[arg-type]
    return log


@given(st.lists(events, max_size=30))
def test_any_appended_sequence_verifies(evs: list[object]) -> None:
    log = build(evs)
    report = verify_chain(log)
    assert report.ok and report.count == len(log)
    assert report.head == (log[-1].hash if log else GENESIS)


@given(st.lists(events, min_size=2, max_size=20), st.data())
def test_an_edit_is_found_at_the_edited_entry(evs: list[object], data: st.DataObject) -> None:
    log = build(evs)
    i = data.draw(st.integers(0, len(log) - 1))
    log[i] = replace(log[i], actor=log[i].actor + "x")
    assert verify_chain(log).bad == i + 1


@given(st.lists(events, min_size=2, max_size=20), st.data())
def test_an_edit_with_a_recomputed_hash_is_found_at_the_next_entry(
        evs: list[object], data: st.DataObject) -> None:
    log = build(evs)
    i = data.draw(st.integers(0, len(log) - 2))
    edited = replace(log[i], details={"forged": True})
    log[i] = make_entry(log[i - 1] if i else None, T0, edited.actor, ItemCreated(item="forged"))
    assert verify_chain(log).bad in (i + 1, i + 2)


@given(st.lists(events, min_size=2, max_size=20), st.data())
def test_a_removal_is_found(evs: list[object], data: st.DataObject) -> None:
    log = build(evs)
    i = data.draw(st.integers(0, len(log) - 2))
    del log[i]
    assert verify_chain(log).bad == i + 1


@given(st.lists(events, min_size=2, max_size=20), st.data())
def test_a_reordering_is_found(evs: list[object], data: st.DataObject) -> None:
    log = build(evs)
    i = data.draw(st.integers(0, len(log) - 2))
    j = data.draw(st.integers(i + 1, len(log) - 1))
    log[i], log[j] = log[j], log[i]
    assert verify_chain(log).bad == i + 1


def test_event_names_are_past_tense_and_dotted() -> None:
    names = [e.name for e in EVENTS]
    assert len(set(names)) == len(names)
    for name in names:
        noun, _, verb = name.partition(".")
        assert noun and verb.endswith(("ed", "read")), name
