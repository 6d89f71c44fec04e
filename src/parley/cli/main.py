"""The `parley` entry point.

Commands load lazily: `parley --help` lists them from `COMMANDS` without importing any, and
`parley assess ...` imports only `parley.cli.assess` (not the web app, SQLAlchemy's schema
tools, the QCA engine or the workspace vault). A command's import is most of a cold run's time
(issue 9: `parley assess` at most 0.5 s cold; issue 14: `parley --help` at most 0.3 s).
`parley.cli.main.app` is still the whole app, for tests and tools that import it.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import typer

from parley import __version__
from parley.cli.closing import close_opened
from parley.locale import DEFAULT_LANGUAGE, LANGUAGES, UnknownLanguage, set_language

HELP = "Parley: evidence-based support for negotiations with violent criminal groups."
PRIVATE_UMASK = 0o077
"""Every file Parley writes (database, WAL/SHM, backups, exports, key file) is 0600."""
COMPLETION_VARIABLE = "_PARLEY_COMPLETE"
"""Set by the shell while it asks for completions: then every command is loaded."""


@dataclass(frozen=True)
class Command:
    """Where a command lives, and the line `parley --help` shows for it."""

    module: str
    attribute: str
    group: bool
    help: str


COMMANDS: dict[str, Command] = {
    "serve": Command("parley.cli.serve", "serve", False,
                     "Serve the web app and JSON API (an embedded SQLite database by default)."),
    "assess": Command("parley.cli.assess", "assess", False,
                      "Assess a scenario file: the brief as JSON, Markdown, HTML, PDF or DOCX."),
    "evaluate": Command("parley.cli.evaluate", "evaluate", False,
                        "Score the outlook on cases it has not seen, and store the result."),
    "cases": Command("parley.cli.cases", "app", True,
                     "Browse, search, export and import the case base."),
    "db": Command("parley.cli.db", "app", True, "Database maintenance."),
    "qca": Command("parley.cli.qca", "app", True,
                   "Qualitative Comparative Analysis on a calibrated CSV (R QCA semantics)."),
    "users": Command("parley.cli.users", "app", True, "Accounts."),
    "tokens": Command("parley.cli.users", "tokens_app", True, "API tokens."),
    "workspaces": Command("parley.cli.workspaces", "app", True,
                          "Confidential negotiation workspaces."),
    "audit": Command("parley.cli.audit", "app", True, "The tamper-evident audit log."),
    "keys": Command("parley.cli.keys", "app", True, "Master keys: rotation, status, escrow."),
    "knowledge": Command("parley.cli.knowledge", "app", True,
                         "The bundled knowledge: quote checks and the quote manifest."),
    "monitor": Command("parley.cli.monitor", "app", True,
                       "Monitoring: indicator series, ITS estimates, alerts."),
}


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


def _root(
    context: typer.Context,
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the version and exit."),
    lang: str = typer.Option(
        DEFAULT_LANGUAGE, "--lang", envvar="PARLEY_LANGUAGE",
        help=f"Language of human-readable output (briefs, tables): {', '.join(LANGUAGES)}. "
        "JSON keys stay English. Example: parley --lang es assess s.yaml -f md"),
) -> None:
    os.umask(PRIVATE_UMASK)
    context.call_on_close(close_opened)
    try:
        set_language(lang)
    except UnknownLanguage as exc:
        typer.echo(f"error: --lang / PARLEY_LANGUAGE: unknown language '{lang}' "
                   f"(allowed: {', '.join(LANGUAGES)})", err=True)
        raise typer.Exit(2) from exc


def _placeholder() -> None:
    """Never runs: a command named on the command line is loaded before parsing."""
    raise RuntimeError("a command was run without being loaded")


def build(loaded: Iterable[str]) -> typer.Typer:
    """The app with the commands in `loaded` imported and the others listed by name only."""
    wanted = set(loaded)
    # The bare `parley --help` is printed by click's plain formatter: Rich's would import and
    # lay out a console for a list of thirteen lines (0.25 s of the 0.3 s budget, issue 14).
    markup: Any = "rich" if wanted else None
    app = typer.Typer(name="parley", help=HELP, no_args_is_help=True,
                      pretty_exceptions_enable=False, rich_markup_mode=markup,
                      context_settings={"max_content_width": 200})
    app.callback()(_root)
    for name, command in COMMANDS.items():
        if name in wanted:
            target: Any = getattr(importlib.import_module(command.module), command.attribute)
            if command.group:
                app.add_typer(target, name=name, help=command.help)
            else:
                app.command(name, short_help=command.help)(target)
        elif command.group:
            app.add_typer(typer.Typer(help=command.help), name=name, short_help=command.help)
        else:
            app.command(name, help=command.help, short_help=command.help)(_placeholder)
    return app


def requested_command(argv: Sequence[str]) -> str | None:
    """The command named in `argv` (after the root options), or None for none."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True  # its value follows
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def full_app() -> typer.Typer:
    """Every command loaded (tests, shell completion, a mistyped command's suggestions)."""
    return build(COMMANDS)


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return full_app()
    raise AttributeError(name)


def main(argv: Sequence[str] | None = None) -> None:
    os.umask(PRIVATE_UMASK)
    args = list(sys.argv[1:] if argv is None else argv)
    command = requested_command(args)
    if COMPLETION_VARIABLE in os.environ or (command is not None and command not in COMMANDS):
        app = full_app()
    else:
        app = build([] if command is None else [command])
    app(args=args, prog_name="parley")
