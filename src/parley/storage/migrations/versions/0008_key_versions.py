"""Master key versions known to the database, with key-check values.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Existing databases: one row per key version already used by a workspace, without a check
value (the migration has no key); the first start-up check fills it in after test-unwrapping
a data key with that version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_versions",
        sa.Column("version", sa.Integer(), autoincrement=False),
        sa.Column("check_value", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("version", name="pk_key_versions"),
    )
    op.execute("INSERT INTO key_versions (version) "
               "SELECT DISTINCT key_version FROM workspaces")


def downgrade() -> None:
    op.drop_table("key_versions")
