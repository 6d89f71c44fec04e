"""Search for Spanish speakers: Parley's Spanish titles and summaries are indexed, and search
ignores accents and case on both engines.

`cases.translated_text` holds the translated titles and summaries of a bundled case (filled by
the bundled-case sync that `parley db upgrade` and every start run; empty for user cases).

SQLite: the FTS5 table is recreated with a fourth column for it, still with the
`porter unicode61 remove_diacritics 2` tokenizer ("carcel" finds "cárcel" and back), and its
triggers; the index is rebuilt from `cases`.

PostgreSQL: `parley_unaccent(text)`, an IMMUTABLE wrapper of the `unaccent` extension (so a
generated column may use it), folds accents on both sides of every search. CREATE EXTENSION
needs a role allowed to create it (a superuser, or the database owner on PostgreSQL 13+ for
this trusted extension); where that fails the wrapper is the identity, searches stay
accent-sensitive and the migration says so on stderr; docs/i18n.md gives the three statements an
administrator runs later to turn it on. `search_vector` is regenerated: English text with the
English stemmer, Spanish text with the Spanish one.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sys

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_FTS_COLUMNS = "title, summary, quotes_text, translated_text"
_OLD_FTS_COLUMNS = "title, summary, quotes_text"
TRIGGERS = ("cases_fts_ai", "cases_fts_ad", "cases_fts_au")

UNACCENT_MISSING = (
    "parley: the PostgreSQL extension 'unaccent' could not be created ({error}); case search "
    "stays accent-sensitive on this database. Ask an administrator to run "
    "`CREATE EXTENSION unaccent;` in it and follow docs/i18n.md, \"Accent-insensitive search\"."
)


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


def _create_unaccent() -> bool:
    """CREATE EXTENSION unaccent inside a savepoint, so a refusal leaves the migration going."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")).first():
        return True
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        error = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(UNACCENT_MISSING.format(error=error), file=sys.stderr, flush=True)
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    op.add_column("cases", sa.Column("translated_text", sa.Text(), nullable=False,
                                     server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts(_FTS_COLUMNS)
        return
    if _create_unaccent():
        schema = op.get_bind().execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'")).scalar_one()
        body = f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    else:
        body = "SELECT $1"
    op.execute("CREATE OR REPLACE FUNCTION parley_unaccent(text) RETURNS text "
               f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$")
    op.execute("DROP INDEX IF EXISTS ix_cases_search_vector")
    op.execute("ALTER TABLE cases DROP COLUMN search_vector")
    op.execute(
        "ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', parley_unaccent(coalesce(title, ''))), 'A') || "
        "setweight(to_tsvector('english', parley_unaccent(coalesce(summary, ''))), 'B') || "
        "setweight(to_tsvector('english', parley_unaccent(coalesce(quotes_text, ''))), 'C') || "
        "setweight(to_tsvector('spanish', parley_unaccent(coalesce(translated_text, ''))), 'B')"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_cases_search_vector ON cases USING GIN (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts_down()
        return
    op.execute("DROP INDEX IF EXISTS ix_cases_search_vector")
    op.execute("ALTER TABLE cases DROP COLUMN search_vector")
    op.execute(
        "ALTER TABLE cases ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
        "setweight(to_tsvector('english', coalesce(quotes_text, '')), 'C')) STORED"
    )
    op.execute("CREATE INDEX ix_cases_search_vector ON cases USING GIN (search_vector)")
    op.execute("DROP FUNCTION IF EXISTS parley_unaccent(text)")
    op.drop_column("cases", "translated_text")


def _sqlite_fts_down() -> None:
    # The FTS table and its triggers name translated_text: drop them before the column.
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS cases_fts")
    op.drop_column("cases", "translated_text")
    _sqlite_fts(_OLD_FTS_COLUMNS)
