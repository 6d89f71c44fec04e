"""Helpers shared by the confidential store's repositories: clock, ids, versions, row lookups."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.domain.errors import Conflict, NotFound
from parley.storage.workspace_tables import UserRow

PLAIN = b"\x00"


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def new_id() -> str:
    """96 random bits, URL-safe, never starting with '-' or '_' (a CLI would read an option)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if candidate[0].isalnum():
            return candidate


def user_row(session: Session, name: str) -> UserRow:
    row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
    if row is None:
        raise NotFound(f"no user '{name}'")
    return row


def check_version(what: str, ident: str, current: int, expected: int) -> None:
    if current != expected:
        raise Conflict(f"{what} '{ident}' was changed by someone else (version {current}, "
                       f"yours {expected}); reload it and apply your change again")
