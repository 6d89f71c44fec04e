"""Saved assessments belong to an author and are sealed; old plaintext rows are removed.

The old rows hold a scenario in plaintext and have no author. A migration cannot encrypt them
(the master key is not the database's) and there is nobody to give them to, so they are
removed, with a notice naming how many, and overwritten on SQLite (secure_delete); on
PostgreSQL the dropped table's files are unlinked. docs/security.md ("Saved assessments").

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sys

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    old = bind.execute(sa.text("SELECT COUNT(*) FROM saved_scenarios")).scalar() or 0
    if old:
        print(f"parley: removed {old} saved assessment(s) stored in plaintext without an "
              "author (saved assessments are now sealed and belong to a signed-in author; "
              "see docs/security.md, 'Saved assessments')", file=sys.stderr, flush=True)
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("PRAGMA secure_delete=ON")).close()  # zero the freed pages
        bind.execute(sa.text("DELETE FROM saved_scenarios"))
    op.drop_table("saved_scenarios")
    op.create_table(
        "saved_scenarios",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("author_pk", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("data_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_saved_scenarios"),
        sa.UniqueConstraint("id", name="uq_saved_scenarios_id"),
        sa.ForeignKeyConstraint(["author_pk"], ["users.pk"], ondelete="CASCADE",
                                name="fk_saved_scenarios_author_pk_users"),
    )
    op.create_index("ix_saved_scenarios_author_pk", "saved_scenarios", ["author_pk"])


def downgrade() -> None:
    op.drop_index("ix_saved_scenarios_author_pk", "saved_scenarios")
    op.drop_table("saved_scenarios")
    op.create_table(
        "saved_scenarios",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_saved_scenarios"),
        sa.UniqueConstraint("id", name="uq_saved_scenarios_id"),
    )
