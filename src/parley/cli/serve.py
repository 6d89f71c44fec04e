"""`parley serve`: the web app and JSON API."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR
from parley.domain.errors import InvalidInput


def worker_count(requested: int) -> int:
    """Worker processes to run: `requested`, or one per core for 0."""
    if requested < 0:
        raise InvalidInput(f"--workers / PARLEY_WORKERS: {requested} is not allowed (0 for one "
                           "per core, or a number of processes from 1)")
    return requested or os.cpu_count() or 1


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or 8000).")] = None,
    workers: Annotated[int, typer.Option(
        envvar="PARLEY_WORKERS",
        help="Server processes sharing the port (0: one per core). Start-up work (migrations, "
        "bundled cases, the key check) runs once, before they start.")] = 0,
) -> None:
    """Serve the web app and JSON API on an embedded SQLite database by default.

    Example: PORT=8080 parley serve --workers 2
    """
    import uvicorn

    with reported():
        chosen = port if port is not None else int(os.environ.get("PORT") or 8000)
        processes = worker_count(workers)
        parley = open_parley()  # refuses (exit 1) when the key ring cannot open the data
        parley.background = True  # a server lives on: it recomputes evaluations itself
        count = parley.cases.seen_by(OPERATOR).count()
        setup = parley.accounts.setup_link_token() if parley.accounts.needs_setup() else None
        if processes == 1:
            from parley.web.app import create_app

            application = create_app(parley)
            parley.assessments.warm()
        else:
            parley.close()  # the workers open their own connections
        print(f"Parley is serving the case base ({count} cases) at http://{host}:{chosen}"
              + (f" ({processes} worker processes)" if processes > 1 else ""), flush=True)
        if setup is not None:
            print(f"No accounts yet: create the first administrator (link works once, for "
                  f"24 hours) at http://{host}:{chosen}/setup/{setup}", flush=True)
        if processes == 1:
            uvicorn.run(application, host=host, port=chosen, log_level="warning")
        else:
            uvicorn.run("parley.web.server:worker_app", factory=True, workers=processes,
                        host=host, port=chosen, log_level="warning")
