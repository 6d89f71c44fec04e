"""`parley db ...`: migrations and the bundled case base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from parley.bootstrap import Parley
from parley.cli.context import open_parley, operator
from parley.cli.errors import reported

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply migrations and load the bundled cases (idempotent). A bundled case whose stored
    content differs from its file (changed outside a release) is restored, and audited.

    Example: PARLEY_DATABASE_URL=postgresql://localhost/parley parley db upgrade
    """
    with reported():
        parley = open_parley(upgrade=False)
        report = parley.upgrade(operator())
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        err.print(f"database at revision {parley.db.current_revision()}: "
                  f"{len(report.added)} case(s) added, {len(report.updated)} updated, "
                  f"{report.unchanged} unchanged")
        if report.restored:
            err.print(f"restored {len(report.restored)} bundled case(s) changed outside a "
                      "release to their bundled files: " + ", ".join(report.restored))


@app.command("backup")
def backup(file: Annotated[Path, typer.Argument(help="New file to write (mode 0600).")]) -> None:
    """Write an online, consistent backup (SQLite backup API; PostgreSQL: pg_dump).

    Beside it, FILE.keys.json names the master key versions it needs (key-check values, never
    keys). The master key is not in it: escrow the ring separately (parley keys export).
    Example: parley db backup /backups/parley-$(date +%F).db
    """
    with reported():
        done = open_parley(upgrade=False).maintenance.backup(file)
        Console(stderr=True).print(f"backup written to {file} ({done.size} bytes); key versions "
                                   f"it needs: {done.keys_file}")


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A file made by `parley db backup`.")],
    accept_key_mismatch: Annotated[bool, typer.Option(
        "--accept-key-mismatch",
        help="Restore even though the current key ring cannot open the backup's data keys "
             "(its workspaces stay unreadable, and the server refuses to start, until the "
             "missing key versions are imported).")] = False,
) -> None:
    """Replace the database with a backup (checked first; all or nothing), then migrate.

    Refused (exit 2, nothing changed) when the key ring, with its retired versions, cannot
    open the backup's data keys. Data keys of a retired version are re-wrapped with the
    active one, so a backup taken before `parley keys rotate` restores readable.
    Example: parley db restore /backups/parley-2026-11-25.db
    """
    with reported():
        done = open_parley(upgrade=False).maintenance.restore(
            file, operator(), accept_key_mismatch=accept_key_mismatch)
        err = Console(stderr=True)
        if not done.audited:
            err.print("[bold yellow]warning:[/] the restore is not in the audit log: its key "
                      "is wrapped by a master key version this ring lacks")
        err.print(f"restored from {file}")
        if done.problems:
            err.print("[bold yellow]warning:[/] restored with --accept-key-mismatch: "
                      + "; ".join(done.problems) + ". The server refuses to start until the "
                      "missing versions are imported (parley keys import FILE).")


@app.command("check")
def check() -> None:
    """Check the database: SQLite's integrity_check, and every item's integrity (its sealed
    body bound to workspace, id, version, kind and classification; its attachment's checksum).

    Exit 1 naming each bad item (workspace and item id) when anything fails.
    Example: parley db check
    """
    with reported():
        parley = open_parley()
        try:
            problems = _check(parley)
        finally:
            parley.close()
        if problems:
            Console(stderr=True).print(f"{problems} problem(s) found")
            raise typer.Exit(1)
        typer.echo("ok: database integrity and every item's seal")


def _check(parley: Parley) -> int:
    problems = 0
    if not parley.db.integrity_ok():
        Console(stderr=True).print("database: integrity_check failed")
        problems += 1
    bad = parley.workspaces.check()
    for item in bad:
        typer.echo(f"bad item: workspace {item.workspace_id} item {item.item_id}: {item.reason}")
    return problems + len(bad)
