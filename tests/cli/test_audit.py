"""`parley audit verify` and `parley audit checkpoint` as an operator runs them, against a
database an attacker has changed with SQL."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_workspaces import PW
from tests.support import PARLEY
from tests.support import run_cli as run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}"}
    assert run(["users", "create", "ana", "--password-stdin"], env, PW).returncode == 0
    assert run(["workspaces", "create", "W", "--owner", "ana"], env).returncode == 0
    return env


def sql(tmp_path: Path, *statements: str) -> None:
    conn = sqlite3.connect(tmp_path / "parley.db")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


NO_TRIGGERS = ("DROP TRIGGER IF EXISTS audit_log_no_update",
               "DROP TRIGGER IF EXISTS audit_log_no_delete")


def test_deleting_every_row_fails_verify(env: dict[str, str], tmp_path: Path) -> None:
    sql(tmp_path, *NO_TRIGGERS, "DELETE FROM audit_log")
    bad = run(["audit", "verify"], env)
    assert bad.returncode == 1 and not bad.stdout.startswith("ok")
    assert "entries were deleted" in bad.stderr


def test_a_renamed_table_is_a_clear_error_without_traceback(env: dict[str, str],
                                                            tmp_path: Path) -> None:
    sql(tmp_path, "ALTER TABLE audit_log RENAME TO audit_log_old")
    bad = subprocess.run([PARLEY, "audit", "verify"], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=120, check=False)
    assert bad.returncode == 1, bad.stderr
    assert "Traceback" not in bad.stderr
    assert "audit table(s) audit_log are missing" in bad.stderr


def test_every_problem_is_named(env: dict[str, str], tmp_path: Path) -> None:
    sql(tmp_path, *NO_TRIGGERS, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 4")
    bad = run(["audit", "verify"], env)
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert lines[0].startswith("audit log broken at entry 2 (seq 2): its MAC does not verify")
    assert any("signed head is seq 4: the newest 1 entries were deleted" in x for x in lines)
    assert lines[-1].startswith("2 problem(s) in 3 entries")


def test_checkpoints_catch_a_rollback(env: dict[str, str], tmp_path: Path) -> None:
    cps = tmp_path / "offsite" / "parley.checkpoints"
    first = run(["audit", "checkpoint", "--append", str(cps)], env)
    assert first.returncode == 0, first.stderr
    assert oct(cps.stat().st_mode & 0o777) == "0o600"
    line = json.loads(cps.read_text())
    assert line["count"] == 4 and set(line) == {"v", "count", "head", "at", "sig"}
    conn = sqlite3.connect(tmp_path / "parley.db")
    old_head = conn.execute("SELECT head_seq, head_mac, head_tag FROM audit_chain").fetchone()
    conn.close()
    run(["workspaces", "create", "X", "--owner", "ana"], env)
    ok = run(["audit", "verify", "--expect-head", str(cps), "--append", str(cps)], env)
    assert ok.returncode == 0 and "1 checkpoint(s) match" in ok.stdout
    assert len(cps.read_text().splitlines()) == 2  # appended after the successful check
    # roll back to the first checkpoint's state, with the old head row the attacker kept
    sql(tmp_path, *NO_TRIGGERS, "DELETE FROM audit_log WHERE seq > 4",
        "DELETE FROM workspace_members WHERE workspace_pk = 2",
        "DELETE FROM workspaces WHERE pk = 2",
        "UPDATE audit_chain SET head_seq = {}, head_mac = '{}', head_tag = '{}'".format(
            *old_head))
    assert run(["audit", "verify"], env).returncode == 0  # nothing inside says otherwise
    bad = run(["audit", "verify", "--expect-head", str(cps), "--append", str(cps)], env)
    assert bad.returncode == 1
    assert "(line 2) records 6 entries, but the log now ends at seq 4" in bad.stderr
    assert len(cps.read_text().splitlines()) == 2  # nothing appended after a failure


def test_checkpoint_outputs(env: dict[str, str], tmp_path: Path) -> None:
    printed = run(["audit", "checkpoint"], env)
    assert printed.returncode == 0 and json.loads(printed.stdout)["count"] == 4
    out = tmp_path / "cp.json"
    assert run(["audit", "checkpoint", "-o", str(out)], env).returncode == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600" and len(out.read_text().splitlines()) == 1
    both = run(["audit", "checkpoint", "-o", str(out), "--append", str(out)], env)
    assert both.returncode == 2 and "give one of them" in both.stderr
    edited = tmp_path / "edited"
    edited.write_text(printed.stdout.replace('"count":4', '"count":3'))
    bad = run(["audit", "verify", "--expect-head", str(edited)], env)
    assert bad.returncode == 1 and "is not signed by this database's audit key" in bad.stderr
    garbage = tmp_path / "garbage"
    garbage.write_text("hello\n")
    bad = run(["audit", "verify", "--expect-head", str(garbage)], env)
    assert bad.returncode == 2 and f"{garbage}, line 1: not an audit checkpoint" in bad.stderr
    missing = run(["audit", "verify", "--expect-head", str(tmp_path / "nope")], env)
    assert missing.returncode == 2 and "cannot read it" in missing.stderr


def test_the_checkpoint_file_setting(env: dict[str, str], tmp_path: Path) -> None:
    cps = tmp_path / "auto.checkpoints"
    auto = {**env, "PARLEY_AUDIT_CHECKPOINT_FILE": str(cps)}
    assert run(["audit", "verify"], auto).returncode == 0
    assert oct(cps.stat().st_mode & 0o777) == "0o600"
    second = run(["audit", "verify"], auto)
    assert second.returncode == 0 and "1 checkpoint(s) match" in second.stdout
    sql(tmp_path, *NO_TRIGGERS, "DELETE FROM audit_log WHERE seq > 2")
    assert run(["audit", "verify"], auto).returncode == 1
    assert len(cps.read_text().splitlines()) == 2


def test_without_the_key_only_the_structure(env: dict[str, str], tmp_path: Path) -> None:
    wrong = {**env, "PARLEY_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    strange = run(["audit", "verify"], wrong)
    assert strange.returncode == 1 and strange.stdout.startswith("structure ok: 4 entries")
    assert "structure only: the audit key cannot be opened" in strange.stderr
    asked = run(["audit", "verify", "--structure-only"], wrong)
    assert asked.returncode == 0 and "structure only, as asked" in asked.stderr
    assert run(["audit", "checkpoint"], wrong).returncode == 1


def test_structure_only_verify_works_with_the_key_file_missing(env: dict[str, str],
                                                               tmp_path: Path) -> None:
    """The start-up key check refuses to serve without the ring; the forensic check does not
    need it, and never creates a key file beside the encrypted data."""
    key = tmp_path / "parley.master.key"
    key.unlink()
    asked = run(["audit", "verify", "--structure-only"], env)
    assert asked.returncode == 0 and asked.stdout.startswith("structure ok: 4 entries")
    plain = run(["audit", "verify"], env)
    assert plain.returncode == 1 and f"master key file {key} does not exist" in plain.stderr
    assert run(["audit", "checkpoint"], env).returncode == 1
    assert not key.exists()
