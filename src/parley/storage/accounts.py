"""Accounts: users, login state, API tokens, sessions and the first-start setup link."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from parley.domain.access import Scope
from parley.domain.account import Principal, TokenInfo, User
from parley.domain.errors import Conflict, NotFound
from parley.storage.records import aware, now, user_row
from parley.storage.workspace_tables import SessionRow, SetupTokenRow, TokenRow, UserRow


class UserAuth:
    """What a login needs to know about an account."""

    def __init__(self, row: UserRow) -> None:
        self.name = row.name
        self.password_hash = row.password_hash
        self.is_admin = row.is_admin
        self.failed_logins = row.failed_logins
        self.locked_until = aware(row.locked_until) if row.locked_until else None



class AccountRepository:
    """Account rows inside one transaction of the confidential store."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def count_users(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def add_user(self, name: str, password_hash: str, is_admin: bool) -> User:
        if self.s.scalars(select(UserRow.pk).where(UserRow.name == name)).first() is not None:
            raise Conflict(f"user '{name}' already exists")
        row = UserRow(name=name, password_hash=password_hash, is_admin=is_admin,
                      failed_logins=0, created_at=now())
        self.s.add(row)
        self.s.flush()
        return User(row.name, row.is_admin, row.created_at)

    def users(self) -> list[User]:
        rows = self.s.scalars(select(UserRow).order_by(UserRow.name)).all()
        return [User(r.name, r.is_admin, aware(r.created_at)) for r in rows]

    def user_auth(self, name: str) -> UserAuth | None:
        row = self.s.scalars(select(UserRow).where(UserRow.name == name)).first()
        return UserAuth(row) if row else None

    def set_login_state(self, name: str, failures: int, locked_until: datetime | None) -> None:
        row = user_row(self.s, name)
        row.failed_logins = failures
        row.locked_until = locked_until

    def set_password_hash(self, name: str, password_hash: str) -> None:
        user_row(self.s, name).password_hash = password_hash

    def add_token(self, user: str, digest: str, scope: Scope, label: str) -> TokenInfo:
        row = TokenRow(id=secrets.token_hex(8), user_pk=user_row(self.s, user).pk, digest=digest,
                       scope=scope.value, label=label, created_at=now())
        self.s.add(row)
        self.s.flush()
        return TokenInfo(row.id, user, label, scope, row.created_at, False)

    def tokens(self, user: str) -> list[TokenInfo]:
        rows = self.s.scalars(select(TokenRow).where(TokenRow.user_pk == user_row(self.s, user).pk)
                              .order_by(TokenRow.pk)).all()
        return [TokenInfo(r.id, user, r.label, Scope(r.scope), aware(r.created_at),
                          r.revoked_at is not None) for r in rows]

    def revoke_token(self, user: str, token_id: str) -> None:
        row = self.s.scalars(select(TokenRow).where(
            TokenRow.id == token_id, TokenRow.user_pk == user_row(self.s, user).pk)).first()
        if row is None:
            raise NotFound(f"no token '{token_id}' of user '{user}'")
        if row.revoked_at is None:
            row.revoked_at = now()

    def token_principal(self, digest: str) -> Principal | None:
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, TokenRow.scope)
            .join(TokenRow, TokenRow.user_pk == UserRow.pk)
            .where(TokenRow.digest == digest, TokenRow.revoked_at.is_(None))).first()
        return Principal(found[0], found[1], Scope(found[2])) if found else None

    def add_session(self, user: str, digest: str, expires_at: datetime) -> None:
        self.s.add(SessionRow(digest=digest, user_pk=user_row(self.s, user).pk,
                              created_at=now(), expires_at=expires_at))

    def session_principal(self, digest: str, now: datetime) -> Principal | None:
        found = self.s.execute(
            select(UserRow.name, UserRow.is_admin, SessionRow.expires_at)
            .join(SessionRow, SessionRow.user_pk == UserRow.pk)
            .where(SessionRow.digest == digest)).first()
        if found is None or aware(found[2]) <= now:
            return None
        return Principal(found[0], found[1])

    def end_session(self, digest: str) -> None:
        self.s.execute(delete(SessionRow).where(SessionRow.digest == digest))

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
