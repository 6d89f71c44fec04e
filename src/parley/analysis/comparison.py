"""Comparative views over cases: cross-tabulations, and crisp sets defined by queries (for QCA).

Pure: takes cases and parsed queries, returns plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parley.domain.case import Case
from parley.domain.codebook import Codebook, Variable
from parley.domain.errors import InvalidInput
from parley.domain.evidence import UNKNOWN
from parley.domain.query import Node, evaluate, variables_of

UNKNOWN_LABEL = "unknown"


@dataclass(frozen=True)
class CrossTab:
    """Counts and case ids for each (row code, column code); list variables count each code."""

    row: Variable
    col: Variable
    row_codes: tuple[str, ...]
    col_codes: tuple[str, ...]
    cells: Mapping[tuple[str, str], tuple[str, ...]]
    n_cases: int

    def count(self, r: str, c: str) -> int:
        return len(self.cells.get((r, c), ()))

    def row_total(self, r: str) -> int:
        return len({i for c in self.col_codes for i in self.cells.get((r, c), ())})

    def col_total(self, c: str) -> int:
        return len({i for r in self.row_codes for i in self.cells.get((r, c), ())})


def _codes_of(case: Case, var: Variable) -> list[str]:
    value = case.value(var.name)
    if value is UNKNOWN:
        return [UNKNOWN_LABEL]
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return [str(value)]


def cross_tabulate(cases: Sequence[Case], codebook: Codebook, row: str, col: str,
                   include_unknown: bool = True) -> CrossTab:
    """Cross-tabulate two code variables."""
    variables = []
    for name in (row, col):
        var = codebook.get(name)
        if var is None or not var.coded or not var.type.has_codes:
            allowed = ", ".join(v.name for v in codebook.coded if v.type.has_codes)
            raise InvalidInput(f"'{name}' is not a variable with codes; allowed: {allowed}")
        variables.append(var)
    rv, cv = variables
    cells: dict[tuple[str, str], list[str]] = {}
    for case in cases:
        for r in _codes_of(case, rv):
            for c in _codes_of(case, cv):
                cells.setdefault((r, c), []).append(case.id)
    extra = (UNKNOWN_LABEL,) if include_unknown else ()
    row_codes = (*rv.codes, *extra)
    col_codes = (*cv.codes, *extra)
    kept = {k: tuple(v) for k, v in cells.items() if k[0] in row_codes and k[1] in col_codes}
    return CrossTab(rv, cv, tuple(row_codes), tuple(col_codes), kept, len(cases))


@dataclass(frozen=True)
class SetDefinition:
    """A crisp set over cases: present when `query` holds; unknown if it mentions an unknown."""

    name: str
    label: str
    query: Node
    text: str
    why: str = ""


@dataclass(frozen=True)
class CrispTable:
    """Cases with a 0/1 membership in every condition and the outcome, and those left out."""

    conditions: tuple[str, ...]
    outcome: str
    case_ids: tuple[str, ...]
    columns: Mapping[str, tuple[int, ...]]
    unknown: Mapping[str, tuple[str, ...]]  # case id -> the sets that were unknown for it
    unknown_as_absent: bool = False

    @property
    def excluded(self) -> tuple[str, ...]:
        """Cases left out because a membership was unknown (none when unknown counts as 0)."""
        return () if self.unknown_as_absent else tuple(self.unknown)


def membership(definition: SetDefinition, case: Case) -> int | None:
    row = {name: coded.value for name, coded in case.values.items()}
    if any(row.get(v, UNKNOWN) is UNKNOWN for v in variables_of(definition.query)):
        return None
    return 1 if evaluate(definition.query, row) else 0


def crisp_table(cases: Sequence[Case], conditions: Sequence[SetDefinition],
                outcome: SetDefinition, unknown_as_absent: bool = False) -> CrispTable:
    """Memberships of each case; a case with any unknown membership is excluded and reported,
    unless `unknown_as_absent` (then unknown counts as 0, an explicit and reported choice)."""
    ids: list[str] = []
    columns: dict[str, list[int]] = {d.name: [] for d in (*conditions, outcome)}
    unknowns: dict[str, tuple[str, ...]] = {}
    for case in cases:
        values = {d.name: membership(d, case) for d in (*conditions, outcome)}
        unknown = tuple(n for n, v in values.items() if v is None)
        if unknown:
            unknowns[case.id] = unknown
            if not unknown_as_absent:
                continue
        ids.append(case.id)
        for name, v in values.items():
            columns[name].append(v or 0)
    return CrispTable(tuple(d.name for d in conditions), outcome.name, tuple(ids),
                      {k: tuple(v) for k, v in columns.items()}, unknowns, unknown_as_absent)
