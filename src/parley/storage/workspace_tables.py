"""Tables of accounts, workspaces, items and the audit log (migration 0003).

Confidential text never has a column of its own: a workspace's name and description, and the
fields of restricted and secret items, live in sealed blobs (see `keys.py`). Editable rows carry
a `version` used by SQLAlchemy's optimistic locking.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from parley.storage.tables import Base, Versioned, utcnow


class UserRow(Base):
    __tablename__ = "users"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                         nullable=True)  # 0005
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                 nullable=True)  # 0005
    is_curator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 0010
    # 0017: the account's language (a code of parley.locale.LANGUAGES); NULL: none chosen
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)


class TokenRow(Base):
    __tablename__ = "api_tokens"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"),
                                         nullable=False, index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    scope: Mapped[str] = mapped_column(String(16), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                        nullable=True)  # 0005
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)  # 0005


class SessionRow(Base):
    __tablename__ = "web_sessions"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"),
                                         nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SetupTokenRow(Base):
    __tablename__ = "setup_tokens"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class LoginThrottleRow(Base):
    """Password checks reserved per (submitted user name, client address) and per name ('*')
    in the current window (migration 0005). Names need not exist: unknown names are throttled
    exactly like real ones, so the answers do not tell them apart."""

    __tablename__ = "login_throttle"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64), nullable=False)
    client: Mapped[str] = mapped_column(String(64), nullable=False)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                   index=True)
    checks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    trusted_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)

    __table_args__ = (UniqueConstraint("account", "client",
                                       name="uq_login_throttle_account_client"),)


class WorkspaceRow(Versioned, Base):
    __tablename__ = "workspaces"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # name + description
    data_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # wrapped
    key_version: Mapped[int] = mapped_column(Integer, nullable=False)


class MemberRow(Base):
    __tablename__ = "workspace_members"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_pk: Mapped[int] = mapped_column(ForeignKey("workspaces.pk", ondelete="CASCADE"),
                                              nullable=False)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"),
                                         nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)

    __table_args__ = (UniqueConstraint("workspace_pk", "user_pk",
                                       name="uq_workspace_members_workspace_user"),)


class InvitationRow(Base):
    """A pending invitation to a workspace (migration 0005); deleted when answered. The
    invitee is a name, not a user row: inviting a name that does not exist looks the same."""

    __tablename__ = "invitations"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    workspace_pk: Mapped[int] = mapped_column(ForeignKey("workspaces.pk", ondelete="CASCADE"),
                                              nullable=False)
    invitee: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    invited_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (UniqueConstraint("workspace_pk", "invitee",
                                       name="uq_invitations_workspace_invitee"),)


class ItemRow(Versioned, Base):
    __tablename__ = "workspace_items"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    workspace_pk: Mapped[int] = mapped_column(ForeignKey("workspaces.pk", ondelete="CASCADE"),
                                              nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # "leniency-condition"
    classification: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # 0x00 JSON | sealed JSON
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class AttachmentRow(Base):
    __tablename__ = "attachments"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("workspace_items.pk", ondelete="CASCADE"),
                                         unique=True, nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # 0x00 raw | sealed


class AuditRow(Base):
    """Append-only: triggers reject UPDATE and DELETE (migration 0003)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    workspace: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditChainRow(Base):
    """The audit chain's key and signed head: one row (migration 0007).

    `wrapped_key` is the random audit key sealed by the master key ring (`key_version`) with
    associated data `audit-key|<anchor_seq>`; `head_*` is the newest entry, signed with a key
    derived from the audit key, updated by every append.
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    key_version: Mapped[int] = mapped_column(Integer, nullable=False)
    anchor_seq: Mapped[int] = mapped_column(Integer, nullable=False)
    head_seq: Mapped[int] = mapped_column(Integer, nullable=False)
    head_mac: Mapped[str] = mapped_column(String(64), nullable=False)
    head_tag: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndicatorSeriesRow(Versioned, Base):
    """One indicator series of a workspace (migration 0013): locality, indicator, settings and
    observations live in the sealed body, bound to workspace, id, version and classification."""

    __tablename__ = "indicator_series"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    workspace_pk: Mapped[int] = mapped_column(ForeignKey("workspaces.pk", ondelete="CASCADE"),
                                              nullable=False, index=True)
    classification: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # BOUND || sealed JSON
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
