"""The actor map of a workspace (services/actor_maps.py), on the in-memory fakes, SQLite and
PostgreSQL: a reader's map holds the parties and relationships their clearance allows, the
filters are checked and named, and a map that shows secret items is audited as `actor-map`.
(The layout itself is analysis: tests/analysis/test_actor_map.py.)"""

from __future__ import annotations

import pytest

from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.errors import InvalidInput, NotFound
from parley.domain.workspace import ItemKind
from parley.services.actor_maps import map_of
from tests.services.conftest import Backend, Store

C = Classification


@pytest.fixture
def ws(backend: Backend) -> str:
    """ana (owner) and obs (observer); three parties, the secret one linked to two others."""
    s = backend.service
    ana = backend.add_user("ana")
    backend.add_user("obs")
    backend.add_user("eve")
    ws = s.create(ana, "Talks").id
    s.set_member(ana, ws, "obs", Role.OBSERVER)
    gang = s.create_item(ana, ws, ItemKind.ACTOR, C.PUBLIC,
                         {"name": "Barrio 18", "type": "criminal-group", "stance": "open"})
    church = s.create_item(ana, ws, ItemKind.ACTOR, C.PUBLIC,
                           {"name": "Bishop", "type": "church", "stance": "supportive"})
    spy = s.create_item(ana, ws, ItemKind.ACTOR, C.SECRET,
                        {"name": "Informant", "type": "person", "stance": "opposed"})
    s.create_item(ana, ws, ItemKind.RELATIONSHIP, C.PUBLIC,
                  {"source": church.id, "target": gang.id, "type": "communication-channel"})
    s.create_item(ana, ws, ItemKind.RELATIONSHIP, C.SECRET,
                  {"source": spy.id, "target": gang.id, "type": "control"})
    return ws


def _names(backend: Backend, who: str, ws: str, **filters: tuple[str, ...]) -> list[str]:
    found = map_of(backend.service, Principal(who), ws, **filters)
    return sorted(n.name for n in found.nodes)


def test_each_reader_sees_the_parties_their_clearance_allows(backend: Backend,
                                                             ws: str) -> None:
    owner = map_of(backend.service, Principal("ana"), ws)
    assert sorted(n.name for n in owner.nodes) == ["Barrio 18", "Bishop", "Informant"]
    assert sorted(e.type for e in owner.edges) == ["communication-channel", "control"]
    assert all(0 <= n.x <= 1 and 0 <= n.y <= 1 for n in owner.nodes)
    observer = map_of(backend.service, Principal("obs"), ws)
    assert sorted(n.name for n in observer.nodes) == ["Barrio 18", "Bishop"]
    assert [e.type for e in observer.edges] == ["communication-channel"]
    with pytest.raises(NotFound):
        map_of(backend.service, Principal("eve"), ws)


def test_filters_by_type_and_stance_are_checked(backend: Backend, ws: str) -> None:
    assert _names(backend, "ana", ws, types=("church", "person")) == ["Bishop", "Informant"]
    assert _names(backend, "ana", ws, stances=("open", "opposed")) == ["Barrio 18",
                                                                       "Informant"]
    assert _names(backend, "obs", ws, stances=("opposed",)) == []
    with pytest.raises(InvalidInput, match="type: 'gang'; allowed: person"):
        map_of(backend.service, Principal("ana"), ws, types=["gang"])
    with pytest.raises(InvalidInput, match="stance: 'hostile'"):
        map_of(backend.service, Principal("ana"), ws, stances=["hostile"])


def test_a_map_showing_secret_items_is_audited(backend: Backend, ws: str,
                                               store: Store) -> None:
    def reads() -> list[object]:
        with store.vault.read() as tx:
            return [e.details.get("purpose") for e in tx.audit.audit_entries(ws)
                    if e.event == "secret.read"]

    map_of(backend.service, Principal("obs"), ws)
    assert reads() == []
    map_of(backend.service, Principal("ana"), ws)
    assert reads() == ["actor-map"]
