"""`parley users ...` and `parley tokens ...`: strict names, password change, disable, expiry."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.config import Settings
from tests.support import run_cli as run

PW = "a long enough password\n"
NEW = "another long passphrase 9\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}


def test_a_user_name_with_a_line_ending_is_refused(env: dict[str, str]) -> None:
    """The CLI accepted the user name "admin\\n"."""
    for bad in ("admin\n", " admin", "admin\t"):
        made = run(["users", "create", bad, "--admin", "--password-stdin"], env, PW)
        assert made.returncode != 0 and "[a-z0-9][a-z0-9._-]{1,63}" in made.stderr, made
    assert run(["users", "list"], env).stdout == ""


def test_common_password_is_refused(env: dict[str, str]) -> None:
    made = run(["users", "create", "ana", "--password-stdin"], env, "Password1234!\n")
    assert made.returncode != 0 and "common" in made.stderr


def test_password_disable_sign_out_and_token_expiry(env: dict[str, str], tmp_path: Path) -> None:
    assert run(["users", "create", "ana", "--password-stdin"], env, PW).returncode == 0
    assert run(["users", "create", "root", "--admin", "--password-stdin"], env,
               PW).returncode == 0
    made = run(["tokens", "create", "ana", "--expires-days", "7", "--label", "ci"], env)
    assert made.returncode == 0 and "expires" in made.stderr
    listed = run(["tokens", "list", "ana"], env).stdout
    assert "ci\twrite\tactive\texpires" in listed and "last used never" in listed
    assert run(["tokens", "create", "ana", "--expires-days", "0"], env).returncode != 0
    app = Parley.build(Settings(database_url=env["PARLEY_DATABASE_URL"],
                                master_key_file=Path(env["PARLEY_MASTER_KEY_FILE"])))
    session = app.accounts.login("ana", PW.strip())
    changed = run(["users", "password", "ana", "--password-stdin"], env, NEW)
    assert changed.returncode == 0, changed.stderr
    assert app.accounts.session(session) is None
    assert app.accounts.authenticate("ana", NEW.strip()).name == "ana"
    session = app.accounts.login("ana", NEW.strip())
    assert run(["users", "sign-out", "ana"], env).stderr.startswith("ended 1 session")
    assert app.accounts.session(session) is None
    assert run(["users", "disable", "ana"], env).returncode == 0
    assert "ana\tuser\tdisabled" in run(["users", "list"], env).stdout
    assert run(["users", "enable", "ana"], env).returncode == 0
    assert run(["users", "invitations", "ana"], env).returncode == 0
    app.close()


def test_the_operator_sets_and_clears_an_accounts_language(env: dict[str, str]) -> None:
    assert run(["users", "create", "ana", "--password-stdin"], env, PW).returncode == 0
    assert run(["users", "language", "ana"], env).stdout == "-\n"
    done = run(["users", "language", "ana", "es"], env)
    assert done.returncode == 0 and "ana: language es" in done.stderr
    assert run(["users", "language", "ana"], env).stdout == "es\n"
    bad = run(["users", "language", "ana", "fr"], env)
    assert bad.returncode == 2 and "unknown language 'fr' (allowed: en, es)" in bad.stderr
    assert run(["users", "language", "ana"], env).stdout == "es\n"  # nothing changed
    assert run(["users", "language", "ana", "--clear"], env).returncode == 0
    assert run(["users", "language", "ana"], env).stdout == "-\n"
