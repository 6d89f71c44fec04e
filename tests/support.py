"""Helpers shared across test folders: a wired Parley with a cheap hasher, and the real
server in a subprocess.

`built` is the one build-and-close helper (fixtures write `with built(url, tmp) as app:
yield app`); `Server` is the one way to start `parley serve`: on port 0, so the system picks
a free port and the server prints the URL it really bound (no guessed port another process can
take first), then answers /healthz.
"""

from __future__ import annotations

import contextvars
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import typer

from parley.bootstrap import Parley
from parley.config import Settings
from parley.domain.account import SYSTEM, Principal
from parley.storage.database import Database, alembic_config
from parley.storage.passwords import Argon2Hasher
from tests.head_schema import give_schema

PASSWORD = "correct horse battery staple"
PARLEY = str(Path(sys.executable).with_name("parley"))
"""The installed `parley` entry point of this virtual environment."""
TEST_MASTER_KEY = "1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU="
"""A fixed master key ring (base64 of 32 ASCII bytes) shared by test servers of one database."""


def build(url: str, key_dir: Path, **settings: object) -> Parley:
    """A migrated Parley on `url`, master key file in `key_dir`, Argon2 at its cheapest (a
    brand-new SQLite file is a copy of one migrated once per worker: tests/head_schema.py)."""
    give_schema(url)
    app = Parley.build(Settings(database_url=url, master_key_file=key_dir / "master.key",
                                **settings),  # type: ignore[arg-type]
                       hasher=Argon2Hasher(cheap=True))
    app.db.upgrade()
    return app


@contextmanager
def built(url: str, key_dir: Path, *, upgrade: bool = False, **settings: object
          ) -> Iterator[Parley]:
    """`build` for the length of a block, closed after it; with `upgrade`, the bundled cases
    loaded too (as `parley db upgrade` does)."""
    app = build(url, key_dir, **settings)
    try:
        if upgrade:
            app.upgrade()
        yield app
    finally:
        app.close()


def user(app: Parley, name: str, *, admin: bool = False) -> Principal:
    app.accounts.create_user(SYSTEM, name, PASSWORD, admin=admin)
    return Principal(name, admin)


@dataclass
class Ran:
    """What a CLI call printed and its exit code (the fields of a CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> Ran:
    """`parley ARGS` in this process: Click's runner over the Typer app the entry point builds,
    with only `env`'s PARLEY_* settings (and the paper's folder). A subprocess would add 2-3 s of
    interpreter start and imports to each call (tests/README.md names the tests that still go
    through the installed entry point). The call runs in a copy of this context and
    its umask is put back, so the language and umask it sets do not leak into later tests."""
    from typer.testing import CliRunner

    clean: dict[str, str | None] = {k: None for k in os.environ
                                    if k.startswith("PARLEY_") and k != "PARLEY_SOURCES"}
    umask = os.umask(0o077)
    os.umask(umask)
    try:
        result = contextvars.copy_context().run(
            CliRunner().invoke, _cli_app(), args, input=stdin,
            env={**clean, **env, "COLUMNS": "200"}, catch_exceptions=False)
    finally:
        os.umask(umask)
    return Ran(result.exit_code, result.stdout, result.stderr)


@cache
def _cli_app() -> typer.Typer:
    """Every command loaded, built once per worker (as `parley` builds it per process)."""
    from parley.cli.main import full_app

    return full_app()


def server_env(database_url: str, directory: Path, **extra: str) -> dict[str, str]:
    """The environment of a `parley serve` on `database_url`, with its master key file and
    data dir in `directory` (never the user's own data dir, whatever the backend)."""
    return {**os.environ, "PARLEY_DATABASE_URL": database_url,
            "PARLEY_MASTER_KEY_FILE": str(directory / "master.key"),
            "PARLEY_DATA_DIR": str(directory), **extra}


def api_request(port: int, method: str, path: str, body: object = None, token: str = "",
                timeout: float = 10) -> tuple[int, bytes]:
    """One JSON request to a server on localhost (a fresh connection each time)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


_URL = re.compile(r"Parley is serving .* at (http://[^\s:]+:(\d+))")


class Server:
    """`parley serve --port 0` in a subprocess, started by `Server.start`.

    Its output is read by a thread (a full pipe would block the server) and kept in `lines`;
    `url` and `port` come from the line the server prints once its socket is bound.
    """

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = ""
        self.port = 0

    @classmethod
    def start(cls, env: dict[str, str], *args: str, healthy: bool = True,
              timeout: float = 90) -> Server:
        """Start the server and return once /healthz answers (200 unless `healthy` is false:
        then any answer, e.g. a server whose key ring cannot open the data); fail the test if
        it exits or does not answer within `timeout` seconds."""
        if "--workers" not in args and "PARLEY_WORKERS" not in env:
            # One process unless the test is about workers (test_server_workers.py runs two
            # on each database): the default, one per core, started three interpreters per
            # server (a supervisor and two workers, each building and warming the app).
            env = {**env, "PARLEY_WORKERS": "1"}
        proc = subprocess.Popen([PARLEY, "serve", "--port", "0", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        server = cls(proc)
        try:
            found = _URL.search(server.wait_for(_URL, timeout))
            assert found is not None
            server.url, server.port = found.group(1), int(found.group(2))
            server._wait_healthy(healthy, time.monotonic() + timeout)
        except BaseException:
            server.stop()
            raise
        return server

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> str:
        """The first line of output matching `pattern`, waiting for it (fails the test if the
        server exits or stays silent)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if pattern.search(line):
                        return line
                if not self._reader.is_alive() or time.monotonic() > deadline:
                    pytest.fail(f"parley serve printed no line matching {pattern.pattern!r} "
                                f"(exit code {self.proc.poll()}): {''.join(self.lines)!r}")
                self._changed.wait(0.2)

    def _wait_healthy(self, healthy: bool, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"parley serve exited with {self.proc.returncode}: "
                            f"{''.join(self.lines)!r}")
            try:
                status = api_request(self.port, "GET", "/healthz", timeout=2)[0]
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
                continue
            if status == 200 or not healthy:
                return
            pytest.fail(f"/healthz answered {status}")
        pytest.fail("parley serve did not answer /healthz in time")

    def stop(self) -> None:
        """Terminate the server (killing it if it will not stop) and close its pipe."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # The server's worker processes (PARLEY_CPU_WORKERS) may outlive it a moment with its
        # stdout open: then the reader (a daemon) is left to finish on its own, as closing the
        # pipe under it would wait for its read.
        self._reader.join(timeout=5)
        if self.proc.stdout is not None and not self._reader.is_alive():
            self.proc.stdout.close()


@contextmanager
def served(env: dict[str, str], *args: str) -> Iterator[Server]:
    """A started `Server` for the length of a block."""
    server = Server.start(env, *args)
    try:
        yield server
    finally:
        server.stop()


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    """Alembic up (or down) to `revision` on `db`, as a migration test steps through them."""
    from alembic import command

    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
