"""The paper's warnings on a workspace's demands (see `analysis/demand_warnings.py`), computed
once per demand code and shown with the demand in the API, the pages and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from parley.analysis.demand_warnings import demand_warnings
from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.workspace import Item, ItemKind


class DemandWarnings:
    def __init__(self, guidelines: Sequence[Guideline], codebook: Codebook) -> None:
        self._of = cache(lambda code: tuple(demand_warnings(code, guidelines, codebook)))

    def of(self, item: Item) -> tuple[Guideline, ...]:
        """The guidelines the demand's code triggers (none for other kinds, or no code)."""
        code = item.fields.get("code")
        if item.kind is not ItemKind.DEMAND or not code:
            return ()
        found: tuple[Guideline, ...] = self._of(str(code))
        return found
