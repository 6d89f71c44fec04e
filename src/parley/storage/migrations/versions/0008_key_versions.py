"""Master key versions known to the database, with key-check values.

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-02

Runs after 0009 (the chain is linear: ... 0007, 0009, 0008): databases already at 0009 get it
too. Existing databases: one row per master key version that already wraps a key (workspace
data keys, saved assessments' data keys, the audit key), without a check value (the
migration has no key); the first start-up check fills it in after test-unwrapping a key of
that version. Idempotent: a database that already has the table keeps it and its rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("key_versions"):
        op.create_table(
            "key_versions",
            sa.Column("version", sa.Integer(), autoincrement=False),
            sa.Column("check_value", sa.String(64), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("version", name="pk_key_versions"),
        )
    op.execute("INSERT INTO key_versions (version) "
               "SELECT DISTINCT key_version FROM ("
               "SELECT key_version FROM workspaces UNION "
               "SELECT key_version FROM saved_scenarios UNION "
               "SELECT key_version FROM audit_chain) AS used "
               "WHERE key_version NOT IN (SELECT version FROM key_versions)")


def downgrade() -> None:
    op.drop_table("key_versions")
