"""Accounts: users, the principal a request acts as, API tokens, sessions and the login policy.

Secrets handed to people (session cookies, API tokens, setup links) are random, shown once,
and stored only as their SHA-256; passwords are hashed by an adapter (Argon2id).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from itertools import pairwise

from parley.domain.access import AccountRole, Role, Scope, account_role
from parley.domain.errors import Problem, ValidationFailed

USERNAME_PATTERN = "[a-z0-9][a-z0-9._-]{1,63}"
USERNAME = re.compile(USERNAME_PATTERN)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MIN_DISTINCT = 5
TOKEN_PREFIX = "pt_"  # noqa: S105 - a marker, not a secret
MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True)
class LoginPolicy:
    """How many real password checks sign-in may spend, and how long things live.

    Per (account, client address): at most `max_failures` password checks per `window`; an
    attempt is reserved (counted) before its password is checked, so concurrency cannot exceed
    it. Per account, across every address that has not signed in to it successfully within
    `trusted_for`: at most `account_max` checks per `window`. A victim's own known address is
    never locked out by someone else's guessing; an attacker gets at most `account_max` guesses
    per window however many addresses they use.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    account_max: int = 20
    trusted_for: timedelta = timedelta(days=30)
    session_lifetime: timedelta = timedelta(hours=12)
    setup_lifetime: timedelta = timedelta(hours=24)
    token_lifetime: timedelta = timedelta(days=90)
    invitation_lifetime: timedelta = timedelta(days=14)

    @property
    def lockout(self) -> timedelta:
        return self.window


class AttemptVerdict(Enum):
    """What the throttle says about one sign-in attempt (decided before any password check)."""

    CHECK = "check"  # a password check was reserved
    LOCKED = "locked"  # no check: this address has used its checks for this account
    BUSY = "busy"  # no check: the account's shared budget for unknown addresses is spent


@dataclass(frozen=True)
class Reservation:
    """The throttle's verdict on one attempt; `seq` numbers the attempts of the pair."""

    verdict: AttemptVerdict
    seq: int = 0


@dataclass(frozen=True)
class Throttle:
    """The password checks spent on one (name, client) pair, or on one name ('*'), in the
    current window; `seq` counts every attempt (checked or refused) ever made on the pair."""

    window_start: datetime
    checks: int = 0
    seq: int = 0
    trusted_until: datetime | None = None


@dataclass(frozen=True)
class User:
    name: str
    is_admin: bool
    created_at: datetime
    disabled_at: datetime | None = None
    password_changed_at: datetime | None = None
    is_curator: bool = False
    language: str | None = None  # the account's language (docs/i18n.md); None: not chosen

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def account_role(self) -> AccountRole:
        return account_role(is_admin=self.is_admin, is_curator=self.is_curator)


@dataclass(frozen=True)
class Principal:
    """Who a request or command acts as. `SYSTEM` is the operator at the command line."""

    name: str
    is_admin: bool = False
    scope: Scope = Scope.WRITE
    system: bool = False
    is_curator: bool = False

    @property
    def account_role(self) -> AccountRole:
        """Curator (may change the case base), administrator (a curator too) or user."""
        return account_role(is_admin=self.is_admin, is_curator=self.is_curator)


SYSTEM = Principal("system", is_admin=True, system=True)


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (never its secret)."""

    id: str
    user: str
    label: str
    scope: Scope
    created_at: datetime
    revoked: bool
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def status(self, now: datetime) -> str:
        return "revoked" if self.revoked else "expired" if self.expired(now) else "active"


@dataclass(frozen=True)
class Invitation:
    """An owner's offer of a role in a workspace; membership starts only when accepted."""

    id: str
    workspace: str
    invitee: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime


def validate_username(name: str) -> str:
    """Exactly the pattern, nothing around it (no whitespace, no line ending, no control)."""
    if not isinstance(name, str) or USERNAME.fullmatch(name) is None:
        raise ValidationFailed([Problem(
            f"must match {USERNAME_PATTERN}: 2-64 characters, lowercase letters, digits, '.', "
            "'_' or '-', starting with a letter or digit; no spaces, line endings or other "
            "control characters", field="name")])
    return name


_EDGES = "0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?`~| "


@dataclass(frozen=True)
class PasswordRule:
    """Length, variety, and not a common password (the list is data: knowledge/)."""

    common: frozenset[str] = frozenset()

    def check(self, password: str, name: str | None = None) -> str:
        problem = self.problem(password, name)
        if problem:
            raise ValidationFailed([Problem(problem, field="password")])
        return password

    def problem(self, password: str, name: str | None = None) -> str | None:
        if len(password) < MIN_PASSWORD:
            return f"must be at least {MIN_PASSWORD} characters"
        if len(password) > MAX_PASSWORD:
            return f"must be at most {MAX_PASSWORD} characters"
        if any(ord(c) < 32 or ord(c) == 127 for c in password):
            return "must not contain control characters (line endings, tabs, ...)"
        if len(set(password)) < MIN_DISTINCT:
            return (f"needs at least {MIN_DISTINCT} different characters (not one character "
                    "repeated, nor a short pattern)")
        if _repeats_a_short_unit(password):
            return "must not be a short sequence repeated (like 'abcabcabcabc')"
        if _mostly_runs(password):
            return "is too predictable: mostly runs like 'abcd', '4321' or 'aaaa'"
        lowered = password.lower()
        core = lowered.strip(_EDGES)
        if name and name.lower() in lowered:
            return "must not contain the user name"
        if lowered in self.common or core in self.common or _halves_common(core, self.common):
            return "is one of the most common passwords (or one plus digits); choose another"
        return None


def _repeats_a_short_unit(password: str) -> bool:
    n = len(password)
    return any(n % size == 0 and password == password[:size] * (n // size)
               for size in range(1, min(n // 2, 6) + 1))


def _mostly_runs(password: str) -> bool:
    steps = [abs(ord(b) - ord(a)) for a, b in pairwise(password)]
    return sum(step <= 1 for step in steps) >= 0.75 * len(steps)


def _halves_common(core: str, common: frozenset[str]) -> bool:
    # "passwordpassword", "qwertyqwerty": a common password twice
    half = len(core) // 2
    return len(core) % 2 == 0 and core[:half] == core[half:] and core[:half] in common


def validate_password(password: str, name: str | None = None) -> str:
    """The password rule without a common-password list (see `PasswordRule`)."""
    return PasswordRule().check(password, name)


def new_secret(prefix: str = "") -> str:
    """A fresh unguessable secret (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored for a secret handed out: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
