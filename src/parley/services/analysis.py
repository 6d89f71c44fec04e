"""Comparative analysis over the case base: cross-tabulations and QCA on coded variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from parley.analysis.comparison import CrispTable, CrossTab, SetDefinition, crisp_table, cross_tabulate
from parley.analysis.qca import Options, SetData, analyse_to_json
from parley.domain.case import Case
from parley.domain.errors import InvalidInput
from parley.services.cases import CaseCatalogue

MIN_CASES = 2


@dataclass(frozen=True)
class CaseQcaRun:
    """A QCA over the case base: the crisp table built from the coded cases, and the result."""

    table: CrispTable
    result: dict[str, Any]  # the QCA JSON of docs/interfaces.md, plus `unknown` reporting


def run_qca(data: SetData, options: Options, executor: Executor | None = None) -> dict[str, Any]:
    """The QCA JSON of `data`, computed by `executor` when given (its errors, a timeout included,
    raised here as if computed in this thread)."""
    if executor is None:
        return analyse_to_json(data, options)
    return executor.submit(analyse_to_json, data, options).result()


class ComparativeAnalysis:
    """Analyses over the cases `catalogue` lets its reader see.

    `executor` runs the QCA search (a server passes a process pool, so a long search does not
    hold the GIL that every other request needs); without one it runs in the calling thread.
    """

    def __init__(self, catalogue: CaseCatalogue, executor: Executor | None = None) -> None:
        self.catalogue = catalogue
        self.executor = executor

    def qca(self, data: SetData, options: Options) -> dict[str, Any]:
        return run_qca(data, options, self.executor)

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
        result = self.qca(data, options)
        left_out, kept = len(table.excluded), len(table.case_ids)
        if left_out > kept:
            result["warnings"].insert(0, (
                f"{left_out} of {left_out + kept} cases were left out because a chosen "
                f"condition or the outcome is unknown for them: the result describes the {kept} "
                "left, which may not be like the others; choose conditions coded for more "
                "cases, or count unknown as absent"))
        result["unknown"] = {
            "policy": "absent" if unknown_as_absent else "excluded",
            "cases": {cid: list(names) for cid, names in table.unknown.items()},
        }
        return CaseQcaRun(table, result)
