"""Results of browsing the case base: stored cases, list rows, facets, search highlights."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from parley.domain.access import CaseAccess, Visibility
from parley.domain.case import Case

Origin = Literal["bundled", "user"]

# Highlight markers returned by full-text search; renderers escape the text, then turn these
# into <mark> (so a case's own text can never inject markup).
MARK_START = "\x02"
MARK_END = "\x03"


def show_marks(snippet: str, start: str, end: str,
               escape: Callable[[str], str] = lambda text: text) -> str:
    """`snippet` for one medium: its own text escaped for it first, then the match markers
    turned into `start` and `end` (so the case's text can never add markup of its own)."""
    return escape(snippet).replace(MARK_START, start).replace(MARK_END, end)


def marked_html(snippet: str) -> str:
    """A search snippet as HTML: escaped, matches in <mark> (the only markup it may hold)."""
    return show_marks(snippet, "<mark>", "</mark>", html.escape)


@dataclass(frozen=True)
class StoredCase:
    case: Case
    origin: Origin
    version: int
    visibility: Visibility = Visibility.PUBLIC
    owner: str | None = None
    workspace: str | None = None  # the workspace it is shared with (visibility WORKSPACE)

    @property
    def access(self) -> CaseAccess:
        return CaseAccess(self.case.id, self.origin == "bundled", self.visibility, self.owner,
                          self.workspace)


@dataclass(frozen=True)
class CaseRecord:
    """What a change needs to know about a stored case, without parsing it."""

    access: CaseAccess
    version: int
    content_hash: str
    parent: str | None = None


@dataclass(frozen=True)
class CaseSummary:
    """One row of a case listing or search: the case's headline facts (None where unknown)."""

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
    visibility: Visibility = Visibility.PUBLIC
    matched: tuple[str, ...] = ()  # where a search hit matched: title, summary, quotes, ...


@dataclass(frozen=True)
class CasePage:
    """A page of a listing. `total` counts every matching case; `parents` those of them that
    are parents of sub-cases the reader sees. The facets count leaf cases only (total less
    parents), as the cross-tab and QCA do, so one negotiation is never counted twice."""

    items: tuple[CaseSummary, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    parents: int = 0

    @property
    def leaves(self) -> int:
        return self.total - self.parents


@dataclass(frozen=True)
class SyncReport:
    """What loading the bundled cases did. A bundled id always holds the bundled file:
    `updated` were stored unchanged from an older release; `restored` had been changed outside
    a release (replaced by a user, or edited in the database) and are the bundled file again."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    restored: tuple[str, ...] = ()
    installed: bool = False  # the first load into an empty case base

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.restored)
