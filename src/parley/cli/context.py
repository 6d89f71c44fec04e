"""Build the wired application for a command, from the environment."""

from __future__ import annotations

from parley.bootstrap import Parley
from parley.config import Settings


def open_parley(*, upgrade: bool = True, check_keys: bool | None = None) -> Parley:
    """Parley from PARLEY_* settings; migrates and loads bundled cases first unless told not to,
    then (by default when migrated) checks that the master key ring opens the encrypted data
    (exit 1 naming the key file and the recovery otherwise; no key file is ever created here).
    """
    app = Parley.build(Settings())
    if upgrade:
        app.upgrade()
    if upgrade if check_keys is None else check_keys:
        app.check_keys()
    return app
