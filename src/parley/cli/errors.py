"""Map Parley's errors to exit codes (0 ok, 2 bad input, 1 other) in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from parley.domain.errors import Conflict, InvalidInput, NotFound, ParleyError

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def exit_code(exc: ParleyError) -> int:
    return 2 if isinstance(exc, InvalidInput | NotFound | Conflict) else 1


@contextmanager
def reported() -> Iterator[None]:
    """Print a ParleyError on stderr and exit with its code."""
    try:
        yield
    except ParleyError as exc:
        stderr.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(exit_code(exc)) from None


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)
