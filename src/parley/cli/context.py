"""Build the wired application for a command, from the environment."""

from __future__ import annotations

import getpass
from functools import cache

from parley.bootstrap import Parley, Settings
from parley.cli.closing import close_when_done
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


def open_parley(*, upgrade: bool = True, check_keys: bool | None = None) -> Parley:
    """Parley from PARLEY_* settings; migrates and loads bundled cases first unless told not to,
    then (by default when migrated) checks that the master key ring opens the encrypted data
    (exit 1 naming the key file and the recovery otherwise; no key file is ever created here).
    """
    parley = closed_with_command(Parley.build())
    parley.background = False  # the command exits: `parley evaluate` recomputes, not a thread
    if upgrade:
        parley.upgrade(operator())
    if upgrade if check_keys is None else check_keys:
        parley.check_keys()
    return parley


def open_reader() -> Parley:
    """Parley for a command that only reads (cases list/show/search/export, assess, qca cases):
    the database as it is, never migrated and without the migration's write lock, so a
    read is quick and cannot race a writer. A missing, foreign or behind database is refused
    (exit 2 or 1) naming `parley db upgrade`, and is left exactly as it was."""
    parley = closed_with_command(
        Parley.open_current(Settings(), upgrade_hint="`parley db upgrade`"))
    parley.background = False
    return parley


def closed_with_command(parley: Parley) -> Parley:
    """`parley`, to be closed when the running command ends (cli/closing.py)."""
    close_when_done(parley)
    return parley
