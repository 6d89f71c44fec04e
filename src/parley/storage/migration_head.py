"""The migrations' head, read from the migration files' text (no SQLAlchemy, no Alembic).

Importing Alembic costs about a tenth of a second of every command's start, and the cold
`parley assess` path (`parley.quick`) must know whether a file is at the head without it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from parley.domain.errors import ConfigurationError

_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


@cache
def head_revision() -> str:
    """The newest migration's id: the one no other revises."""
    versions = resources.files("parley.storage").joinpath("migrations", "versions")
    ids: set[str] = set()
    revised: set[str] = set()
    for entry in versions.iterdir():
        if not entry.name.endswith(".py"):
            continue
        found = dict(_REVISION.findall(entry.read_text(encoding="utf-8")))
        ids.add(found["revision"])
        if found.get("down_revision"):
            revised.add(found["down_revision"])
    heads = ids - revised
    if len(heads) != 1:
        raise ConfigurationError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()
