"""Build the wired application for a command, from the environment."""

from __future__ import annotations

from parley.bootstrap import Parley
from parley.config import Settings


def open_parley(*, upgrade: bool = True) -> Parley:
    """Parley from PARLEY_* settings; migrates and loads bundled cases first unless told not to."""
    app = Parley.build(Settings())
    if upgrade:
        app.upgrade()
    return app
