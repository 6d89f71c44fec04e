"""`parley serve`: the web app and JSON API."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR
from parley.domain.errors import ConfigurationError, InvalidInput


def worker_count(requested: int) -> int:
    """Worker processes to run: `requested`, or one per core for 0."""
    if requested < 0:
        raise InvalidInput(f"--workers / PARLEY_WORKERS: {requested} is not allowed (0 for one "
                           "per core, or a number of processes from 1)")
    return requested or os.cpu_count() or 1


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` and listening; port 0 lets the system pick a free one.

    Bound here, before uvicorn starts (and before any worker process), so the URL printed
    names the port really held: a caller that asks for port 0 (the tests, a supervisor) reads
    it instead of guessing a free port that another process may take first. Workers inherit
    it."""
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
        sock = listening_socket(host, chosen)
        bound = int(sock.getsockname()[1])
        print(f"Parley is serving the case base ({count} cases) at http://{host}:{bound}"
              + (f" ({processes} worker processes)" if processes > 1 else ""), flush=True)
        if setup is not None:
            print(f"No accounts yet: create the first administrator (link works once, for "
                  f"24 hours) at http://{host}:{bound}/setup/{setup}", flush=True)
        if processes == 1:
            try:
                uvicorn.Server(uvicorn.Config(application, log_level="warning")).run(
                    sockets=[sock])
            finally:
                parley.close()  # its QCA worker processes stop with it
        else:
            from uvicorn.supervisors import Multiprocess

            config = uvicorn.Config("parley.web.server:worker_app", factory=True,
                                    workers=processes, log_level="warning")
            Multiprocess(config, sockets=[sock]).run()
