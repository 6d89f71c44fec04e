"""Map Parley's errors to exit codes (0 ok, 2 bad input, 1 other) in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import typer

from parley.domain.errors import Conflict, InvalidInput, NotFound, ParleyError

if TYPE_CHECKING:
    from rich.console import Console


@cache
def error_console() -> Console:
    """Rich's console on stderr, made on first use (Rich's import is a cold command's cost)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def __getattr__(name: str) -> Any:
    if name == "stderr":  # `from parley.cli.errors import stderr`, as before
        return error_console()
    raise AttributeError(name)


def exit_code(exc: ParleyError) -> int:
    return 2 if isinstance(exc, InvalidInput | NotFound | Conflict) else 1


@contextmanager
def reported() -> Iterator[None]:
    """Print a ParleyError on stderr and exit with its code."""
    try:
        yield
    except ParleyError as exc:
        from parley.locale import say_error

        error_console().print(f"[bold red]error:[/] {escape(say_error(exc))}")
        raise typer.Exit(exit_code(exc)) from None


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)
