"""Case base: cases, their indexed values, and full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("parent_id", sa.String(200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("quotes_text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_cases"),
        sa.UniqueConstraint("id", name="uq_cases_id"),
    )
    op.create_index("ix_cases_parent_id", "cases", ["parent_id"])
    op.create_table(
        "case_values",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(64), nullable=False),
        sa.Column("code", sa.String(500), nullable=True),
        sa.Column("num", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], ondelete="CASCADE",
                                name="fk_case_values_case_pk_cases"),
        sa.PrimaryKeyConstraint("pk", name="pk_case_values"),
    )
    op.create_index("ix_case_values_var_code", "case_values", ["variable", "code", "case_pk"])
    op.create_index("ix_case_values_var_num", "case_values", ["variable", "num", "case_pk"])
    op.create_index("ix_case_values_case", "case_values", ["case_pk", "variable"])

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE cases_fts USING fts5(title, summary, quotes_text, "
            "content='cases', content_rowid='pk', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN "
            "INSERT INTO cases_fts(rowid, title, summary, quotes_text) "
            "VALUES (new.pk, new.title, new.summary, new.quotes_text); END"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN "
            "INSERT INTO cases_fts(cases_fts, rowid, title, summary, quotes_text) "
            "VALUES ('delete', old.pk, old.title, old.summary, old.quotes_text); END"
        )
        op.execute(
            "CREATE TRIGGER cases_fts_au AFTER UPDATE ON cases BEGIN "
            "INSERT INTO cases_fts(cases_fts, rowid, title, summary, quotes_text) "
            "VALUES ('delete', old.pk, old.title, old.summary, old.quotes_text); "
            "INSERT INTO cases_fts(rowid, title, summary, quotes_text) "
            "VALUES (new.pk, new.title, new.summary, new.quotes_text); END"
        )
    else:
        op.execute(
            "ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(quotes_text, '')), 'C')) STORED"
        )
        op.execute("CREATE INDEX ix_cases_search_vector ON cases USING GIN (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("cases_fts_ai", "cases_fts_ad", "cases_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS cases_fts")
    op.drop_table("case_values")
    op.drop_table("cases")
