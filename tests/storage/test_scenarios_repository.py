"""Saved scenarios on SQLite and PostgreSQL: round trip, listing, missing ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.domain.scenario import parse_scenario
from parley.storage.database import Database
from parley.storage.scenarios import ScenarioRepository


@pytest.fixture
def repo(database_url: str, codebook: Codebook) -> Iterator[ScenarioRepository]:
    db = Database(database_url)
    db.upgrade()
    yield ScenarioRepository(db, codebook)
    db.dispose()


def test_round_trip_and_listing(repo: ScenarioRepository, codebook: Codebook) -> None:
    first = parse_scenario({"title": "Truce", "cohesion": "low", "groups": ["MS-13"],
                            "spoilers": ["political"], "number_of_groups": 2}, codebook)
    second = parse_scenario({"title": "Dialogue", "notes": "ñ — “quoted”"}, codebook)
    a, b = repo.save(first), repo.save(second)
    assert a != b and len(a) >= 16
    saved = repo.get(a)
    assert saved.scenario == first and saved.id == a and saved.created_at is not None
    assert repo.get(b).scenario.notes == "ñ — “quoted”"
    assert [s.id for s in repo.recent()] == [b, a]


def test_missing_scenario_is_not_found(repo: ScenarioRepository) -> None:
    with pytest.raises(NotFound, match="no saved scenario 'nope'"):
        repo.get("nope")
