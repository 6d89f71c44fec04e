"""Stable pseudonyms for personal names in exports.

A pseudonym is derived with HMAC-SHA-256 under a per-workspace secret, so the same name gets
the same pseudonym in every export of that workspace, but pseudonyms cannot be reversed by
hashing a list of candidate names without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any


def pseudonym(name: str, secret: bytes) -> str:
    """`Person-XXXXXXXX`: stable for (name, secret); case and spacing do not matter."""
    key = " ".join(name.split()).casefold().encode("utf-8")
    return "Person-" + hmac.new(secret, key, hashlib.sha256).hexdigest()[:8].upper()


class Pseudonymiser:
    """Replaces every occurrence of the given names, in any string of a JSON-like value."""

    def __init__(self, names: Iterable[str], secret: bytes) -> None:
        unique = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
        self.mapping = {n.casefold(): pseudonym(n, secret) for n in unique}
        self._pattern = (
            re.compile("|".join(r"\b" + re.escape(n) + r"\b" for n in unique), re.IGNORECASE)
            if unique else None
        )

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self.mapping[m.group(0).casefold()], value)

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.apply(v) for v in value]
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        return value
