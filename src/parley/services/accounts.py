"""Accounts: users, sign-in (throttled per account and address), passwords, sessions, tokens.

Every sign-in, failed or not, and every credential change is in the audit log. Handed-out
secrets (session cookies, tokens, setup links) are stored only as SHA-256 digests.

Sign-in throttle (docs/security.md, "Accounts"): an attempt is *reserved* in one write
transaction before its password is checked, so concurrent attempts cannot spend more real
password checks than the policy allows. Unknown user names go through exactly the same steps
(one reservation, one hash verification, one audit entry), so the answer and its timing do
not tell whether an account exists.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from parley.domain.access import Scope
from parley.domain.account import (
    MAX_TOKEN_DAYS,
    TOKEN_PREFIX,
    AttemptVerdict,
    LoginPolicy,
    PasswordRule,
    Principal,
    Reservation,
    Throttle,
    TokenInfo,
    User,
    digest,
    new_secret,
    validate_username,
)
from parley.domain.audit import (
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    PasswordChanged,
    SessionsRevoked,
    TokenCreated,
    TokenRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserLanguageChanged,
    UserRoleChanged,
)
from parley.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    Problem,
    ValidationFailed,
)
from parley.services.ports import PasswordHasher, VaultStore

WRONG = "wrong user name or password"
LOCKED = ("sign-in locked for this user name from your address: too many attempts; try again "
          "in {minutes} minutes")
BUSY = ("sign-in paused for this user name: too many attempts from addresses it has not "
        "signed in from before; try again in {minutes} minutes, or from a device you have "
        "signed in with")
DISABLED = "this account is disabled; ask an administrator"
ANYWHERE = "*"
TOKEN_TOUCH = timedelta(minutes=1)


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
                 clock: Callable[[], datetime] = utcnow,
                 passwords: PasswordRule | None = None,
                 languages: Collection[str] = ("en",)) -> None:
        self.vault = vault
        self.languages = tuple(languages)  # the codes an account may choose (bootstrap wires
        # parley.locale.LANGUAGES; services sit below the locale package)
        self.hasher = hasher
        self.policy = policy or LoginPolicy()
        self.clock = clock
        self.passwords = passwords or PasswordRule()
        self._dummy_hash: str | None = None

    # -- users -------------------------------------------------------------------------------

    def create_user(self, actor: Principal, name: str, password: str, *,
                    admin: bool = False, curator: bool = False) -> User:
        """Create an account (the operator at the CLI, an admin, or the first-start setup);
        `curator`: it may change the case base."""
        if not actor.is_admin:
            raise Forbidden("only an administrator can create accounts")
        validate_username(name)
        self.passwords.check(password, name)
        password_hash = self.hasher.hash(password)
        with self.vault.write() as tx:
            user = tx.accounts.add_user(name, password_hash, admin, curator)
            tx.audit.append(actor.name, UserCreated(user=name, admin=admin))
            if curator:
                tx.audit.append(actor.name, UserRoleChanged(user=name, role="curator"))
        return user

    def set_curator(self, actor: Principal, name: str, curator: bool) -> User:
        """Make an account a curator (it may change the case base) or a plain user again
        (the operator, or an admin); audited. Takes effect at the account's next request."""
        _require_admin(actor, "make accounts curators")
        with self.vault.write() as tx:
            if tx.accounts.get_user(name) is None:
                raise NotFound(f"no user '{name}'")
            tx.accounts.set_curator(name, curator)
            tx.audit.append(actor.name, UserRoleChanged(
                user=name, role="curator" if curator else "user"))
            result = tx.accounts.get_user(name)
        assert result is not None
        return result

    def set_language(self, actor: Principal, name: str, language: str | None) -> User:
        """Choose an account's language (None or "": none; the browser and the server decide
        again). The account itself, or an administrator; audited when it changes."""
        if actor.name != name or actor.system:
            _require_admin(actor, "choose another account's language")
        _require_write(actor)
        chosen = (language or "").strip().lower() or None
        if chosen is not None and chosen not in self.languages:
            raise InvalidInput(f"language: unknown language '{language}' "
                               f"(allowed: {', '.join(self.languages)})")
        with self.vault.write() as tx:
            target = tx.accounts.get_user(name)
            if target is None:
                raise NotFound(f"no user '{name}'")
            if target.language != chosen:
                tx.accounts.set_language(name, chosen)
                tx.audit.append(actor.name, UserLanguageChanged(user=name,
                                                                language=chosen or ""))
            result = tx.accounts.get_user(name)
        assert result is not None
        return result

    def users(self) -> list[User]:
        with self.vault.read() as tx:
            return tx.accounts.users()

    def user(self, name: str) -> User:
        with self.vault.read() as tx:
            found = tx.accounts.get_user(name)
        if found is None:
            raise NotFound(f"no user '{name}'")
        return found

    def set_disabled(self, actor: Principal, name: str, disabled: bool) -> User:
        """Disable (sessions end at once; tokens stop working) or enable an account (admins)."""
        _require_admin(actor, "disable or enable accounts")
        if disabled and actor.name == name and not actor.system:
            raise Conflict("you cannot disable your own account")
        now = self.clock()
        with self.vault.write() as tx:
            target = tx.accounts.get_user(name)
            if target is None:
                raise NotFound(f"no user '{name}'")
            if disabled and target.is_admin and not target.disabled:
                enabled_admins = [u for u in tx.accounts.users() if u.is_admin and not u.disabled]
                if len(enabled_admins) <= 1:
                    raise Conflict("this is the last enabled administrator; enable or create "
                                   "another administrator first")
            if disabled:
                if not target.disabled:
                    tx.accounts.set_disabled(name, now)
                ended = tx.accounts.end_sessions(name)
                tx.audit.append(actor.name, UserDisabled(user=name, sessions_ended=ended))
            else:
                tx.accounts.set_disabled(name, None)
                tx.audit.append(actor.name, UserEnabled(user=name))
            result = tx.accounts.get_user(name)
        assert result is not None
        return result

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
        self.passwords.check(password, name)
        password_hash = self.hasher.hash(password)
        with self.vault.write() as tx:
            if (tx.accounts.count_users() > 0
                    or not tx.accounts.consume_setup_token(digest(secret), self.clock())):
                raise NotAuthenticated("this setup link has been used or has expired")
            user = tx.accounts.add_user(name, password_hash, True)
            tx.accounts.clear_setup_tokens()
            tx.audit.append("setup", UserCreated(user=name, admin=True))
        return user

    # -- signing in --------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, client: str = "local") -> Principal:
        """Check a password under the sign-in throttle. Audited either way.

        Known and unknown names take the same path: one reservation transaction, one hash
        verification, one more transaction, the same messages.
        """
        dummy = self._dummy()
        account, client = name[:64], (client or "-")[:64]
        reservation, state = self._reserve(account, client, name)
        minutes = int(self.policy.window.total_seconds() // 60)
        if reservation.verdict is not AttemptVerdict.CHECK:
            self.hasher.verify(dummy, password)  # the same work as a real check
            raise NotAuthenticated((LOCKED if reservation.verdict is AttemptVerdict.LOCKED
                                    else BUSY).format(minutes=minutes))
        real = state is not None
        ok = self.hasher.verify(state[0] if state is not None else dummy, password) and real
        if not ok:
            with self.vault.write() as tx:
                tx.audit.append(account or "-", LoginFailed(
                    user=account, reason="wrong password" if real else "unknown user"))
            raise NotAuthenticated(WRONG)
        assert state is not None
        password_hash, is_admin, disabled = state
        now = self.clock()
        with self.vault.write() as tx:
            if disabled:
                tx.audit.append(name, LoginFailed(user=name, reason="account disabled"))
            else:
                # refund this attempt's own check; failures of the window still count (a
                # reset would let a burst that holds the right password restart its count)
                pair = tx.accounts.throttle(account, client) or Throttle(now)
                tx.accounts.set_throttle(account, client, replace(
                    pair, checks=max(0, pair.checks - 1),
                    trusted_until=now + self.policy.trusted_for))
                if self.hasher.needs_rehash(password_hash):
                    tx.accounts.set_password_hash(name, self.hasher.hash(password))
                tx.audit.append(name, LoginSucceeded(user=name))
        if disabled:
            raise NotAuthenticated(DISABLED)
        return Principal(name, is_admin)

    def _reserve(self, account: str, client: str, name: str
                 ) -> tuple[Reservation, tuple[str, bool, bool] | None]:
        """Count the attempt (and decide any lock) in one write transaction, before any
        password is checked; returns the verdict and (hash, is_admin, disabled) if known."""
        policy = self.policy
        for attempt in range(3):
            try:
                with self.vault.write() as tx:
                    now = self.clock()
                    tx.accounts.purge_throttle(now - policy.window, now)
                    pair = _fresh(tx.accounts.throttle(account, client), now, policy.window)
                    seq = pair.seq + 1
                    verdict = AttemptVerdict.CHECK
                    if pair.checks >= policy.max_failures:
                        verdict = AttemptVerdict.LOCKED
                    elif pair.trusted_until is None or pair.trusted_until <= now:
                        shared = _fresh(tx.accounts.throttle(account, ANYWHERE), now,
                                        policy.window)
                        if shared.checks >= policy.account_max:
                            verdict = AttemptVerdict.BUSY
                        else:
                            tx.accounts.set_throttle(account, ANYWHERE,
                                                     replace(shared, checks=shared.checks + 1))
                    checks = pair.checks + (1 if verdict is AttemptVerdict.CHECK else 0)
                    tx.accounts.set_throttle(account, client, replace(pair, checks=checks,
                                                                       seq=seq))
                    found = tx.accounts.user_auth(name)
                    state = (found.password_hash, found.is_admin, found.disabled) if found else None
                    if verdict is not AttemptVerdict.CHECK:
                        tx.audit.append(account or "-", LoginFailed(
                            user=account, reason=f"throttled ({verdict.value})"))
                return Reservation(verdict, seq), state
            except Conflict:  # two processes created the same throttle row: count again
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _dummy(self) -> str:
        # a hash with the same parameters as real ones: unknown names cost the same time
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("parley-dummy-password")
        return self._dummy_hash

    def login(self, name: str, password: str, client: str = "local") -> str:
        """Authenticate and open a server-side session; returns the opaque session secret."""
        principal = self.authenticate(name, password, client)
        return self._open_session(principal.name)

    def _open_session(self, name: str) -> str:
        secret = new_secret()
        with self.vault.write() as tx:
            tx.accounts.add_session(name, digest(secret),
                                    self.clock() + self.policy.session_lifetime)
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

    def revoke_sessions(self, actor: Principal, user: str) -> int:
        """Sign `user` out everywhere (yourself, or anyone when an admin); how many ended."""
        if actor.name != user:
            _require_admin(actor, "sign other users out")
        _require_write(actor)
        with self.vault.write() as tx:
            ended = tx.accounts.end_sessions(user)
            tx.audit.append(actor.name, SessionsRevoked(user=user, sessions_ended=ended))
        return ended

    # -- passwords ---------------------------------------------------------------------------

    def change_password(self, actor: Principal, current: str, new: str, *,
                        client: str = "local", reopen: bool = False) -> str | None:
        """Change your own password (the current one is checked under the sign-in throttle).

        Every session of the account ends; with `reopen` a fresh session is returned for the
        browser that made the change.
        """
        _require_write(actor)
        if actor.system:
            raise Forbidden("the operator sets passwords with `parley users password NAME`")
        self.passwords.check(new, actor.name)
        if current == new:
            raise ValidationFailed([Problem("must differ from the current password",
                                            field="new_password")])
        try:
            self.authenticate(actor.name, current, client)
        except NotAuthenticated as exc:
            raise ValidationFailed([Problem(
                "is not your current password" if str(exc) == WRONG else str(exc),
                field="current_password")]) from None
        self._store_password(actor, actor.name, new)
        return self._open_session(actor.name) if reopen else None

    def set_password(self, actor: Principal, name: str, new: str) -> None:
        """Set another account's password (the operator or an admin); its sessions end."""
        _require_admin(actor, "set other users' passwords")
        self.passwords.check(new, name)
        self._store_password(actor, name, new)

    def _store_password(self, actor: Principal, name: str, new: str) -> None:
        new_hash = self.hasher.hash(new)
        with self.vault.write() as tx:
            tx.accounts.set_password_hash(name, new_hash, self.clock())
            ended = tx.accounts.end_sessions(name)
            tx.audit.append(actor.name, PasswordChanged(user=name, sessions_ended=ended))

    # -- API tokens --------------------------------------------------------------------------

    def create_token(self, actor: Principal, user: str, *, scope: Scope = Scope.WRITE,
                     label: str = "", expires_days: int | None = None) -> NewToken:
        """A new API token for `user` (yourself, or anyone when the operator or an admin)."""
        if actor.name != user and not actor.is_admin:
            raise Forbidden("you can create tokens only for yourself")
        if actor.scope is not Scope.WRITE:
            raise Forbidden("a read-only token cannot create tokens")
        if len(label) > 200:
            raise ValidationFailed([Problem("longer than 200 characters", field="label")])
        days = self.policy.token_lifetime.days if expires_days is None else expires_days
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise ValidationFailed([Problem(f"must be a whole number of days from 1 to "
                                            f"{MAX_TOKEN_DAYS}", field="expires_days")])
        secret = new_secret(TOKEN_PREFIX)
        with self.vault.write() as tx:
            info = tx.accounts.add_token(user, digest(secret), scope, label.strip(),
                                         self.clock() + timedelta(days=days))
            tx.audit.append(actor.name, TokenCreated(user=user, token=info.id, scope=scope.value))
        return NewToken(secret, info)

    def tokens(self, actor: Principal) -> list[TokenInfo]:
        with self.vault.read() as tx:
            return tx.accounts.tokens(actor.name)

    def revoke_token(self, actor: Principal, token_id: str) -> None:
        _require_write(actor)
        with self.vault.write() as tx:
            tx.accounts.revoke_token(actor.name, token_id)
            tx.audit.append(actor.name, TokenRevoked(user=actor.name, token=token_id))

    def token(self, secret: str) -> Principal | None:
        """The principal of a live token; its last use is recorded (to the minute)."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        now = self.clock()
        with self.vault.read() as tx:
            found = tx.accounts.token_principal(digest(secret), now)
        if found is None:
            return None
        principal, info = found
        if info.last_used_at is None or now - info.last_used_at >= TOKEN_TOUCH:
            with self.vault.write() as tx:
                tx.accounts.touch_token(info.id, now)
        return principal


def _fresh(state: Throttle | None, now: datetime, window: timedelta) -> Throttle:
    """The counters for the current window (a passed window starts again at zero)."""
    if state is None:
        return Throttle(now)
    if state.window_start <= now - window:
        return replace(state, window_start=now, checks=0)
    return state


def _require_admin(actor: Principal, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"only an administrator can {what}")
    _require_write(actor)


def _require_write(actor: Principal) -> None:
    if actor.scope is not Scope.WRITE:
        raise Forbidden("a read-only token cannot change accounts or sessions")


def read_password(text: str) -> str:
    """The password from stdin text: the first line, without its line ending."""
    line = text.splitlines()[0] if text else ""
    if not line:
        raise InvalidInput("no password on stdin (pipe it in: echo \"$PW\" | parley users create "
                           "NAME --password-stdin)")
    return line
