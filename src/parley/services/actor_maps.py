"""The actor map of a workspace for one reader (`analysis/actor_map.py` draws nothing; this
reads what the reader may see, checks the filters, and audits secret reads as `actor-map`)."""

from __future__ import annotations

from collections.abc import Sequence

from parley.analysis.actor_map import ActorMap, actor_map
from parley.domain.account import Principal
from parley.domain.errors import InvalidInput
from parley.domain.workspace import ACTOR_TYPES, STANCES
from parley.services.workspaces import Workspaces


def _checked(values: Sequence[str], allowed: Sequence[str], name: str) -> list[str]:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise InvalidInput(f"{name}: {', '.join(repr(v) for v in wrong)}; allowed: "
                           f"{', '.join(allowed)}")
    return list(values)


def map_of(workspaces: Workspaces, actor: Principal, workspace_id: str, *,
           types: Sequence[str] = (), stances: Sequence[str] = ()) -> ActorMap:
    """The parties and relationships `actor` may see, filtered by party type and stance."""
    kinds = _checked(types, ACTOR_TYPES, "type")
    wanted = _checked(stances, STANCES, "stance")
    items = workspaces.listing(actor, workspace_id, purpose="actor-map").items
    return actor_map(items, types=kinds, stances=wanted)
