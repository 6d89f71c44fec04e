"""What a command opened, closed when it ends, so an in-process call keeps nothing open.

Connections and worker processes are let go however the command ends: a command run
in-process (tests, a script calling `parley.cli.main`) leaves nothing open behind it, as one
in its own process does. Kept apart from `context` so the root command can register the
closing without importing the application (`parley --help` stays quick)."""

from __future__ import annotations

from typing import Protocol


class Closable(Protocol):
    def close(self) -> None: ...


_opened: list[Closable] = []


def close_when_done(thing: Closable) -> None:
    """Close `thing` when the running command ends."""
    _opened.append(thing)


def close_opened() -> None:
    """Close what this command opened, newest first (the root command's closing callback)."""
    while _opened:
        _opened.pop().close()
