"""The coded values as numbers (issue 14: the database at most twice the flat file's size).

`case_values` held, per known value, a row id, the variable's name, the code (or folded text)
or the number, and the case, then the same again in three indexes: 42 of a 10,000-case SQLite
file's 76 MB. Now each row is three integers: the variable's number (`case_variables`), the
number itself or the number of its term (`case_terms`: each code or folded text once per
variable), and the case. Its primary key (variable, value, case) is the lookup of filters and
facets; SQLite stores the table as that index (WITHOUT ROWID), and one more index finds a
case's rows. The same rows, and so the same answers, on both databases.

A value given twice in one case's list (the same text up to case) was two rows; it is one now,
as a facet counts cases. A SQLite file keeps its size until `VACUUM` (docs/architecture.md,
"Storage"). The downgrade restores the former table and its indexes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

STAGING = "case_values_0018"


def _case_values_new() -> None:
    op.create_table(
        "case_values",
        sa.Column("variable", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("value", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("case_pk", sa.Integer(), nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint("variable", "value", "case_pk", name="pk_case_values"),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE",
                                name="fk_case_values_case_pk_cases"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_case_values_case", "case_values", ["case_pk"])


def _case_values_old() -> None:
    op.create_table(
        "case_values",
        sa.Column("pk", sa.Integer(), autoincrement=True),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(64), nullable=False),
        sa.Column("code", sa.String(500), nullable=True),
        sa.Column("num", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_case_values"),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE",
                                name="fk_case_values_case_pk_cases"),
    )
    for name, column in (("ix_case_values_var_code", "code"), ("ix_case_values_var_num", "num")):
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "case_values", ["variable", column, "case_pk"],
                        sqlite_where=where, postgresql_where=where)
    op.create_index("ix_case_values_case", "case_values", ["case_pk", "variable"])


def upgrade() -> None:
    op.create_table(
        "case_variables",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_variables"),
        sa.UniqueConstraint("name", name="uq_case_variables_name"),
    )
    op.create_table(
        "case_terms",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("variable", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_terms"),
        sa.UniqueConstraint("variable", "text", name="uq_case_terms_variable"),
        sa.ForeignKeyConstraint(["variable"], ["case_variables.id"],
                                name="fk_case_terms_variable_case_variables"),
    )
    op.execute("INSERT INTO case_variables (name) "
               "SELECT DISTINCT variable FROM case_values ORDER BY variable")
    op.execute("INSERT INTO case_terms (variable, text) "
               "SELECT DISTINCT v.id, cv.code FROM case_values cv "
               "JOIN case_variables v ON v.name = cv.variable WHERE cv.code IS NOT NULL "
               "ORDER BY v.id, cv.code")
    op.execute(f"CREATE TABLE {STAGING} AS "  # noqa: S608 - constant names
               "SELECT DISTINCT v.id AS variable, coalesce(cv.num, t.id) AS value, "
               "cv.case_pk AS case_pk FROM case_values cv "
               "JOIN case_variables v ON v.name = cv.variable "
               "LEFT JOIN case_terms t ON t.variable = v.id AND t.text = cv.code "
               "WHERE coalesce(cv.num, t.id) IS NOT NULL")
    op.drop_table("case_values")
    _case_values_new()
    op.execute("INSERT INTO case_values (variable, value, case_pk) "  # noqa: S608 - constant
               f"SELECT variable, value, case_pk FROM {STAGING} "
               "ORDER BY variable, value, case_pk")
    op.drop_table(STAGING)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")


def downgrade() -> None:
    op.execute(f"CREATE TABLE {STAGING} AS "  # noqa: S608 - constant names
               "SELECT cv.case_pk AS case_pk, v.name AS variable, t.text AS code, "
               "CASE WHEN t.id IS NULL THEN cv.value END AS num FROM case_values cv "
               "JOIN case_variables v ON v.id = cv.variable "
               "LEFT JOIN case_terms t ON t.id = cv.value AND t.variable = cv.variable")
    op.drop_table("case_values")
    _case_values_old()
    op.execute("INSERT INTO case_values (case_pk, variable, code, num) "  # noqa: S608
               f"SELECT case_pk, variable, code, num FROM {STAGING} "
               "ORDER BY case_pk, variable")
    op.drop_table(STAGING)
    op.drop_table("case_terms")
    op.drop_table("case_variables")
