"""Results of browsing the case base: stored cases, list rows, facets, search highlights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from parley.domain.case import Case

Origin = Literal["bundled", "user"]

# Highlight markers returned by full-text search; renderers escape the text, then turn these
# into <mark> (so a case's own text can never inject markup).
MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True)
class StoredCase:
    case: Case
    origin: Origin
    version: int


@dataclass(frozen=True)
class CaseSummary:
    id: str
    title: str
    country: str | None
    parent: str | None
    origin: Origin
    region: str | None = None
    start_year: int | None = None
    outcome_class: str | None = None
    snippet: str | None = None  # with MARK_START/MARK_END around matches
    rank: float | None = None


@dataclass(frozen=True)
class CasePage:
    items: tuple[CaseSummary, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncReport:
    """What loading the bundled cases did."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    kept_user: tuple[str, ...] = ()  # ids a user's own case holds; the bundled one is not loaded
