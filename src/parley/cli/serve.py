"""`parley serve`: the web app and JSON API."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR
from parley.domain.errors import ConfigurationError


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` and listening; port 0 lets the system pick a free one.

    Bound here, before uvicorn starts, so the URL printed names the port really held: a
    caller that asks for port 0 (the tests, a supervisor) reads it instead of guessing a free
    port that another process may take first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:  # in use, not ours to bind, no such interface
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(
        help="Port (default: $PORT or 8000; 0: any free port, printed).")] = None,
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
        sock = listening_socket(host, chosen)
        bound = int(sock.getsockname()[1])
        print(f"Parley is serving the case base ({parley.cases.seen_by(OPERATOR).count()} cases) at "
              f"http://{host}:{bound}", flush=True)
        if parley.accounts.needs_setup():
            token = parley.accounts.setup_link_token()
            print(f"No accounts yet: create the first administrator (link works once, for "
                  f"24 hours) at http://{host}:{bound}/setup/{token}", flush=True)
        server = uvicorn.Server(uvicorn.Config(application, log_level="warning"))
        server.run(sockets=[sock])
