"""The workspace's item kinds in the paper's terms (issue 11): the `kind` column widens from 16
to 32 characters ("leniency-condition" is 18). PostgreSQL enforces the length and is altered in
place; SQLite ignores a VARCHAR's length, so its table is left as it is (rebuilding it in batch
mode would drop and copy the table, and a drop cascades to the attachments). Rows are not
touched here: items of older kinds (`party`, an incident of type breach) are re-sealed in
today's shape at start-up, which holds the key ring (the kind is bound into each sealed body,
so SQL alone cannot change it).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _kind_length(length: int, was: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("workspace_items", "kind", existing_type=sa.String(was),
                        type_=sa.String(length), existing_nullable=False)


def upgrade() -> None:
    _kind_length(32, 16)


def downgrade() -> None:
    _kind_length(16, 32)
