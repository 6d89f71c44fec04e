"""The case base is curated: curator accounts; each case has an owner and a visibility.

`users.is_curator`: only curators and administrators change the case base. `cases.owner`,
`cases.visibility` (private, workspace, public) and `cases.workspace_id` (the workspace a case
is shared with). Cases stored before this revision were readable by everyone, so they stay
public, without an owner; bundled ids are brought back to the bundled files by the
`parley db upgrade` that runs this migration (docs/security.md, "The case base").

Plain ADD COLUMN, never a table rebuild: SQLite's full-text index and its triggers hang on the
`cases` table.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("is_curator", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("cases", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("cases", sa.Column("visibility", sa.String(16), nullable=False,
                                     server_default="public"))
    op.add_column("cases", sa.Column("workspace_id", sa.String(64), nullable=True))
    op.create_index("ix_cases_visibility", "cases", ["visibility"])
    op.create_index("ix_cases_owner", "cases", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_cases_owner", "cases")
    op.drop_index("ix_cases_visibility", "cases")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_column("workspace_id")
        batch.drop_column("visibility")
        batch.drop_column("owner")
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("is_curator")
