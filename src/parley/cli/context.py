"""Build the wired application for a command, from the environment."""

from __future__ import annotations

import getpass
from functools import cache

from parley.bootstrap import Parley
from parley.config import Settings
from parley.domain.account import Principal


@cache
def operator() -> Principal:
    """The operator at the command line: may do anything on the database it opens (it holds
    the master key anyway), and is audited as `cli:<OS user>`."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        name = "unknown"
    return Principal(f"cli:{name}"[:64], is_admin=True, system=True)


def open_parley(*, upgrade: bool = True) -> Parley:
    """Parley from PARLEY_* settings; migrates and loads bundled cases first unless told not to."""
    app = Parley.build(Settings())
    if upgrade:
        app.upgrade(operator())
    return app
