"""Indicator series per workspace (issue 12, monitoring).

One row per series; its locality, indicator, settings and observations are in a sealed body
bound to the workspace, the series id, the row version and the classification, like items.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_series",
        sa.Column("pk", sa.Integer(), autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("workspace_pk", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_indicator_series"),
        sa.UniqueConstraint("id", name="uq_indicator_series_id"),
        sa.ForeignKeyConstraint(["workspace_pk"], ["workspaces.pk"], ondelete="CASCADE",
                                name="fk_indicator_series_workspace_pk_workspaces"),
    )
    op.create_index("ix_indicator_series_workspace_pk", "indicator_series", ["workspace_pk"])


def downgrade() -> None:
    op.drop_index("ix_indicator_series_workspace_pk", "indicator_series")
    op.drop_table("indicator_series")
