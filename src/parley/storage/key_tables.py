"""The master key versions the database knows (migration 0008).

One row per master key version that ever wrapped a key here: its key-check value (an HMAC
of a fixed string under the key; identifies the key, reveals nothing of it). The highest
version is the active one: every new data key is wrapped with it, and a server holding an
older ring reloads it or refuses (503) rather than wrap with a retired version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parley.storage.tables import Base, utcnow


class KeyVersionRow(Base):
    __tablename__ = "key_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    check_value: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: legacy
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
