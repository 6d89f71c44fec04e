"""Saved assessments on SQLite and PostgreSQL: sealed round trip, per-author listing, missing ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.domain.scenario import parse_scenario
from tests.support import build, user


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(database_url, tmp_path)
    user(a, "ana")
    user(a, "bob")
    yield a
    a.close()


def test_round_trip_and_listing(app: Parley, codebook: Codebook) -> None:
    first = parse_scenario({"title": "Truce", "cohesion": "low", "groups": ["MS-13"],
                            "spoilers": ["political"], "number_of_groups": 2}, codebook)
    second = parse_scenario({"title": "Dialogue", "notes": "ñ — “quoted”"}, codebook)
    with app.vault.write() as tx:
        a, b = tx.scenarios.save("ana", first), tx.scenarios.save("ana", second)
        c = tx.scenarios.save("bob", first)
    assert a.id != b.id and len(a.id) >= 16
    with app.vault.read() as tx:
        saved = tx.scenarios.get(a.id, codebook)
        assert saved.scenario == first and saved.id == a.id and saved.author == "ana"
        assert saved.created_at is not None
        assert tx.scenarios.get(b.id, codebook).scenario.notes == "ñ — “quoted”"
        assert [s.id for s in tx.scenarios.by_author("ana", codebook)] == [b.id, a.id]
        assert [s.id for s in tx.scenarios.by_author("bob", codebook)] == [c.id]
        assert tx.scenarios.author_of(c.id) == "bob"


def test_missing_scenario_is_not_found(app: Parley, codebook: Codebook) -> None:
    with app.vault.write() as tx:
        with pytest.raises(NotFound, match="no saved assessment 'nope'"):
            tx.scenarios.get("nope", codebook)
        with pytest.raises(NotFound):
            tx.scenarios.delete("nope")
        assert tx.scenarios.author_of("nope") is None
