"""Accounts: create users, log in (with lockout), API tokens, web sessions, first-start setup.

Every login, failed or not, and every token change is in the audit log. Handed-out secrets
(session cookies, tokens, setup links) are stored only as SHA-256 digests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from parley.domain.access import Scope
from parley.domain.account import (
    TOKEN_PREFIX,
    LoginPolicy,
    Principal,
    TokenInfo,
    User,
    digest,
    new_secret,
    validate_password,
    validate_username,
)
from parley.domain.audit import (
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    TokenCreated,
    TokenRevoked,
    UserCreated,
)
from parley.domain.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    Problem,
    ValidationFailed,
)
from parley.services.ports import PasswordHasher, VaultStore


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NewToken:
    """A freshly created API token: `secret` is shown once and never stored."""

    secret: str
    info: TokenInfo


class Accounts:
    """Users, credentials and sessions."""

    def __init__(self, vault: VaultStore, hasher: PasswordHasher,
                 policy: LoginPolicy | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.vault = vault
        self.hasher = hasher
        self.policy = policy or LoginPolicy()
        self.clock = clock
        self._dummy_hash: str | None = None

    def create_user(self, actor: Principal, name: str, password: str, *,
                    admin: bool = False) -> User:
        """Create an account (the operator at the CLI, an admin, or the first-start setup)."""
        if not actor.is_admin:
            raise Forbidden("only an administrator can create accounts")
        validate_username(name)
        validate_password(password)
        password_hash = self.hasher.hash(password)
        with self.vault.write() as tx:
            user = tx.accounts.add_user(name, password_hash, admin)
            tx.audit.append(actor.name, UserCreated(user=name, admin=admin))
        return user

    def users(self) -> list[User]:
        with self.vault.read() as tx:
            return tx.accounts.users()

    # -- first start -------------------------------------------------------------------------

    def needs_setup(self) -> bool:
        with self.vault.read() as tx:
            return tx.accounts.count_users() == 0

    def setup_link_token(self) -> str | None:
        """A one-time secret for the setup page, or None once any account exists."""
        secret = new_secret()
        with self.vault.write() as tx:
            if tx.accounts.count_users() > 0:
                return None
            tx.accounts.add_setup_token(digest(secret), self.clock() + self.policy.setup_lifetime)
        return secret

    def check_setup_token(self, secret: str) -> None:
        """Raise NotAuthenticated unless `secret` is a live setup token and no account exists."""
        with self.vault.read() as tx:
            valid = (tx.accounts.count_users() == 0
                     and tx.accounts.setup_token_valid(digest(secret), self.clock()))
        if not valid:
            raise NotAuthenticated("this setup link has been used or has expired")

    def complete_setup(self, secret: str, name: str, password: str) -> User:
        """Create the first administrator with a one-time setup secret."""
        validate_username(name)
        validate_password(password)
        password_hash = self.hasher.hash(password)
        with self.vault.write() as tx:
            if (tx.accounts.count_users() > 0
                    or not tx.accounts.consume_setup_token(digest(secret), self.clock())):
                raise NotAuthenticated("this setup link has been used or has expired")
            user = tx.accounts.add_user(name, password_hash, True)
            tx.accounts.clear_setup_tokens()
            tx.audit.append("setup", UserCreated(user=name, admin=True))
        return user

    # -- passwords and sessions --------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> Principal:
        """Check a password; lock the account after repeated failures. Audited either way."""
        now = self.clock()
        with self.vault.read() as tx:
            state = tx.accounts.user_auth(name)
        if state is None:
            self._equalise(password)
            with self.vault.write() as wtx:
                wtx.audit.append(name[:64] or "-", LoginFailed(user=name[:64], reason="unknown user"))
            raise NotAuthenticated("wrong user name or password")
        if state.locked_until is not None and state.locked_until > now:
            with self.vault.write() as wtx:
                wtx.audit.append(name, LoginFailed(user=name, reason="locked"))
            raise NotAuthenticated("too many failed logins: this account is locked for a while; "
                                   "try again later")
        if not self.hasher.verify(state.password_hash, password):
            failures = state.failed_logins + 1
            locked = self.policy.locked_until(failures, now)
            with self.vault.write() as wtx:
                wtx.accounts.set_login_state(name, 0 if locked else failures, locked)
                wtx.audit.append(name, LoginFailed(user=name, reason="wrong password"
                                             + ("; account locked" if locked else "")))
            raise NotAuthenticated("wrong user name or password")
        with self.vault.write() as wtx:
            wtx.accounts.set_login_state(name, 0, None)
            if self.hasher.needs_rehash(state.password_hash):
                wtx.accounts.set_password_hash(name, self.hasher.hash(password))
            wtx.audit.append(name, LoginSucceeded(user=name))
        return Principal(state.name, state.is_admin)

    def _equalise(self, password: str) -> None:
        # spend the same time on unknown users as on known ones
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("parley-dummy-password")
        self.hasher.verify(self._dummy_hash, password)

    def login(self, name: str, password: str) -> str:
        """Authenticate and open a server-side session; returns the opaque session secret."""
        principal = self.authenticate(name, password)
        secret = new_secret()
        with self.vault.write() as tx:
            tx.accounts.add_session(principal.name, digest(secret), self.clock()
                           + self.policy.session_lifetime)
        return secret

    def session(self, secret: str) -> Principal | None:
        if not secret:
            return None
        with self.vault.read() as tx:
            return tx.accounts.session_principal(digest(secret), self.clock())

    def logout(self, secret: str) -> None:
        principal = self.session(secret)
        with self.vault.write() as tx:
            tx.accounts.end_session(digest(secret))
            if principal is not None:
                tx.audit.append(principal.name, LoggedOut(user=principal.name))

    # -- API tokens --------------------------------------------------------------------------

    def create_token(self, actor: Principal, user: str, *, scope: Scope = Scope.WRITE,
                     label: str = "") -> NewToken:
        """A new API token for `user` (yourself, or anyone when the operator or an admin)."""
        if actor.name != user and not actor.is_admin:
            raise Forbidden("you can create tokens only for yourself")
        if actor.scope is not Scope.WRITE:
            raise Forbidden("a read-only token cannot create tokens")
        if len(label) > 200:
            raise ValidationFailed([Problem("longer than 200 characters", field="label")])
        secret = new_secret(TOKEN_PREFIX)
        with self.vault.write() as tx:
            info = tx.accounts.add_token(user, digest(secret), scope, label.strip())
            tx.audit.append(actor.name, TokenCreated(user=user, token=info.id, scope=scope.value))
        return NewToken(secret, info)

    def tokens(self, actor: Principal) -> list[TokenInfo]:
        with self.vault.read() as tx:
            return tx.accounts.tokens(actor.name)

    def revoke_token(self, actor: Principal, token_id: str) -> None:
        if actor.scope is not Scope.WRITE:
            raise Forbidden("a read-only token cannot revoke tokens")
        with self.vault.write() as tx:
            tx.accounts.revoke_token(actor.name, token_id)
            tx.audit.append(actor.name, TokenRevoked(user=actor.name, token=token_id))

    def token(self, secret: str) -> Principal | None:
        if not secret.startswith(TOKEN_PREFIX):
            return None
        with self.vault.read() as tx:
            return tx.accounts.token_principal(digest(secret))


def read_password(text: str) -> str:
    """The password from stdin text: the first line, without its line ending."""
    line = text.splitlines()[0] if text else ""
    if not line:
        raise InvalidInput("no password on stdin (pipe it in: echo \"$PW\" | parley users create "
                           "NAME --password-stdin)")
    return line
