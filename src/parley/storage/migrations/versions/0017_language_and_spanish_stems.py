"""The language as an account preference, and Spanish stemming on SQLite (issue 13).

`users.language` (NULL: none chosen; otherwise a code of `parley.locale.LANGUAGES`): the
account's language, which wins over the switch's cookie and the browser (docs/i18n.md).

`cases.translated_stems`: the Snowball Spanish stems of `translated_text`
(`domain/stemming.py`), filled by the bundled-case sync; on SQLite the FTS5 table gets it as a
fifth column, which queries search with their words stemmed the same way. On PostgreSQL
`search_vector` gains the same stems under the `simple` configuration (its own `spanish` one,
an older Snowball run after `unaccent`, misses "negociación" -> "negociaciones"), so both
engines compare the same stems. The stems are filled by the next sync (every start,
`parley db upgrade`), not here: the migration holds no stemmer.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_FTS_COLUMNS = "title, summary, quotes_text, translated_text, translated_stems"
_OLD_FTS_COLUMNS = "title, summary, quotes_text, translated_text"
TRIGGERS = ("cases_fts_ai", "cases_fts_ad", "cases_fts_au")


def _sqlite_fts(columns: str) -> None:
    """The FTS table and its triggers over `columns` (fixed names, never user input)."""
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS cases_fts")
    op.execute(
        f"CREATE VIRTUAL TABLE cases_fts USING fts5({columns}, "
        "content='cases', content_rowid='pk', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    op.execute(f"CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN "  # noqa: S608
               f"INSERT INTO cases_fts(rowid, {columns}) VALUES (new.pk, {new}); END")
    op.execute(f"CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN "  # noqa: S608
               f"INSERT INTO cases_fts(cases_fts, rowid, {columns}) "
               f"VALUES ('delete', old.pk, {old}); END")
    op.execute(f"CREATE TRIGGER cases_fts_au AFTER UPDATE ON cases BEGIN "  # noqa: S608
               f"INSERT INTO cases_fts(cases_fts, rowid, {columns}) "
               f"VALUES ('delete', old.pk, {old}); "
               f"INSERT INTO cases_fts(rowid, {columns}) VALUES (new.pk, {new}); END")
    op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(16), nullable=True))
    op.add_column("cases", sa.Column("translated_stems", sa.Text(), nullable=False,
                                     server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts(_FTS_COLUMNS)
    else:
        _pg_vector(with_stems=True)


def _pg_vector(*, with_stems: bool) -> None:
    stems = (" || setweight(to_tsvector('simple', coalesce(translated_stems, '')), 'B')"
             if with_stems else "")
    op.execute("DROP INDEX IF EXISTS ix_cases_search_vector")
    op.execute("ALTER TABLE cases DROP COLUMN search_vector")
    op.execute(
        "ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', parley_unaccent(coalesce(title, ''))), 'A') || "
        "setweight(to_tsvector('english', parley_unaccent(coalesce(summary, ''))), 'B') || "
        "setweight(to_tsvector('english', parley_unaccent(coalesce(quotes_text, ''))), 'C') || "
        "setweight(to_tsvector('spanish', parley_unaccent(coalesce(translated_text, ''))), 'B')"
        f"{stems}) STORED"
    )
    op.execute("CREATE INDEX ix_cases_search_vector ON cases USING GIN (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # the FTS table and its triggers name the column: drop them before it
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS cases_fts")
        with op.batch_alter_table("cases", recreate="never") as batch:
            batch.drop_column("translated_stems")
        _sqlite_fts(_OLD_FTS_COLUMNS)
    else:
        _pg_vector(with_stems=False)
        op.drop_column("cases", "translated_stems")
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("language")
