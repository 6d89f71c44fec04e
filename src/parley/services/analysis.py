"""Comparative analysis over the case base: cross-tabulations and QCA on coded variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from parley.analysis.qca import Options, SetData, analyse, result_to_json
from parley.domain.case import Case
from parley.domain.comparison import CrispTable, CrossTab, SetDefinition, crisp_table, cross_tabulate
from parley.domain.errors import InvalidInput
from parley.services.cases import CaseCatalogue

MIN_CASES = 2


@dataclass(frozen=True)
class CaseQcaRun:
    """A QCA over the case base: the crisp table built from the coded cases, and the result."""

    table: CrispTable
    result: dict[str, Any]  # the QCA JSON of spec/interfaces.md, plus `unknown` reporting


class ComparativeAnalysis:
    def __init__(self, catalogue: CaseCatalogue) -> None:
        self.catalogue = catalogue

    def cases(self, where: str | None, leaves_only: bool) -> list[Case]:
        """Cases matching `where`; with `leaves_only`, a parent case whose sub-cases are in the
        base is dropped so that one negotiation is not counted twice."""
        everything = self.catalogue.export()
        cases = self.catalogue.export(where) if where else everything
        if not leaves_only:
            return cases
        parents = {c.parent for c in everything if c.parent}
        return [c for c in cases if c.id not in parents]

    def crosstab(self, row: str, col: str, where: str | None = None,
                 include_unknown: bool = True, leaves_only: bool = True) -> CrossTab:
        return cross_tabulate(self.cases(where, leaves_only), self.catalogue.codebook, row, col,
                              include_unknown)

    def qca_on_cases(
        self,
        definitions: Mapping[str, SetDefinition],
        conditions: Sequence[str],
        outcome: str,
        options: Options,
        *,
        where: str | None = None,
        unknown_as_absent: bool = False,
        leaves_only: bool = True,
    ) -> CaseQcaRun:
        """QCA over the case base with codebook variables mapped to crisp sets.

        `outcome` may be `~NAME`. Cases with an unknown membership are left out (and listed)
        unless `unknown_as_absent`.
        """
        negated = outcome.startswith("~")
        out_name = outcome.lstrip("~").strip()
        missing = [n for n in (*conditions, out_name) if n not in definitions]
        if missing:
            raise InvalidInput(f"not in the mapping: {', '.join(missing)}; defined: "
                               + ", ".join(definitions))
        if not conditions:
            raise InvalidInput("choose at least one condition")
        if out_name in conditions:
            raise InvalidInput(f"{out_name} cannot be both a condition and the outcome")
        table = crisp_table(self.cases(where, leaves_only), [definitions[c] for c in conditions],
                            definitions[out_name], unknown_as_absent)
        if len(table.case_ids) < MIN_CASES:
            raise InvalidInput(
                f"only {len(table.case_ids)} case(s) have every chosen condition and the outcome "
                f"coded ({len(table.excluded)} left out for unknown values); choose other "
                "conditions, or count unknown as absent")
        data = SetData.from_columns(
            list(conditions), [table.columns[c] for c in conditions],
            f"~{out_name}" if negated else out_name, table.columns[out_name], table.case_ids)
        result = result_to_json(analyse(data, options))
        result["unknown"] = {
            "policy": "absent" if unknown_as_absent else "excluded",
            "cases": {cid: list(names) for cid, names in table.unknown.items()},
        }
        return CaseQcaRun(table, result)
