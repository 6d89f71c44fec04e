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
        app_ = open_parley(upgrade=False)
        report = app_.upgrade(operator())
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        err.print(f"database at revision {app_.db.current_revision()}: "
                  f"{len(report.added)} case(s) added, {len(report.updated)} updated, "
                  f"{report.unchanged} unchanged")
        if report.restored:
            err.print(f"restored {len(report.restored)} bundled case(s) changed outside a "
                      "release to their bundled files: " + ", ".join(report.restored))


@app.command("backup")
def backup(file: Annotated[Path, typer.Argument(help="New file to write.")]) -> None:
    """Write an online, consistent backup (SQLite backup API; PostgreSQL: pg_dump).

    The master key is not in it: back up the key file separately.
    Example: parley db backup /backups/parley-$(date +%F).db
    """
    from parley.storage.backup import backup as run_backup

    with reported():
        size = run_backup(open_parley(upgrade=False).db, file)
        Console(stderr=True).print(f"backup written to {file} ({size} bytes)")


@app.command("restore")
def restore(file: Annotated[Path, typer.Argument(help="A file made by `parley db backup`.")]
            ) -> None:
    """Replace the database with a backup (checked first; all or nothing), then migrate.

    Example: parley db restore /backups/parley-2026-11-25.db
    """
    from parley.domain.audit import DatabaseRestored
    from parley.storage.backup import restore as run_restore

    with reported():
        app_ = open_parley(upgrade=False)
        run_restore(app_.db, file)
        app_.upgrade(operator())
        with app_.vault.write() as tx:
            tx.audit.append("system", DatabaseRestored(source=file.name))
        Console(stderr=True).print(f"restored from {file}")


@app.command("check")
def check() -> None:
    """Check the database: SQLite's integrity_check, and every item's integrity (its sealed
    body bound to workspace, id, version, kind and classification; its attachment's checksum).

    Exit 1 naming each bad item (workspace and item id) when anything fails.
    Example: parley db check
    """
    with reported():
        app_ = open_parley()
        try:
            problems = _check(app_)
        finally:
            app_.close()
        if problems:
            Console(stderr=True).print(f"{problems} problem(s) found")
            raise typer.Exit(1)
        typer.echo("ok: database integrity and every item's seal")


def _check(app_: Parley) -> int:
    problems = 0
    if not app_.db.integrity_ok():
        Console(stderr=True).print("database: integrity_check failed")
        problems += 1
    bad = app_.workspaces.check()
    for item in bad:
        typer.echo(f"bad item: workspace {item.workspace_id} item {item.item_id}: {item.reason}")
    return problems + len(bad)
