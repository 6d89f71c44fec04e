"""The confidential-side CLI as an operator runs it: accounts, tokens, workspaces, export,
audit verify, key rotation, backup and restore."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.support import PARLEY
from tests.support import run_cli as run

PW = "a long enough password\n"


def test_the_real_entry_point(env: dict[str, str]) -> None:
    made = subprocess.run([PARLEY, "users", "create", "ana", "--password-stdin"],
                          capture_output=True, text=True, env={**os.environ, **env}, input=PW,
                          timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    verified = subprocess.run([PARLEY, "audit", "verify"], capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=120, check=False)
    # chain.started + user.created
    assert verified.returncode == 0 and verified.stdout.startswith("ok: 2 entries")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}"}


def test_users_tokens_workspaces_export(env: dict[str, str], tmp_path: Path) -> None:
    made = run(["users", "create", "ana", "--admin", "--password-stdin"], env, PW)
    assert made.returncode == 0, made.stderr
    assert "created a new master key at" in made.stderr  # the first audited action keys the chain
    no_pw = run(["users", "create", "bob"], env)
    assert no_pw.returncode == 2 and "--password-stdin" in no_pw.stderr
    dup = run(["users", "create", "ana", "--password-stdin"], env, PW)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    token = run(["tokens", "create", "ana"], env)
    assert token.returncode == 0 and token.stdout.startswith("pt_")
    assert run(["tokens", "create", "nobody"], env).returncode == 2
    ws = run(["workspaces", "create", "Prison talks", "--owner", "ana"], env)
    assert ws.returncode == 0
    key = tmp_path / "parley.master.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    ws_id = ws.stdout.strip()
    exported = run(["workspaces", "export", ws_id, "--anonymise"], env)
    doc = json.loads(exported.stdout)
    assert doc["anonymised"] and doc["workspace"]["name"] == "Prison talks"
    assert doc["members"][0]["user"].startswith("Person-")
    missing = run(["workspaces", "export", "nope"], env)
    assert missing.returncode == 2 and "no workspace 'nope'" in missing.stderr


def test_audit_verify_names_the_first_bad_entry(env: dict[str, str], tmp_path: Path) -> None:
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    run(["workspaces", "create", "W", "--owner", "ana"], env)
    ok = run(["audit", "verify"], env)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 4 entries")
    conn = sqlite3.connect(tmp_path / "parley.db")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    bad = run(["audit", "verify"], env)
    assert bad.returncode == 1
    assert "audit log broken at entry 2 (seq 2)" in bad.stderr and "edited" in bad.stderr


def test_keys_rotate(env: dict[str, str], tmp_path: Path) -> None:
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    ws_id = run(["workspaces", "create", "Talks", "--owner", "ana"], env).stdout.strip()
    before = (tmp_path / "parley.master.key").read_text()
    rotated = run(["keys", "rotate"], env)
    assert rotated.returncode == 0 and "version 2: 1 data key(s) re-wrapped" in rotated.stderr
    after = (tmp_path / "parley.master.key").read_text()
    assert after.startswith("2:") and before.split(":")[1] not in after
    exported = run(["workspaces", "export", ws_id], env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["workspace"]["name"] == "Talks"
    assert run(["audit", "verify"], env).returncode == 0


def test_master_key_from_the_environment(tmp_path: Path) -> None:
    import base64

    env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}",
           "PARLEY_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    assert run(["workspaces", "create", "T", "--owner", "ana"], env).returncode == 0
    assert not list(tmp_path.glob("*.key"))
    wrong = {**env, "PARLEY_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    ws_id = run(["workspaces", "create", "U", "--owner", "ana"], env).stdout.strip()
    failed = run(["workspaces", "export", ws_id], wrong)
    assert failed.returncode == 1 and "wrong key" in failed.stderr


def test_backup_restore_round_trip_of_a_populated_database(env: dict[str, str],
                                                           tmp_path: Path) -> None:
    run(["users", "create", "ana", "--password-stdin"], env, PW)
    ws_id = run(["workspaces", "create", "Kept", "--owner", "ana"], env).stdout.strip()
    before = json.loads(run(["workspaces", "export", ws_id], env).stdout)
    backup = tmp_path / "b.db"
    done = run(["db", "backup", str(backup)], env)
    assert done.returncode == 0, done.stderr
    assert run(["db", "backup", str(backup)], env).returncode == 2  # never overwrites
    later = run(["workspaces", "create", "Later", "--owner", "ana"], env).stdout.strip()
    restored = run(["db", "restore", str(backup)], env)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(run(["workspaces", "export", ws_id], env).stdout)["workspace"] == (
        before["workspace"])
    assert run(["workspaces", "export", later], env).returncode == 2
    assert run(["audit", "verify"], env).returncode == 0
    cases = run(["cases", "list", "--format", "ids"], env)
    assert len(cases.stdout.split()) >= 28
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database")
    bad = run(["db", "restore", str(bogus)], env)
    assert bad.returncode == 2 and "not a Parley SQLite backup" in bad.stderr
