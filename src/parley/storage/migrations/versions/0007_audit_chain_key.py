"""The keyed audit chain: one row holding the wrapped audit key and the signed head.

The migration cannot know the audit key (it is made from the master key ring, which Alembic
does not hold): the row is written by the first audited action after the upgrade, together with
the chain's anchor entry (`chain.rekeyed`, naming the count and head of the unkeyed entries
before it; `chain.started` on an empty log). Existing rows are not touched.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("anchor_seq", sa.Integer(), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=False),
        sa.Column("head_mac", sa.String(64), nullable=False),
        sa.Column("head_tag", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain"),
    )


def downgrade() -> None:
    op.drop_table("audit_chain")
