"""Table definitions. Rows are translated to domain objects explicitly in the repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from parley.storage.packing import pack_document, unpack_document

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """A row edited in place: `version` is checked and bumped by every UPDATE (SQLAlchemy's
    version counter), so a write based on a stale read fails (StaleDataError, answered 409)
    instead of silently overwriting; `created_at` and `updated_at` say when."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - a class-level directive
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class PackedDocument(TypeDecorator[str]):
    """A case document: JSON text in Python; compressed on SQLite (storage/packing.py)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | bytes | None:
        if value is None or dialect.name != "sqlite":
            return value
        return pack_document(value)

    def process_result_value(self, value: str | bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else unpack_document(value)


class CaseRow(Versioned, Base):
    """One case. `document` is the case in interchange JSON; `case_values` index it for queries."""

    __tablename__ = "cases"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    parent_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    quotes_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # 0014: Parley's translated title and summary of a bundled case, searched too
    translated_text: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                                 server_default="")
    # 0017: its Snowball Spanish stems (domain/stemming.py), FTS5's fifth column on SQLite
    translated_stems: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                                  server_default="")
    origin: Mapped[str] = mapped_column(String(20), nullable=False)  # bundled | user
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # 0010
    visibility: Mapped[str] = mapped_column(String(16), nullable=False, default="public",
                                            index=True)  # 0010: private | workspace | public
    workspace_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 0010
    document: Mapped[str] = mapped_column(PackedDocument, nullable=False)  # 0016: packed
    # 0016: what a list row shows, so a list reads no document
    country: Mapped[str | None] = mapped_column(String(200), nullable=True)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 0019: below
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    outcome_class: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)

    # 0019: a region and a period, the list's commonest filter, with the list's order
    __table_args__ = (Index("ix_cases_region_period", "region", "start_year", "id"),)


class CaseVariableRow(Base):
    """A codebook variable's number in `case_values` (migration 0018): assigned once, on the
    first value stored, never changed (a variable no case has yet has no row: unknown)."""

    __tablename__ = "case_variables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)


class CaseTermRow(Base):
    """A code or folded text of one variable, numbered once for `case_values` (0018)."""

    __tablename__ = "case_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    variable: Mapped[int] = mapped_column(ForeignKey("case_variables.id"), nullable=False)
    text: Mapped[str] = mapped_column(String(500), nullable=False)

    __table_args__ = (UniqueConstraint("variable", "text"),)


class CaseValueRow(Base):
    """One known value of one variable of one case, as three integers (migration 0018): the
    variable's number, then the number itself (integer variables) or its term's number, then
    the case. Absent = unknown. The primary key is the lookup of filters and facets (SQLite
    stores the table as that index: WITHOUT ROWID); a second index finds a case's rows."""

    __tablename__ = "case_values"

    variable: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_pk: Mapped[int] = mapped_column(
        ForeignKey("cases.pk", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )

    __table_args__ = (Index("ix_case_values_case", "case_pk"), {"sqlite_with_rowid": False})


class CaseBaseStateRow(Base):
    """The one row holding the case base's revision, raised by trigger on every change of
    `cases` (migration 0012)."""

    __tablename__ = "case_base_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigInteger, nullable=False)
    bundled_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bundled_revision: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class CaseBaseEvaluationRow(Base):
    """The outlook's evaluation over the public cases of one revision, for one settings digest
    (JSON in `result`, with the outlook fitted on the same cases)."""

    __tablename__ = "case_base_evaluations"

    revision: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    settings_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    n_public: Mapped[int] = mapped_column(Integer, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False)

    __table_args__ = (Index("ix_case_base_evaluations_public", "settings_digest",
                            "public_digest"),)


__all__ = ["Base", "CaseBaseEvaluationRow", "CaseBaseStateRow", "CaseRow", "CaseTermRow",
           "CaseValueRow", "CaseVariableRow", "Text"]
