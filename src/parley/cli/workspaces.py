"""`parley workspaces ...`: create a workspace for an owner; export one as JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.cli.files import write_private_bytes, write_private_text
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


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    docx = "docx"


@app.command("report")
def report(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.html,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File or folder (default: html to stdout; pdf and docx to a "
        "file named after the workspace and the date).")] = None,
    paper: Annotated[str, typer.Option("--paper", help="A4 or Letter.")] = "A4",
    as_user: Annotated[str | None, typer.Option(
        "--as", metavar="USER", help="Produce it as this member sees it (their clearance); "
        "default: the operator, who sees everything.")] = None,
) -> None:
    """The process report: alerts, deadlines, commitments, breaches, sessions and the
    monitoring (ITS charts, before/after tables). Audited like any read of secret items.

    Example: parley workspaces report 3hX9... --format pdf --as ana -o report.pdf
    """
    from parley.domain.account import Principal
    from parley.domain.errors import InvalidInput
    from parley.render.process_report import render_report, report_filename

    with reported():
        if paper not in ("A4", "Letter"):
            raise InvalidInput(f"--paper: {paper!r}; allowed: A4, Letter")
        actor = SYSTEM if as_user is None else Principal(as_user)
        found = open_parley().process_reports.report(actor, workspace_id)
        data = render_report(found, fmt.value, "A4" if paper == "A4" else "Letter")
        if output is None and fmt is ReportFormat.html:
            typer.echo(data.decode(), nl=False)
            return
        target = output if output is not None else Path(report_filename(found, fmt.value))
        if target.is_dir():
            target = target / report_filename(found, fmt.value)
        try:
            write_private_bytes(target, data)
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror}") from exc
        typer.echo(f"wrote the {fmt.value} report to {target}", err=True)


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
