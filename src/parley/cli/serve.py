"""`parley serve`: the web app and JSON API."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or 8000).")] = None,
) -> None:
    """Serve the web app and JSON API on an embedded SQLite database by default.

    Example: PORT=8080 parley serve
    """
    import uvicorn

    from parley.web.app import create_app

    with reported():
        chosen = port if port is not None else int(os.environ.get("PORT") or 8000)
        parley = open_parley()  # refuses (exit 1) when the key ring cannot open the data
        parley.background = True  # a server lives on: it recomputes evaluations itself
        application = create_app(parley)
        parley.assessments.warm()
        print(f"Parley is serving the case base ({parley.cases.seen_by(OPERATOR).count()} cases) at "
              f"http://{host}:{chosen}", flush=True)
        if parley.accounts.needs_setup():
            token = parley.accounts.setup_link_token()
            print(f"No accounts yet: create the first administrator (link works once, for "
                  f"24 hours) at http://{host}:{chosen}/setup/{token}", flush=True)
        uvicorn.run(application, host=host, port=chosen, log_level="warning")
