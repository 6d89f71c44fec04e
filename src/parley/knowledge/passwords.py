"""The bundled list of common passwords the password rule refuses (`common-passwords.txt`)."""

from __future__ import annotations

from functools import cache

from parley.domain.account import PasswordRule
from parley.knowledge.loader import _package_file

COMMON_PASSWORDS_FILE = "common-passwords.txt"


@cache
def load_common_passwords() -> frozenset[str]:
    """Lower-cased entries; lines starting with '#' (the source and licence) are skipped."""
    text = _package_file(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_rule() -> PasswordRule:
    return PasswordRule(load_common_passwords())
