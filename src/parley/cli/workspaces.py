"""`parley workspaces ...`: create a workspace for an owner; export one as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.cli.files import write_private_text
from parley.domain.account import SYSTEM

app = typer.Typer(help="Confidential negotiation workspaces.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Name of the negotiation process.")],
    owner: Annotated[str, typer.Option(help="The account that owns it.")],
    description: Annotated[str, typer.Option(help="One paragraph.")] = "",
) -> None:
    """Create a workspace owned by USER; prints its id.

    Example: parley workspaces create "Prison talks" --owner ana
    """
    with reported():
        ws = open_parley().workspaces.create(SYSTEM, name, description, owner=owner)
        typer.echo(ws.id)


@app.command("export")
def export(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    anonymise: Annotated[bool, typer.Option(
        "--anonymise", help="Replace personal names with stable pseudonyms.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default stdout).")
                      ] = None,
) -> None:
    """Export a workspace as JSON (audited; secret items included: you hold the master key).

    Example: parley workspaces export 3hX9... --anonymise -o talks.json
    """
    with reported():
        doc = open_parley().workspaces.export(SYSTEM, workspace_id, anonymise=anonymise)
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if output is None:
            typer.echo(text)
        else:
            write_private_text(output, text + "\n")
