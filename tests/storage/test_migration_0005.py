"""Migration 0005 upgrades a database that already holds users, tokens, sessions and members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import text

from parley.domain.account import SYSTEM, digest
from parley.storage.database import Database, alembic_config
from tests.support import PASSWORD, build


def test_upgrade_keeps_accounts_and_gives_old_tokens_an_expiry(database_url: str,
                                                              tmp_path: Path) -> None:
    db = Database(database_url)
    with db.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (name, password_hash, is_admin, failed_logins, "
                          "created_at) VALUES ('ana', 'h', true, 2, :now)"), {"now": now})
        pk = conn.execute(text("SELECT pk FROM users WHERE name = 'ana'")).scalar_one()
        conn.execute(text("INSERT INTO api_tokens (id, user_pk, digest, scope, label, "
                          "created_at) VALUES ('t1', :pk, :d, 'write', 'old', :now)"),
                     {"pk": pk, "d": digest("pt_old"), "now": now})
        conn.execute(text("INSERT INTO web_sessions (digest, user_pk, created_at, expires_at) "
                          "VALUES (:d, :pk, :now, :exp)"),
                     {"d": digest("s"), "pk": pk, "now": now, "exp": now + timedelta(hours=1)})
    db.dispose()
    app = build(database_url, tmp_path)  # upgrades to head
    assert app.db.current_revision() is not None
    assert [u.name for u in app.accounts.users()] == ["ana"]
    info = app.accounts.tokens(SYSTEM.__class__("ana"))[0]
    assert info.expires_at is not None
    assert timedelta(days=89) < info.expires_at - now < timedelta(days=91)
    assert app.accounts.token("pt_old") is not None  # still works, until it expires
    assert app.accounts.session("s") is not None  # sessions survive the upgrade
    app.accounts.set_password(SYSTEM, "ana", PASSWORD)
    assert app.accounts.authenticate("ana", PASSWORD).name == "ana"
    app.close()
