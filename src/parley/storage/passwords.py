"""Argon2id password hashing (argon2-cffi, RFC 9106 low-memory profile by default)."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """Implements services.ports.PasswordHasher. `cheap=True` is for tests only."""

    def __init__(self, *, cheap: bool = False) -> None:
        profile = profiles.CHEAPEST if cheap else profiles.RFC_9106_LOW_MEMORY
        self._ph = PasswordHasher.from_parameters(profile)

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._ph.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._ph.check_needs_rehash(password_hash)
