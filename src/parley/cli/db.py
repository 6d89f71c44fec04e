"""`parley db ...`: migrations and the bundled case base."""

from __future__ import annotations

import typer
from rich.console import Console

from parley.cli.context import open_parley
from parley.cli.errors import reported

app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply migrations and load the bundled cases (idempotent; never touches your own cases).

    Example: PARLEY_DATABASE_URL=postgresql://localhost/parley parley db upgrade
    """
    with reported():
        app_ = open_parley(upgrade=False)
        report = app_.upgrade()
        err = Console(stderr=True)
        err.print(f"database at revision {app_.db.current_revision()}: "
                  f"{len(report.added)} case(s) added, {len(report.updated)} updated, "
                  f"{report.unchanged} unchanged")
        if report.kept_user:
            err.print("kept your own case(s) in place of bundled ones: " + ", ".join(report.kept_user))
