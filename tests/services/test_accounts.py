"""Accounts: Argon2id, no default password, lockout, tokens, sessions, first-start setup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import Scope
from parley.domain.account import SYSTEM, Principal, digest
from parley.domain.audit import AuditEntry
from parley.domain.errors import Forbidden, NotAuthenticated, ValidationFailed
from tests.support import PASSWORD, build, user


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Iterator[Parley]:
    a = build(sqlite_url, tmp_path)
    yield a
    a.close()


def test_passwords_are_argon2id_and_never_default(app: Parley) -> None:
    assert app.accounts.needs_setup()
    user(app, "ana")
    with app.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(ValidationFailed, match="at least 12"):
        app.accounts.create_user(SYSTEM, "bob", "short")
    with pytest.raises(ValidationFailed, match="lowercase"):
        app.accounts.create_user(SYSTEM, "Bad Name", PASSWORD)
    with pytest.raises(Forbidden):
        app.accounts.create_user(Principal("ana"), "eve", PASSWORD)


def test_lockout_after_repeated_failures(app: Parley) -> None:
    user(app, "ana")
    for _ in range(app.accounts.policy.max_failures):
        with pytest.raises(NotAuthenticated, match="wrong user name or password"):
            app.accounts.authenticate("ana", "not the password!")
    with pytest.raises(NotAuthenticated, match="locked"):
        app.accounts.authenticate("ana", PASSWORD)  # even the right password, for a while
    later = datetime.now(UTC) + app.accounts.policy.lockout + timedelta(seconds=1)
    app.accounts.clock = lambda: later
    assert app.accounts.authenticate("ana", PASSWORD).name == "ana"
    events = [e.event for e in _entries(app)]
    assert events.count("login.failed") == 6 and events[-1] == "login.succeeded"


def _entries(app: Parley) -> list[AuditEntry]:
    with app.vault.read() as tx:
        return tx.audit.audit_entries()


def test_unknown_users_fail_the_same_way(app: Parley) -> None:
    with pytest.raises(NotAuthenticated, match="wrong user name or password"):
        app.accounts.authenticate("nobody", PASSWORD)


def test_tokens_are_shown_once_stored_hashed_scoped_and_revocable(app: Parley) -> None:
    ana = user(app, "ana")
    new = app.accounts.create_token(ana, "ana", scope=Scope.READ, label="script")
    assert new.secret.startswith("pt_")
    with app.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT digest FROM api_tokens")).scalar_one()
    assert stored == digest(new.secret) and new.secret not in stored
    principal = app.accounts.token(new.secret)
    assert principal == Principal("ana", False, Scope.READ)
    with pytest.raises(Forbidden, match="read-only"):
        app.workspaces.create(principal, "x")
    with pytest.raises(Forbidden):
        app.accounts.create_token(ana, "someone-else")
    app.accounts.revoke_token(ana, new.info.id)
    assert app.accounts.token(new.secret) is None
    assert app.accounts.tokens(ana)[0].revoked


def test_sessions_store_only_a_digest_and_end(app: Parley) -> None:
    user(app, "ana")
    secret = app.accounts.login("ana", PASSWORD)
    with app.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT digest FROM web_sessions")).scalar_one()
    assert stored == digest(secret)
    assert app.accounts.session(secret) == Principal("ana")
    assert app.accounts.session(secret + "x") is None
    app.accounts.logout(secret)
    assert app.accounts.session(secret) is None


def test_setup_link_creates_the_first_admin_once(app: Parley) -> None:
    secret = app.accounts.setup_link_token()
    assert secret
    with pytest.raises(NotAuthenticated):
        app.accounts.complete_setup("forged", "root", PASSWORD)
    admin = app.accounts.complete_setup(secret, "root", PASSWORD)
    assert admin.is_admin
    with pytest.raises(NotAuthenticated, match="used or has expired"):
        app.accounts.complete_setup(secret, "root2", PASSWORD)
    assert app.accounts.setup_link_token() is None
