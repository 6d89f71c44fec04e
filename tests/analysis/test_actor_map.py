"""The actor map's graph and layout: what is drawn, deterministic, and brokers found."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from parley.analysis.actor_map import actor_map
from parley.domain.access import Classification
from parley.domain.workspace import ACTOR_TYPES, STANCES, Item, ItemKind

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def item(item_id: str, kind: ItemKind, **fields: Any) -> Item:
    return Item(item_id, "ws", kind, Classification.PUBLIC, fields, 1, "ana", NOW, NOW)


def party(item_id: str, name: str, type_: str = "criminal-group", stance: str = "neutral",
          influence: int | None = None, spoiler: str | None = None) -> Item:
    return item(item_id, ItemKind.ACTOR, name=name, type=type_, stance=stance,
                influence=influence, spoiler_type=spoiler)


def rel(item_id: str, source: str | None, target: str | None, type_: str = "rivalry") -> Item:
    return item(item_id, ItemKind.RELATIONSHIP, source=source, target=target, type=type_)


def test_a_broker_between_two_rivals_has_the_highest_betweenness() -> None:
    items = [party("a", "MS-13"), party("b", "Barrio 18"),
             party("c", "Bishop", "church", "supportive", 4),
             rel("r1", "a", "c", "communication-channel"),
             rel("r2", "b", "c", "communication-channel")]
    m = actor_map(items)
    assert [n.name for n in m.nodes] == ["MS-13", "Barrio 18", "Bishop"]
    assert {n.name: n.betweenness for n in m.nodes} == {"MS-13": 0.0, "Barrio 18": 0.0,
                                                        "Bishop": 1.0}
    assert m.links_of("c") == [("communication-channel", "MS-13"),
                               ("communication-channel", "Barrio 18")]


def test_hidden_ends_self_loops_and_filtered_parties_draw_no_edge() -> None:
    items = [party("a", "MS-13"), party("b", "Police", "security-forces", "opposed"),
             rel("r1", "a", None), rel("r2", "a", "a"), rel("r3", "a", "b", "control")]
    assert [e.id for e in actor_map(items).edges] == ["r3"]
    only_groups = actor_map(items, types=["criminal-group"])
    assert [n.name for n in only_groups.nodes] == ["MS-13"] and not only_groups.edges
    assert [n.name for n in actor_map(items, stances=["opposed"]).nodes] == ["Police"]


def test_spoilers_are_marked() -> None:
    m = actor_map([party("a", "Splinter", stance="opposed", spoiler="internal-factions"),
                   party("b", "Gov", "government")])
    assert {n.name: n.spoiler for n in m.nodes} == {"Splinter": True, "Gov": False}


parties = st.lists(st.tuples(st.sampled_from(ACTOR_TYPES), st.sampled_from(STANCES),
                             st.none() | st.integers(1, 5)), min_size=0, max_size=12)


@given(parties, st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=20))
def test_every_drawn_edge_joins_drawn_nodes_and_the_layout_repeats(
        specs: list[tuple[str, str, int | None]], pairs: list[tuple[int, int]]) -> None:
    items = [party(f"p{i}", f"Party {i}", t, s, inf) for i, (t, s, inf) in enumerate(specs)]
    items += [rel(f"r{k}", f"p{a}", f"p{b}") for k, (a, b) in enumerate(pairs)]
    first, second = actor_map(items), actor_map(list(reversed(items)))
    assert first == second  # one picture per set of items, whatever their order
    ids = {n.id for n in first.nodes}
    assert len(ids) == len(specs)
    for e in first.edges:
        assert e.source in ids and e.target in ids and e.source != e.target
    for n in first.nodes:
        assert 0.0 <= n.x <= 1.0 and 0.0 <= n.y <= 1.0
