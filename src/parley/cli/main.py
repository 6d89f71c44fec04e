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
) -> None:
    os.umask(PRIVATE_UMASK)
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    os.umask(PRIVATE_UMASK)
    app()
