"""The case base has a revision, and the outlook's evaluation is stored per revision.

`case_base_state` holds one row: the revision of the case base, a counter that every change of
the `cases` table raises, in the same transaction, by trigger (an import, an edit, a delete, a
visibility change, a bundled-case sync, and also an edit made outside Parley). SQLite triggers
fire per row, so a 1,000-case import raises it by 1,000; PostgreSQL's fire per statement. Only
"it grew" means anything, never by how much.

`case_base_evaluations` stores the nested evaluation of the outlook over the public case base
and the outlook fitted on it (JSON), per revision and per digest of the settings it was computed
with, with a digest of the public cases it was computed on (so a change that leaves the public
cases alone reuses it without recomputing). docs/assessment.md, "The evaluation's cache".

`bundled_digest` and `bundled_revision` record the bundled files last synced and the revision
right after: while both still hold, no bundled row can differ from its file (any change would
have raised the revision), so a command's start skips re-reading the bundled files.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_SQLITE_EVENTS = ("insert", "update", "delete")
_BUMP = "UPDATE case_base_state SET revision = revision + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "case_base_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("bundled_digest", sa.String(64), nullable=True),
        sa.Column("bundled_revision", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("id = 1", name="one_row"),
    )
    op.execute("INSERT INTO case_base_state (id, revision) VALUES (1, 1)")
    op.create_table(
        "case_base_evaluations",
        sa.Column("revision", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("settings_digest", sa.String(64), primary_key=True),
        sa.Column("public_digest", sa.String(64), nullable=False),
        sa.Column("n_public", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_case_base_evaluations_public", "case_base_evaluations",
                    ["settings_digest", "public_digest"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION parley_case_base_changed() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $$ BEGIN {_BUMP}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER cases_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   "ON cases FOR EACH STATEMENT EXECUTE FUNCTION parley_case_base_changed()")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(f"CREATE TRIGGER cases_revision_{event} AFTER {event.upper()} ON cases "
                       f"BEGIN {_BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER cases_revision ON cases")
        op.execute("DROP FUNCTION parley_case_base_changed()")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER cases_revision_{event}")
    op.drop_index("ix_case_base_evaluations_public", "case_base_evaluations")
    op.drop_table("case_base_evaluations")
    op.drop_table("case_base_state")
