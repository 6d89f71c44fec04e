"""The actor map of a workspace: actors as nodes, relationships as edges, a seeded layout.

The paper finds these processes lacked "rigorous actor mapping"; the map shows who is at the
table, who is allied with or rivals whom, who controls or sponsors whom, and who may spoil the
talks. Built from the items a reader may see (a relationship to a party above their clearance
arrives with that end blank and is left out), so the map never reveals more than the item
list. The layout is networkx's spring layout with a fixed seed: the same items give the same
picture. Betweenness centrality marks brokers (the parties most paths between others pass
through), whom the paper's mediators often were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parley.domain.workspace import Item, ItemKind

SEED = 7
"""The layout's seed: one map per set of items."""


@dataclass(frozen=True)
class MapNode:
    id: str
    name: str
    type: str
    stance: str
    influence: int | None
    spoiler: bool
    x: float  # 0..1
    y: float  # 0..1
    betweenness: float
    spoiler_type: str | None = None  # the codebook's `spoilers` code


@dataclass(frozen=True)
class MapEdge:
    id: str
    source: str
    target: str
    type: str


@dataclass(frozen=True)
class ActorMap:
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]

    def name(self, node_id: str) -> str:
        return next((n.name for n in self.nodes if n.id == node_id), "")

    def links_of(self, node_id: str) -> list[tuple[str, str]]:
        """(relationship type, other party's name) for each edge of a node."""
        out = []
        for e in self.edges:
            if e.source == node_id:
                out.append((e.type, self.name(e.target)))
            elif e.target == node_id:
                out.append((e.type, self.name(e.source)))
        return out


def actor_map(items: Iterable[Item], *, types: Sequence[str] = (),
              stances: Sequence[str] = ()) -> ActorMap:
    """The map of the parties in `items` (optionally only those of `types` and `stances`)
    and the relationships between the parties shown."""
    import networkx as nx

    listed = list(items)
    parties = sorted((i for i in listed if i.kind is ItemKind.ACTOR
                      and (not types or i.fields.get("type") in types)
                      and (not stances or (i.fields.get("stance") or "unknown") in stances)),
                     key=lambda i: i.id)
    shown = {p.id for p in parties}
    relations = sorted((i for i in listed if i.kind is ItemKind.RELATIONSHIP
                        and i.fields.get("source") in shown and i.fields.get("target") in shown
                        and i.fields.get("source") != i.fields.get("target")),
                       key=lambda i: i.id)
    graph = nx.Graph()
    graph.add_nodes_from(p.id for p in parties)
    graph.add_edges_from((str(r.fields["source"]), str(r.fields["target"])) for r in relations)
    if len(parties) > 1:
        raw = nx.spring_layout(graph, seed=SEED)
        xs = [float(v[0]) for v in raw.values()]
        ys = [float(v[1]) for v in raw.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        pos = {k: ((float(v[0]) - min(xs)) / span_x, (float(v[1]) - min(ys)) / span_y)
               for k, v in raw.items()}
    else:
        pos = {p.id: (0.5, 0.5) for p in parties}
    between = nx.betweenness_centrality(graph) if len(parties) > 2 else {}
    nodes = tuple(MapNode(
        p.id, p.title, str(p.fields.get("type") or "other"),
        str(p.fields.get("stance") or "unknown"),
        int(p.fields["influence"]) if p.fields.get("influence") is not None else None,
        bool(p.fields.get("spoiler_type")),
        pos[p.id][0], pos[p.id][1], float(between.get(p.id, 0.0)),
        str(p.fields["spoiler_type"]) if p.fields.get("spoiler_type") else None)
        for p in parties)
    edges = tuple(MapEdge(r.id, str(r.fields["source"]), str(r.fields["target"]),
                          str(r.fields.get("type") or "")) for r in relations)
    return ActorMap(nodes, edges)
