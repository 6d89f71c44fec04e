"""`parley keys ...`: rotate, status, export (escrow) and import the master key ring."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported, stderr
from parley.domain.errors import InvalidInput

app = typer.Typer(help="Master keys: rotation, status, escrow.", no_args_is_help=True)


@app.command("rotate")
def rotate() -> None:
    """Make a new master key, re-wrap every workspace's data key with it, retire the old one.

    The old versions move to `<keyfile>.retired` (0600): keep them, they open backups taken
    before now. A running server picks the new ring up from the key file by itself.
    Example: parley keys rotate && parley keys export -o /media/escrow/parley-keys
    """
    with reported():
        parley = open_parley()
        version, count = parley.keys.rotate()
        typer.echo(f"master key version {version}: {count} data key(s) re-wrapped", err=True)
        source = parley.vault.source
        if source.from_env:
            typer.echo("PARLEY_MASTER_KEY comes from the environment: set it to the new ring "
                       "below and restart the server (until then it answers 503 for new "
                       "workspaces). Keep the old value in escrow: it opens older backups.",
                       err=True)
            typer.echo(parley.vault.keyring().text().strip())
        else:
            typer.echo(f"old version(s) kept in {source.retired_path} for older backups; "
                       "escrow the ring again: parley keys export -o FILE", err=True)


@app.command("status")
def status() -> None:
    """Versions in the ring and the retired ring, versions the database uses, and what is
    missing (exit 1 if the ring cannot open the data).

    Example: parley keys status
    """
    with reported():
        report = open_parley(upgrade=True, check_keys=False).vault.status()
        typer.echo(f"key ring: {report.source}")
        for name, ring in (("ring", report.ring), ("retired", report.retired)):
            shown = ", ".join(f"{v} (check {c[:12]})" for v, c in sorted(ring.items()))
            typer.echo(f"  {name}: {shown or 'none'}"
                       + (f"; fingerprint {report.fingerprint(ring)}" if ring else ""))
        typer.echo(f"database: active version {report.active or 'none yet'}")
        for use in report.usage:
            check = use.check_value[:12] if use.check_value else "not recorded yet"
            typer.echo(f"  version {use.version}: {use.workspaces} workspace data key(s), "
                       f"check {check}")
        for problem in report.problems:
            stderr.print(f"missing: {problem}")
        if report.problems:
            raise typer.Exit(1)
        typer.echo("ok: the ring opens every key version in use")


@app.command("export")
def export(output: Annotated[Path, typer.Option("-o", "--output",
                                                help="New file to write (mode 0600).")]) -> None:
    """Write the whole ring, retired versions included, to a new file for escrow.

    Example: parley keys export -o /media/escrow/parley-keys-$(date +%F)
    """
    with reported():
        keys = open_parley(upgrade=True, check_keys=False).vault.export_key_file(output)
        stderr.print(f"[bold yellow]warning:[/] {output} holds every master key version "
                     f"({', '.join(str(v) for v in sorted(keys))}): with it, anyone holding a "
                     "backup reads every workspace. Keep it offline, apart from the backups.")


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="A file made by `parley keys export`.")]
            ) -> None:
    """Merge key versions from an export or escrow: versions the database uses go to the key
    file, older ones to the retired ring. A version that differs from one held here is
    refused (exit 2) and nothing changes.

    Example: parley keys import /media/escrow/parley-keys-2026-11-30
    """
    with reported():
        if not file.is_file():  # before the database is opened (or created, or migrated)
            raise InvalidInput(f"{file}: no such file (give a file made by `parley keys "
                               "export`)")
        parley = open_parley(upgrade=True, check_keys=False)
        to_ring, to_retired = parley.vault.import_key_file(file)
        typer.echo(f"imported version(s) {to_ring or 'none'} into the key file, "
                   f"{to_retired or 'none'} into the retired ring", err=True)
        problems = parley.vault.status().problems
        for problem in problems:
            stderr.print(f"still missing: {problem}")
        if problems:
            raise typer.Exit(1)
        parley.vault.rewrap_all()  # data keys of older versions now wrapped with the newest
