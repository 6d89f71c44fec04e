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

from parley.domain.access import Scope
from parley.domain.errors import Problem, ValidationFailed

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "pt_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class LoginPolicy:
    """After `max_failures` consecutive failures an account is locked for `lockout`."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(hours=12)
    setup_lifetime: timedelta = timedelta(hours=24)

    def locked_until(self, failures: int, now: datetime) -> datetime | None:
        return now + self.lockout if failures >= self.max_failures else None


@dataclass(frozen=True)
class User:
    name: str
    is_admin: bool
    created_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who a request or command acts as. `SYSTEM` is the operator at the command line."""

    name: str
    is_admin: bool = False
    scope: Scope = Scope.WRITE
    system: bool = False


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


def validate_username(name: str) -> str:
    if not USERNAME.match(name or ""):
        raise ValidationFailed([Problem(
            "must be 2-64 characters: lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit", field="name")])
    return name


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed([Problem(f"must be at least {MIN_PASSWORD} characters",
                                        field="password")])
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed([Problem(f"must be at most {MAX_PASSWORD} characters",
                                        field="password")])
    return password


def new_secret(prefix: str = "") -> str:
    """A fresh unguessable secret (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored for a secret handed out: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
