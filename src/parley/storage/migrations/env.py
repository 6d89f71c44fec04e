"""Alembic environment: runs on the connection Parley passes in (config.attributes)."""

from __future__ import annotations

from typing import Any

from alembic import context

from parley.storage.tables import Base

target_metadata = Base.metadata
FTS_NAMES = ("cases_fts",)


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Hide the hand-written full-text objects from autogenerate (it would drop them)."""
    return not (type_ == "table" and name and name.startswith(FTS_NAMES))


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `parley db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
