"""Accounts: users, sign-in throttle, API tokens, sessions and the first-start setup link."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from parley.domain.access import Scope
from parley.domain.account import Principal, Throttle, TokenInfo, User
from parley.domain.errors import Conflict, NotFound
from parley.storage.records import aware, now, user_row
from parley.storage.workspace_tables import (
    LoginThrottleRow,
    SessionRow,
    SetupTokenRow,
    TokenRow,
    UserRow,
)


def _opt(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


class UserAuth:
    """What a sign-in needs to know about an account."""

    def __init__(self, row: UserRow) -> None:
        self.name = row.name
        self.password_hash = row.password_hash
        self.is_admin = row.is_admin
        self.disabled = row.disabled_at is not None


def _user(row: UserRow) -> User:
    return User(row.name, row.is_admin, aware(row.created_at), _opt(row.disabled_at),
                _opt(row.password_changed_at), bool(row.is_curator), row.language or None)


def _token(row: TokenRow, user: str) -> TokenInfo:
    return TokenInfo(row.id, user, row.label, Scope(row.scope), aware(row.created_at),
                     row.revoked_at is not None, _opt(row.expires_at), _opt(row.last_used_at))


class AccountRepository:
    """Account rows inside one transaction of the confidential store."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def count_users(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def add_user(self, name: str, password_hash: str, is_admin: bool,
                 is_curator: bool = False) -> User:
        if self.s.scalars(select(UserRow.pk).where(UserRow.name == name)).first() is not None:
            raise Conflict(f"user '{name}' already exists")
        row = UserRow(name=name, password_hash=password_hash, is_admin=is_admin,
                      is_curator=is_curator, failed_logins=0, created_at=now())
        self.s.add(row)
        self.s.flush()
        return _user(row)

    def users(self) -> list[User]:
        rows = self.s.scalars(select(UserRow).order_by(UserRow.name)).all()
        return [_user(r) for r in rows]

    def get_user(self, name: str) -> User | None:
        row = self.s.scalars(select(UserRow).where(UserRow.name == name)).first()
        return _user(row) if row else None

    def user_auth(self, name: str) -> UserAuth | None:
        row = self.s.scalars(select(UserRow).where(UserRow.name == name)).first()
        return UserAuth(row) if row else None

    def set_password_hash(self, name: str, password_hash: str, changed_at: datetime | None = None
                          ) -> None:
        row = user_row(self.s, name)
        row.password_hash = password_hash
        if changed_at is not None:
            row.password_changed_at = changed_at

    def set_disabled(self, name: str, disabled_at: datetime | None) -> None:
        user_row(self.s, name).disabled_at = disabled_at

    def set_curator(self, name: str, is_curator: bool) -> None:
        user_row(self.s, name).is_curator = is_curator

    def set_language(self, name: str, language: str | None) -> None:
        user_row(self.s, name).language = language

    # -- sign-in throttle ------------------------------------------------------------------

    def throttle(self, account: str, client: str) -> Throttle | None:
        """The pair's counters, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite
        writes are serialised by BEGIN IMMEDIATE)."""
        row = self.s.scalars(select(LoginThrottleRow).where(
            LoginThrottleRow.account == account, LoginThrottleRow.client == client)
            .with_for_update()).first()
        if row is None:
            return None
        return Throttle(aware(row.window_start), row.checks, row.seq, _opt(row.trusted_until))

    def set_throttle(self, account: str, client: str, state: Throttle) -> None:
        row = self.s.scalars(select(LoginThrottleRow).where(
            LoginThrottleRow.account == account, LoginThrottleRow.client == client)).first()
        if row is None:
            row = LoginThrottleRow(account=account, client=client)
            self.s.add(row)
        row.window_start = state.window_start
        row.checks = state.checks
        row.seq = state.seq
        row.trusted_until = state.trusted_until
        self.s.flush()

    def purge_throttle(self, window_before: datetime, now: datetime) -> None:
        """Forget pairs whose window has passed and that are not trusted."""
        self.s.execute(delete(LoginThrottleRow).where(
            LoginThrottleRow.window_start < window_before,
            or_(LoginThrottleRow.trusted_until.is_(None),
                LoginThrottleRow.trusted_until < now)))

    # -- API tokens ------------------------------------------------------------------------

    def add_token(self, user: str, digest: str, scope: Scope, label: str,
                  expires_at: datetime | None = None) -> TokenInfo:
        row = TokenRow(id=secrets.token_hex(8), user_pk=user_row(self.s, user).pk, digest=digest,
                       scope=scope.value, label=label, created_at=now(), expires_at=expires_at)
        self.s.add(row)
        self.s.flush()
        return _token(row, user)

    def tokens(self, user: str) -> list[TokenInfo]:
        rows = self.s.scalars(select(TokenRow).where(TokenRow.user_pk == user_row(self.s, user).pk)
                              .order_by(TokenRow.pk)).all()
        return [_token(r, user) for r in rows]

    def revoke_token(self, user: str, token_id: str) -> None:
        row = self.s.scalars(select(TokenRow).where(
            TokenRow.id == token_id, TokenRow.user_pk == user_row(self.s, user).pk)).first()
        if row is None:
            raise NotFound(f"no token '{token_id}' of user '{user}'")
        if row.revoked_at is None:
            row.revoked_at = now()

    def token_principal(self, digest: str, now: datetime) -> tuple[Principal, TokenInfo] | None:
        """The principal of a live token (not revoked, not expired, user not disabled)."""
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, UserRow.is_curator, TokenRow)
            .join(TokenRow, TokenRow.user_pk == UserRow.pk)
            .where(TokenRow.digest == digest, TokenRow.revoked_at.is_(None),
                   UserRow.disabled_at.is_(None),
                   or_(TokenRow.expires_at.is_(None), TokenRow.expires_at > now))).first()
        if found is None:
            return None
        name, is_admin, is_curator, row = found
        return (Principal(name, is_admin, Scope(row.scope), is_curator=bool(is_curator)),
                _token(row, name))

    def touch_token(self, token_id: str, used_at: datetime) -> None:
        self.s.execute(update(TokenRow).where(TokenRow.id == token_id)
                       .values(last_used_at=used_at))

    # -- web sessions ----------------------------------------------------------------------

    def add_session(self, user: str, digest: str, expires_at: datetime) -> None:
        self.s.add(SessionRow(digest=digest, user_pk=user_row(self.s, user).pk,
                              created_at=now(), expires_at=expires_at))

    def session_principal(self, digest: str, now: datetime) -> Principal | None:
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, SessionRow.expires_at, UserRow.is_curator)
            .join(SessionRow, SessionRow.user_pk == UserRow.pk)
            .where(SessionRow.digest == digest, UserRow.disabled_at.is_(None))).first()
        if found is None or aware(found[2]) <= now:
            return None
        return Principal(found[0], found[1], is_curator=bool(found[3]))

    def end_session(self, digest: str) -> None:
        self.s.execute(delete(SessionRow).where(SessionRow.digest == digest))

    def end_sessions(self, user: str, keep_digest: str | None = None) -> int:
        """End every session of `user` (but `keep_digest`); returns how many ended."""
        pk = user_row(self.s, user).pk
        condition = SessionRow.user_pk == pk
        if keep_digest is not None:
            condition = and_(condition, SessionRow.digest != keep_digest)
        done = self.s.execute(delete(SessionRow).where(condition))
        return int(getattr(done, "rowcount", 0) or 0)

    # -- first start -----------------------------------------------------------------------

    def add_setup_token(self, digest: str, expires_at: datetime) -> None:
        self.s.add(SetupTokenRow(digest=digest, expires_at=expires_at))

    def consume_setup_token(self, digest: str, now: datetime) -> bool:
        row = self.s.scalars(select(SetupTokenRow).where(SetupTokenRow.digest == digest)).first()
        if row is None:
            return False
        self.s.delete(row)
        return aware(row.expires_at) > now

    def setup_token_valid(self, digest: str, now: datetime) -> bool:
        expires = self.s.scalar(select(SetupTokenRow.expires_at)
                                .where(SetupTokenRow.digest == digest))
        return expires is not None and aware(expires) > now

    def clear_setup_tokens(self) -> None:
        self.s.execute(delete(SetupTokenRow))
