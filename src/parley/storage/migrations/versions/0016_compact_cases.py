"""A smaller, faster case base (issue 14): list rows read no document; nothing stored twice.

- `cases.country`, `region`, `start_year`, `outcome_class`: what a list row shows, so listing
  50 cases no longer reads and parses 50 whole documents; the last three are indexed, and
  filters on them compare the column instead of joining `case_values`.
- `cases.quotes_text` holds each distinct quote once (it held one copy per value the quote
  backs: a third of the cases table), so the full-text index ranks a quote once too.
- SQLite: `cases.document` is stored zlib-compressed (storage/packing.py); PostgreSQL keeps
  text, which its TOAST compresses already.
- `case_values`' two lookup indexes become partial: the code index holds only rows with a code,
  the number index only rows with a number (it held every row, nine in ten of them NULL).

Existing rows are rewritten in place (their content hash is unchanged: it is over the JSON);
the FTS triggers reindex the new quotes text. A SQLite file keeps its size until `VACUUM`
(docs/architecture.md, "Storage"). The downgrade restores every column's former content.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from parley.storage.packing import pack_document, unpack_document

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

LISTED = ("country", "region", "start_year", "outcome_class")
INDEXED = ("region", "start_year", "outcome_class")  # filtered there (storage/querysql.py)
BATCH = 500


def _text(value: Any) -> str:
    """A stored document as JSON text (compressed, with a preset dictionary or not, or not:
    the downgrade reads what later code packed)."""
    return unpack_document(value)


def _quotes(doc: dict[str, Any], distinct: bool) -> str:
    """The quotes of a case document in value order (as `Case.citations` gives them)."""
    quotes = [e["quote"] for v in doc.get("values", {}).values() if isinstance(v, dict)
              for e in v.get("evidence", []) if isinstance(e, dict) and "quote" in e]
    return "\n".join(dict.fromkeys(quotes) if distinct else quotes)


def _listed(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in LISTED:
        entry = doc.get("values", {}).get(name, "unknown")
        value = entry.get("value", "unknown") if isinstance(entry, dict) else entry
        out[name] = None if value == "unknown" or isinstance(value, list) else value
    return out


def _rewrite(forward: bool) -> None:
    """Rewrite every row's derived columns; the case base's revision (raised by trigger on
    every row written) is put back: the cases' content is what it was."""
    bind = op.get_bind()
    state = bind.execute(sa.text("SELECT revision, bundled_revision FROM case_base_state "
                                 "WHERE id = 1")).first()
    _rewrite_rows(forward)
    if state is not None:
        bind.execute(sa.text("UPDATE case_base_state SET revision = :r, bundled_revision = :b "
                             "WHERE id = 1"), {"r": state[0], "b": state[1]})


def _rewrite_rows(forward: bool) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    pks = [r[0] for r in bind.execute(sa.text("SELECT pk FROM cases ORDER BY pk"))]
    for start in range(0, len(pks), BATCH):
        chunk = pks[start:start + BATCH]
        rows = bind.execute(sa.text("SELECT pk, document FROM cases WHERE pk IN :pks")
                            .bindparams(sa.bindparam("pks", expanding=True)), {"pks": chunk})
        updates = []
        for pk, stored in rows:
            text = _text(stored)
            try:
                doc = json.loads(text)
            except ValueError:  # not Parley's JSON: left for the bundled sync to restore
                continue
            params: dict[str, Any] = {"pk": pk, "quotes": _quotes(doc, distinct=forward)}
            if forward:
                params.update(_listed(doc))
            params["document"] = pack_document(text) if sqlite and forward else text
            updates.append(params)
        if not updates:
            continue
        listed = ", ".join(f"{n} = :{n}" for n in LISTED) + ", " if forward else ""
        bind.execute(sa.text(f"UPDATE cases SET {listed}quotes_text = :quotes, "  # noqa: S608
                             "document = :document WHERE pk = :pk"), updates)


def _indexes(partial: bool) -> None:
    op.drop_index("ix_case_values_var_code", table_name="case_values")
    op.drop_index("ix_case_values_var_num", table_name="case_values")
    for name, column in (("ix_case_values_var_code", "code"), ("ix_case_values_var_num", "num")):
        where = sa.text(f"{column} IS NOT NULL") if partial else None
        op.create_index(name, "case_values", ["variable", column, "case_pk"],
                        sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    op.add_column("cases", sa.Column("country", sa.String(200), nullable=True))
    op.add_column("cases", sa.Column("region", sa.String(64), nullable=True))
    op.add_column("cases", sa.Column("start_year", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("outcome_class", sa.String(64), nullable=True))
    _rewrite(forward=True)
    for name in INDEXED:
        op.create_index(f"ix_cases_{name}", "cases", [name])
    _indexes(partial=True)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")


def downgrade() -> None:
    _indexes(partial=False)
    for name in INDEXED:
        op.drop_index(f"ix_cases_{name}", table_name="cases")
    _rewrite(forward=False)
    for name in reversed(LISTED):
        op.drop_column("cases", name)
