"""`AccountsTx` in memory: users, sign-in throttle, tokens, sessions and setup links.

Mirrors `storage.accounts.AccountRepository` method for method; tests/services/test_ports.py
holds both to one contract.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from parley.domain.access import Scope
from parley.domain.account import Principal, Throttle, TokenInfo, User
from parley.domain.errors import Conflict, NotFound
from tests.fakes.state import State, TokenRec, UserRec, now


@dataclass
class LoginRecord:
    """`LoginState`: what signing in reads of a user (a copy)."""

    name: str
    password_hash: str
    is_admin: bool
    disabled: bool


class FakeAccounts:
    """`AccountsTx` over a `State`."""

    def __init__(self, state: State) -> None:
        self.st = state

    def _user(self, name: str) -> UserRec:
        return self.st.user(name)

    def count_users(self) -> int:
        return len(self.st.users)

    def add_user(self, name: str, password_hash: str, is_admin: bool,
                 is_curator: bool = False) -> User:
        if name in self.st.users:
            raise Conflict(f"user '{name}' already exists")
        rec = UserRec(name, password_hash, is_admin, now(), is_curator=is_curator)
        self.st.users[name] = rec
        return rec.user()

    def users(self) -> list[User]:
        return [self.st.users[n].user() for n in sorted(self.st.users)]

    def get_user(self, name: str) -> User | None:
        rec = self.st.users.get(name)
        return rec.user() if rec else None

    def user_auth(self, name: str) -> LoginRecord | None:
        rec = self.st.users.get(name)
        return LoginRecord(rec.name, rec.password_hash, rec.is_admin, rec.disabled) if rec else None

    def set_password_hash(self, name: str, password_hash: str,
                          changed_at: datetime | None = None) -> None:
        rec = self._user(name)
        rec.password_hash = password_hash
        if changed_at is not None:
            rec.password_changed_at = changed_at

    def set_disabled(self, name: str, disabled_at: datetime | None) -> None:
        self._user(name).disabled_at = disabled_at

    def set_curator(self, name: str, is_curator: bool) -> None:
        self._user(name).is_curator = is_curator

    def set_language(self, name: str, language: str | None) -> None:
        self._user(name).language = language

    def throttle(self, account: str, client: str) -> Throttle | None:
        return self.st.throttle.get((account, client))

    def set_throttle(self, account: str, client: str, state: Throttle) -> None:
        self.st.throttle[(account, client)] = replace(state)

    def purge_throttle(self, window_before: datetime, now: datetime) -> None:
        self.st.throttle = {
            k: t for k, t in self.st.throttle.items()
            if not (t.window_start < window_before
                    and (t.trusted_until is None or t.trusted_until < now))}

    def add_token(self, user: str, digest: str, scope: Scope, label: str,
                  expires_at: datetime | None = None) -> TokenInfo:
        self._user(user)
        if any(t.digest == digest for t in self.st.tokens):
            raise Conflict("the write conflicts with existing data: digest")
        rec = TokenRec(secrets.token_hex(8), user, digest, scope, label, now(), expires_at)
        self.st.tokens.append(rec)
        return rec.info()

    def tokens(self, user: str) -> list[TokenInfo]:
        self._user(user)
        return [t.info() for t in self.st.tokens if t.user == user]

    def revoke_token(self, user: str, token_id: str) -> None:
        self._user(user)
        found = [t for t in self.st.tokens if t.id == token_id and t.user == user]
        if not found:
            raise NotFound(f"no token '{token_id}' of user '{user}'")
        if found[0].revoked_at is None:
            found[0].revoked_at = now()

    def token_principal(self, digest: str, now: datetime
                        ) -> tuple[Principal, TokenInfo] | None:
        for t in self.st.tokens:
            u = self.st.users[t.user]
            if (t.digest == digest and t.revoked_at is None and not u.disabled
                    and (t.expires_at is None or t.expires_at > now)):
                return Principal(u.name, u.is_admin, t.scope, is_curator=u.is_curator), t.info()
        return None

    def touch_token(self, token_id: str, used_at: datetime) -> None:
        for t in self.st.tokens:
            if t.id == token_id:
                t.last_used_at = used_at

    def add_session(self, user: str, digest: str, expires_at: datetime) -> None:
        self._user(user)
        self.st.sessions[digest] = (user, expires_at)

    def session_principal(self, digest: str, now: datetime) -> Principal | None:
        found = self.st.sessions.get(digest)
        if found is None or found[1] <= now:
            return None
        u = self.st.users[found[0]]
        return None if u.disabled else Principal(u.name, u.is_admin, is_curator=u.is_curator)

    def end_session(self, digest: str) -> None:
        self.st.sessions.pop(digest, None)

    def end_sessions(self, user: str, keep_digest: str | None = None) -> int:
        self._user(user)
        gone = [d for d, (u, _) in self.st.sessions.items() if u == user and d != keep_digest]
        for d in gone:
            del self.st.sessions[d]
        return len(gone)

    def add_setup_token(self, digest: str, expires_at: datetime) -> None:
        self.st.setup[digest] = expires_at

    def consume_setup_token(self, digest: str, now: datetime) -> bool:
        expires = self.st.setup.pop(digest, None)
        return expires is not None and expires > now

    def setup_token_valid(self, digest: str, now: datetime) -> bool:
        expires = self.st.setup.get(digest)
        return expires is not None and expires > now

    def clear_setup_tokens(self) -> None:
        self.st.setup.clear()
