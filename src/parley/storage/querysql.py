"""Compile a query-language AST to a SQL condition over `cases.pk`.

Semantics match `parley.domain.query.evaluate` exactly (a property test holds them together):
a variable with no row in case_values is unknown, and comparisons on unknown are false.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_, true

from parley.domain.codebook import Codebook, VarType
from parley.domain.query import And, Compare, Has, In, IsUnknown, Node, Not, Or
from parley.storage.case_values import cases_with, terms_where
from parley.storage.tables import CaseRow, CaseTermRow, CaseValueRow


def _exists(var: str, *conds: ColumnElement[bool]) -> ColumnElement[bool]:
    """Cases having a value row of `var` that meets `conds`.

    An uncorrelated `pk IN (SELECT case_pk ...)` rather than a correlated EXISTS: both
    databases evaluate it once (SQLite builds an ephemeral index, PostgreSQL a hash semi-join)
    instead of once per case, which is what keeps filters fast at 10k+ cases.
    """
    return CaseRow.pk.in_(cases_with(var, *conds))


def _key(codebook: Codebook, var: str, value: str | int) -> Any:
    vtype = codebook[var].type
    if vtype is VarType.INTEGER:
        return int(value)
    if vtype in (VarType.TEXT, VarType.TEXT_LIST):
        return str(value).casefold()
    return str(value)


LISTED_COLUMNS: dict[str, Any] = {"region": CaseRow.region, "start_year": CaseRow.start_year,
                                  "outcome_class": CaseRow.outcome_class}
"""Single-valued variables copied into indexed `cases` columns (migration 0016): compared
there, no semi-join over case_values. `country` is not here: case_values folds its case."""


def _listed(node: Node, codebook: Codebook) -> ColumnElement[bool] | None:
    """`node` on a listed column, two-valued: an unknown (NULL) value compares false, so
    that NOT of it is true, as in the domain's evaluation (and as the semi-join gives)."""
    column: Any = LISTED_COLUMNS.get(getattr(node, "var", ""))
    if column is None:
        return None
    if isinstance(node, IsUnknown):
        known: ColumnElement[bool] = column.is_not(None) if node.negate else column.is_(None)
        return known
    if isinstance(node, In):
        keys = [_key(codebook, node.var, v) for v in node.values]
        return and_(column.is_not(None), column.not_in(keys) if node.negate
                    else column.in_(keys))
    if isinstance(node, Compare):
        key = _key(codebook, node.var, node.value)
        ops = {"=": column == key, "!=": column != key, "<": column < key,
               "<=": column <= key, ">": column > key, ">=": column >= key}
        return and_(column.is_not(None), ops[node.op])
    return None


def compile_query(node: Node, codebook: Codebook) -> ColumnElement[bool]:
    """A WHERE condition selecting the cases that satisfy `node`."""
    if isinstance(node, And):
        return and_(true(), *(compile_query(n, codebook) for n in node.items))
    if isinstance(node, Or):
        return or_(*(compile_query(n, codebook) for n in node.items))
    if isinstance(node, Not):
        return not_(compile_query(node.item, codebook))
    listed = _listed(node, codebook)
    if listed is not None:
        return listed
    is_int = codebook[node.var].type is VarType.INTEGER

    def where(cond: ColumnElement[bool]) -> ColumnElement[bool]:
        """`cond` on the value: on the number itself, or on the text of its term."""
        return cond if is_int else terms_where(node.var, cond)

    col: Any = CaseValueRow.value if is_int else CaseTermRow.text
    if isinstance(node, IsUnknown):
        known = _exists(node.var)  # a row of the variable: its primary key's first column
        return known if node.negate else not_(known)
    if isinstance(node, Has):
        keys = [_key(codebook, node.var, v) for v in node.values]
        if node.mode == "all":
            return and_(*(_exists(node.var, where(col == k)) for k in keys))
        return _exists(node.var, where(col.in_(keys)))
    if isinstance(node, In):
        keys = [_key(codebook, node.var, v) for v in node.values]
        return _exists(node.var, where(col.not_in(keys) if node.negate else col.in_(keys)))
    assert isinstance(node, Compare)
    key = _key(codebook, node.var, node.value)
    ops = {
        "=": col == key, "!=": col != key, "<": col < key,
        "<=": col <= key, ">": col > key, ">=": col >= key,
    }
    return _exists(node.var, where(ops[node.op]))
