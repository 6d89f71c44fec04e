"""Issue 8, item 3, as the operator meets it: `parley keys rotate` while `parley serve` runs, a
missing key file, restoring a backup taken before a rotation, and the escrow commands."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_workspaces import PW
from tests.support import PARLEY, Server
from tests.support import run_cli as run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}"}


@dataclass
class Answer:
    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def call(method: str, url: str, headers: dict[str, str], body: object = None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return Answer(resp.status, resp.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode())


def start(env: dict[str, str]) -> Server:
    """`parley serve` in a subprocess, as the operator runs it: only `env`'s PARLEY_*."""
    return Server.start({**operator_env(), **env}, healthy=False)


def operator_env() -> dict[str, str]:
    """This process's environment without its PARLEY_* settings (but the paper's folder)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")
            or k == "PARLEY_SOURCES"}


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.stop()


def account(env: dict[str, str]) -> dict[str, str]:
    assert run(["users", "create", "ana", "--password-stdin"], env, PW).returncode == 0
    token = run(["tokens", "create", "ana"], env).stdout.strip()
    return {"Authorization": f"Bearer {token}"}


def cli(args: list[str], env: dict[str, str], stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess: for `parley serve`, and where the process itself
    is what is tested."""
    return subprocess.run([PARLEY, *args], env={**operator_env(), **env}, capture_output=True, text=True,
                          input=stdin, timeout=120, check=False)


def key_versions(db: Path | str) -> set[int]:
    """The master key versions the workspaces' data keys are wrapped with (SQLite or PG)."""
    if isinstance(db, str):
        from sqlalchemy import create_engine, text

        from parley.storage.database import normalise_url

        engine = create_engine(normalise_url(db))
        try:
            with engine.connect() as conn:
                return set(conn.execute(text("SELECT key_version FROM workspaces")).scalars())
        finally:
            engine.dispose()
    lite = sqlite3.connect(db)
    try:
        return {r[0] for r in lite.execute("SELECT key_version FROM workspaces")}
    finally:
        lite.close()


def test_rotate_while_the_server_runs(database_url: str, tmp_path: Path,
                                      servers: list[Server]) -> None:
    env = {"PARLEY_DATABASE_URL": database_url,
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "parley.master.key")}
    auth = account(env)
    old = run(["workspaces", "create", "Before", "--owner", "ana"], env).stdout.strip()
    servers.append(start(env))
    api = servers[-1].url + "/api/workspaces"
    assert call("GET", f"{api}/{old}", auth).json()["name"] == "Before"
    rotated = run(["keys", "rotate"], env)
    assert rotated.returncode == 0, rotated.stderr
    got = call("GET", f"{api}/{old}", auth)
    assert got.status_code == 200, got.text  # was 500
    made = call("POST", api, auth, {"name": "After"})
    assert made.status_code == 201, made.text
    new = made.json()["id"]
    assert key_versions(database_url) == {2}  # was {2, 1}: wrapped with the retired
    servers[-1].stop()
    servers.append(start(env))  # restart
    api = servers[-1].url + "/api/workspaces"
    for ws_id, name in ((old, "Before"), (new, "After")):
        got = call("GET", f"{api}/{ws_id}", auth)
        assert got.status_code == 200 and got.json()["name"] == name, got.text
    assert run(["keys", "status"], env).returncode == 0


def test_a_server_whose_ring_cannot_follow_a_rotation_answers_503(
        database_url: str, servers: list[Server]) -> None:
    env = {"PARLEY_DATABASE_URL": database_url,
           "PARLEY_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    auth = account(env)
    old = run(["workspaces", "create", "Before", "--owner", "ana"], env).stdout.strip()
    servers.append(start(env))
    api = servers[-1].url + "/api/workspaces"
    rotated = run(["keys", "rotate"], env)
    assert rotated.returncode == 0 and rotated.stdout.startswith("2:"), rotated.stderr
    made = call("POST", api, auth, {"name": "After"})
    assert made.status_code == 503, made.text
    message = made.json()["error"]["message"]
    assert "version is 2" in message and "PARLEY_MASTER_KEY" in message
    assert call("GET", f"{api}/{old}", auth).status_code == 503
    assert key_versions(database_url) == {2}  # nothing written under the retired key
    servers[-1].stop()
    servers.append(start({**env, "PARLEY_MASTER_KEY": rotated.stdout.strip()}))
    got = call("GET", f"{servers[-1].url}/api/workspaces/{old}", auth)
    assert got.status_code == 200 and got.json()["name"] == "Before"


def on(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment for `database_url`, its key file in `tmp_path` (the calls run
    in-process on both databases: each command closes its connections when it ends)."""
    return {"PARLEY_DATABASE_URL": database_url,
            "PARLEY_MASTER_KEY_FILE": str(tmp_path / "parley.master.key")}


def test_serve_refuses_when_the_key_file_is_missing(database_url: str, tmp_path: Path) -> None:
    """Issue 8, item 3: 'A missing key file is silently replaced by a new one'."""
    env = on(database_url, tmp_path)
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    ws = run(["workspaces", "create", "Talks", "--owner", "ana"], env).stdout.strip()
    key = tmp_path / "parley.master.key"
    escrow = tmp_path / "escrow.keys"
    shutil.copy2(key, escrow)  # the operator's copy of the key file, kept apart
    key.unlink()
    started = cli(["serve", "--port", "0"], env)
    assert started.returncode == 1
    assert f"master key file {key} does not exist" in started.stderr
    assert "Restore the key file from your backup or escrow" in started.stderr
    assert not key.exists()
    made = run(["workspaces", "create", "New secrets", "--owner", "ana"], env)
    assert made.returncode == 1 and "does not exist" in made.stderr and not key.exists()
    signed_up = run(["users", "create", "bob", "--password-stdin"], env, PW)  # audit only
    assert signed_up.returncode == 1 and not key.exists()
    assert run(["keys", "import", str(escrow)], env).returncode == 0  # the documented fix
    back = run(["workspaces", "export", ws], env)
    assert back.returncode == 0 and json.loads(back.stdout)["workspace"]["name"] == "Talks"


def test_serve_refuses_a_key_file_that_cannot_open_the_data(database_url: str,
                                                            tmp_path: Path) -> None:
    env = on(database_url, tmp_path)
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    run(["workspaces", "create", "Talks", "--owner", "ana"], env)
    key = tmp_path / "parley.master.key"
    key.write_text("1:" + base64.b64encode(os.urandom(32)).decode() + "\n")
    started = cli(["serve", "--port", "0"], env)
    assert started.returncode == 1
    assert "cannot open this database's encrypted data" in started.stderr
    assert "another key under that version" in started.stderr


def test_restore_of_a_backup_taken_before_a_rotation(database_url: str,
                                                     tmp_path: Path) -> None:
    """Issue 8, item 3: 'Restoring a backup taken before a rotation says success; every
    workspace is then unreadable.' Now the retired ring re-wraps it: readable."""
    env = on(database_url, tmp_path)
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    ws = run(["workspaces", "create", "Kept", "--owner", "ana"], env).stdout.strip()
    bak = tmp_path / "before.db"
    assert run(["db", "backup", str(bak)], env).returncode == 0
    assert run(["keys", "rotate"], env).returncode == 0
    restored = run(["db", "restore", str(bak)], env)
    assert restored.returncode == 0, restored.stderr
    exported = run(["workspaces", "export", ws], env)
    assert exported.returncode == 0, exported.stderr  # was: every workspace unreadable
    assert json.loads(exported.stdout)["workspace"]["name"] == "Kept"
    assert key_versions(database_url) == {2}
    assert run(["keys", "status"], env).returncode == 0
    assert run(["audit", "verify"], env).returncode == 0
    for f in (bak, tmp_path / "before.db.keys.json"):  # were 0644 (the backup)
        assert oct(f.stat().st_mode & 0o777) == "0o600"


def test_restore_refuses_a_ring_that_cannot_open_the_backup(database_url: str,
                                                            tmp_path: Path) -> None:
    env = on(database_url, tmp_path)
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    ws = run(["workspaces", "create", "Kept", "--owner", "ana"], env).stdout.strip()
    escrow = tmp_path / "escrow.keys"
    exported = run(["keys", "export", "-o", str(escrow)], env)
    assert exported.returncode == 0 and "warning" in exported.stderr
    assert oct(escrow.stat().st_mode & 0o777) == "0o600"
    assert run(["keys", "export", "-o", str(escrow)], env).returncode == 2  # no overwrite
    bak = tmp_path / "before.db"
    run(["db", "backup", str(bak)], env)
    run(["keys", "rotate"], env)
    (tmp_path / "parley.master.key.retired").unlink()  # no retired ring kept
    later = run(["workspaces", "create", "Later", "--owner", "ana"], env).stdout.strip()
    refused = run(["db", "restore", str(bak)], env)
    assert refused.returncode == 2
    assert "master key version 1" in refused.stderr and "--accept-key-mismatch" in refused.stderr
    assert run(["workspaces", "export", later], env).returncode == 0  # nothing changed
    forced = run(["db", "restore", str(bak), "--accept-key-mismatch"], env)
    assert forced.returncode == 0 and "warning" in forced.stderr, forced.stderr
    unreadable = run(["workspaces", "export", ws], env)
    assert unreadable.returncode == 1 and "master key version 1" in unreadable.stderr
    assert run(["keys", "status"], env).returncode == 1
    started = cli(["serve", "--port", "0"], env)  # clearly refused, not 500s
    assert started.returncode == 1 and "parley keys import" in started.stderr
    assert run(["audit", "verify", "--structure-only"], env).returncode == 0
    imported = run(["keys", "import", str(escrow)], env)
    assert imported.returncode == 0, imported.stderr
    again = run(["workspaces", "export", ws], env)
    assert again.returncode == 0 and json.loads(again.stdout)["workspace"]["name"] == "Kept"
    assert key_versions(database_url) == {2}  # re-wrapped with the newest
    assert run(["audit", "verify"], env).returncode == 0


def test_import_of_a_missing_file_touches_no_database(env: dict[str, str],
                                                     tmp_path: Path) -> None:
    """Named, refused (exit 2), and no database created or migrated for it."""
    refused = cli(["keys", "import", str(tmp_path / "nowhere.keys")], env)
    assert refused.returncode == 2 and "nowhere.keys: no such file" in refused.stderr
    assert not (tmp_path / "parley.db").exists()


def test_import_refuses_a_conflicting_version(env: dict[str, str], tmp_path: Path) -> None:
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    run(["workspaces", "create", "Kept", "--owner", "ana"], env)
    key = tmp_path / "parley.master.key"
    before = key.read_text()
    other = tmp_path / "other.keys"
    other.write_text("1:" + base64.b64encode(os.urandom(32)).decode() + "\n")
    other.chmod(0o600)
    refused = run(["keys", "import", str(other)], env)
    assert refused.returncode == 2 and "version 1 differs" in refused.stderr
    assert key.read_text() == before
    status = run(["keys", "status"], env)
    assert status.returncode == 0 and "version 1: 1 workspace data key(s)" in status.stdout
