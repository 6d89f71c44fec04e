"""`parley audit verify` and `parley keys rotate`: the operator's integrity tools."""

from __future__ import annotations

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported, stderr

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Master keys.", no_args_is_help=True)


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


@keys_app.command("rotate")
def rotate() -> None:
    """Make a new master key, re-wrap every workspace's data key with it, retire the old one.

    Example: parley keys rotate   (then back up the key file again)
    """
    with reported():
        parley = open_parley()
        version, count = parley.keys.rotate()
        ring = parley.vault.keyring()
        typer.echo(f"master key version {version}: {count} data key(s) re-wrapped", err=True)
        if ring.path is None:
            typer.echo("PARLEY_MASTER_KEY comes from the environment: set it to the new ring "
                       "below before the next start (the old key no longer opens anything)",
                       err=True)
            typer.echo(ring.text().strip())
