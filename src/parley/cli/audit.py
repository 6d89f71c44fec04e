"""`parley audit verify`: the operator's integrity tool (keys: see keys.py)."""

from __future__ import annotations

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported, stderr

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first bad entry.

    Example: parley audit verify && echo intact
    """
    with reported():
        report = open_parley().audit.verify()
        if not report.ok:
            stderr.print(f"audit log broken at entry {report.bad} (seq {report.bad_seq}): "
                         f"{report.reason}; the {report.count - 1} entries before it verify")
            raise typer.Exit(1)
        typer.echo(f"ok: {report.count} entries, chain head {report.head}")
