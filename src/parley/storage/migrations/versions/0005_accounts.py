"""Accounts: disable, password change, token expiry and last use, sign-in throttle, invitations.

Existing API tokens had no expiry: they get one 90 days after this upgrade (not at once, so
scripts keep working while their owners replace them).

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TOKEN_GRACE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", TS, nullable=True))
        batch.add_column(sa.Column("password_changed_at", TS, nullable=True))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", TS, nullable=True))
        batch.add_column(sa.Column("last_used_at", TS, nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", TS))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None))
               .values(expires_at=datetime.now(UTC) + TOKEN_GRACE))
    op.create_table(
        "login_throttle",
        sa.Column("pk", sa.Integer(), autoincrement=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("trusted_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_login_throttle"),
        sa.UniqueConstraint("account", "client", name="uq_login_throttle_account_client"),
    )
    op.create_index("ix_login_throttle_window_start", "login_throttle", ["window_start"])
    op.create_table(
        "invitations",
        sa.Column("pk", sa.Integer(), autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("workspace_pk", sa.Integer(), nullable=False),
        sa.Column("invitee", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invited_by", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_invitations"),
        sa.UniqueConstraint("id", name="uq_invitations_id"),
        sa.UniqueConstraint("workspace_pk", "invitee", name="uq_invitations_workspace_invitee"),
        sa.ForeignKeyConstraint(["workspace_pk"], ["workspaces.pk"], ondelete="CASCADE",
                                name="fk_invitations_workspace_pk_workspaces"),
    )
    op.create_index("ix_invitations_invitee", "invitations", ["invitee"])


def downgrade() -> None:
    op.drop_index("ix_invitations_invitee", "invitations")
    op.drop_table("invitations")
    op.drop_index("ix_login_throttle_window_start", "login_throttle")
    op.drop_table("login_throttle")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("disabled_at")
