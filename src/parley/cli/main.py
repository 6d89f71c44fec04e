"""The `parley` entry point."""

from __future__ import annotations

import os

import typer

from parley import __version__
from parley.cli import (
    assess,
    audit,
    cases,
    db,
    evaluate,
    keys,
    knowledge,
    monitor,
    qca,
    serve,
    users,
    workspaces,
)
from parley.locale import DEFAULT_LANGUAGE, LANGUAGES, UnknownLanguage, set_language

app = typer.Typer(
    name="parley",
    help="Parley: evidence-based support for negotiations with violent criminal groups.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(cases.app, name="cases")
app.add_typer(db.app, name="db")
app.command("serve")(serve.serve)
app.command("assess")(assess.assess)
app.command("evaluate")(evaluate.evaluate)
app.add_typer(qca.app, name="qca")
app.add_typer(users.app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(workspaces.app, name="workspaces")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(knowledge.app, name="knowledge")
app.add_typer(monitor.app, name="monitor")


PRIVATE_UMASK = 0o077
"""Every file Parley writes (database, WAL/SHM, backups, exports, key file) is 0600."""


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    lang: str = typer.Option(
        DEFAULT_LANGUAGE, "--lang", envvar="PARLEY_LANGUAGE",
        help=f"Language of human-readable output (briefs, tables): {', '.join(LANGUAGES)}. "
        "JSON keys stay English. Example: parley --lang es assess s.yaml -f md"),
) -> None:
    os.umask(PRIVATE_UMASK)
    try:
        set_language(lang)
    except UnknownLanguage as exc:
        typer.echo(f"error: --lang / PARLEY_LANGUAGE: unknown language '{lang}' "
                   f"(allowed: {', '.join(LANGUAGES)})", err=True)
        raise typer.Exit(2) from exc
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    os.umask(PRIVATE_UMASK)
    app()
