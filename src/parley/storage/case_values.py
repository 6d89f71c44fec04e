"""The coded values of cases as numbers (migration 0018): what filters and facets read.

A row of `case_values` is (variable, value, case): the variable's number in `case_variables`,
then the number itself for an integer variable or else the number of its code or folded text in
`case_terms`. Numbers are handed out on first use and never change, so a query names variables
and terms by subqueries on their text (no lookup in Python, nothing cached across
transactions); a variable or term nobody has stored yet matches nothing, which is "unknown".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from parley.domain.case import Case
from parley.domain.codebook import Codebook, VarType
from parley.domain.evidence import UNKNOWN
from parley.storage.tables import CaseTermRow, CaseValueRow, CaseVariableRow

BATCH = 500
VALUES: Table = CaseValueRow.__table__  # type: ignore[assignment]

IndexedValue = tuple[str, str | None, int | None]
"""(variable, code or folded text, number): one known value of a case, as the codebook names
it. Exactly one of the last two is set, by the variable's type."""


def value_rows(case: Case, codebook: Codebook) -> list[IndexedValue]:
    """The indexed values of a case, each once: one per code, number or folded text item."""
    rows: dict[IndexedValue, None] = {}
    for name, coded in case.values.items():
        value = coded.value
        if value is UNKNOWN:
            continue
        vtype = codebook[name].type
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if vtype is VarType.INTEGER:
                rows[(name, None, int(item))] = None
            elif vtype in (VarType.TEXT, VarType.TEXT_LIST):
                rows[(name, str(item).casefold()[:500], None)] = None
            else:
                rows[(name, str(item), None)] = None
    return list(rows)


def variable_id(name: str) -> Any:
    """The number of variable `name`, as a scalar subquery (NULL until a case has it)."""
    return select(CaseVariableRow.id).where(CaseVariableRow.name == name).scalar_subquery()


def of_variable(name: str) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = CaseValueRow.variable == variable_id(name)
    return condition


def terms_where(name: str, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Rows whose value is a term of `name` meeting `condition` (on `CaseTermRow.text`)."""
    return CaseValueRow.value.in_(select(CaseTermRow.id).where(
        CaseTermRow.variable == variable_id(name), condition))


def cases_with(name: str, *conditions: ColumnElement[bool]) -> Select[Any]:
    """The cases having a value of `name` that meets `conditions`."""
    return select(CaseValueRow.case_pk).where(of_variable(name), *conditions)


class ValueWriter:
    """Writes and reads the value rows of cases inside one transaction, numbering new
    variables and terms as it meets them (insert-if-absent: concurrent writers on
    PostgreSQL agree on one number)."""

    def __init__(self, session: Session, codebook: Codebook) -> None:
        self.s = session
        self.codebook = codebook
        self._variables: dict[str, int] = {}
        self._terms: dict[tuple[int, str], int] = {}

    def _insert_absent(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        dialect = self.s.get_bind().dialect.name
        stmt = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
                ).on_conflict_do_nothing()
        self.s.execute(stmt, rows)

    def _number_variables(self, names: Iterable[str]) -> None:
        missing = sorted(set(names) - set(self._variables))
        if not missing:
            return
        self._insert_absent(CaseVariableRow.__table__, [{"name": n} for n in missing])
        for start in range(0, len(missing), BATCH):
            rows = self.s.execute(select(CaseVariableRow.name, CaseVariableRow.id).where(
                CaseVariableRow.name.in_(missing[start:start + BATCH])))
            self._variables.update({str(n): int(i) for n, i in rows})

    def _number_terms(self, pairs: Iterable[tuple[int, str]]) -> None:
        missing = sorted(set(pairs) - set(self._terms))
        if not missing:
            return
        self._insert_absent(CaseTermRow.__table__,
                            [{"variable": v, "text": t} for v, t in missing])
        by_variable: dict[int, list[str]] = {}
        for v, t in missing:
            by_variable.setdefault(v, []).append(t)
        for v, texts in by_variable.items():
            for start in range(0, len(texts), BATCH):
                rows = self.s.execute(select(CaseTermRow.text, CaseTermRow.id).where(
                    CaseTermRow.variable == v, CaseTermRow.text.in_(texts[start:start + BATCH])))
                self._terms.update({(v, str(t)): int(i) for t, i in rows})

    def insert(self, cases: Sequence[tuple[int, Case]]) -> None:
        """The value rows of each (case pk, case), as numbers."""
        indexed = [(pk, value_rows(case, self.codebook)) for pk, case in cases]
        self._number_variables(name for _, rows in indexed for name, _, _ in rows)
        self._number_terms((self._variables[name], code) for _, rows in indexed
                           for name, code, _ in rows if code is not None)
        params = []
        for pk, rows in indexed:
            for name, code, num in rows:
                var = self._variables[name]
                value = num if code is None else self._terms[(var, code)]
                params.append({"variable": var, "value": value, "case_pk": pk})
        for start in range(0, len(params), BATCH * 20):
            self.s.execute(insert(VALUES), params[start:start + BATCH * 20])

    def read(self, pks: Sequence[int]) -> dict[int, list[IndexedValue]]:
        """The stored values of the cases `pks`, sorted, as `value_rows` gives them: a row
        whose value names no term of its variable reads as a number (so an edit shows)."""
        out: dict[int, list[IndexedValue]] = {}
        for start in range(0, len(pks), BATCH):
            rows = self.s.execute(
                select(CaseValueRow.case_pk, CaseVariableRow.name, CaseTermRow.text,
                       CaseValueRow.value)
                .join(CaseVariableRow, CaseVariableRow.id == CaseValueRow.variable)
                .outerjoin(CaseTermRow, (CaseTermRow.id == CaseValueRow.value)
                           & (CaseTermRow.variable == CaseValueRow.variable))
                .where(CaseValueRow.case_pk.in_(pks[start:start + BATCH])))
            for pk, name, term, value in rows:
                out.setdefault(int(pk), []).append(
                    (str(name), None, int(value)) if term is None else (str(name), str(term), None))
        return {pk: sorted(v, key=sort_key) for pk, v in out.items()}


def sort_key(t: IndexedValue) -> tuple[str, str, int]:
    return (t[0], t[1] or "", t[2] if t[2] is not None else -(2**62))


def index_key(rows: list[IndexedValue]) -> list[IndexedValue]:
    return sorted(rows, key=sort_key)
