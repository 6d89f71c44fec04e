"""A saved assessment may be shared with a workspace (its members then read it by their role).

A nullable `workspace_pk` on `saved_scenarios`; existing rows stay their author's alone, their
seals unchanged (the workspace enters a row's associated data only when it is set).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_scenarios") as batch:
        batch.add_column(sa.Column("workspace_pk", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_saved_scenarios_workspace_pk_workspaces", "workspaces",
                                 ["workspace_pk"], ["pk"], ondelete="SET NULL")
        batch.create_index("ix_saved_scenarios_workspace_pk", ["workspace_pk"])


def downgrade() -> None:
    with op.batch_alter_table("saved_scenarios") as batch:
        batch.drop_index("ix_saved_scenarios_workspace_pk")
        batch.drop_constraint("fk_saved_scenarios_workspace_pk_workspaces", type_="foreignkey")
        batch.drop_column("workspace_pk")
