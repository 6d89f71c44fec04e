"""Helpers shared by the confidential-workspace tests: a wired Parley with a cheap hasher."""

from __future__ import annotations

from pathlib import Path

from parley.bootstrap import Parley
from parley.config import Settings
from parley.domain.account import SYSTEM, Principal
from parley.storage.passwords import Argon2Hasher

PASSWORD = "correct horse battery staple"


def build(url: str, key_dir: Path, **settings: object) -> Parley:
    """A migrated Parley on `url`, master key file in `key_dir`, Argon2 at its cheapest."""
    app = Parley.build(Settings(database_url=url, master_key_file=key_dir / "master.key",
                                **settings),  # type: ignore[arg-type]
                       hasher=Argon2Hasher(cheap=True))
    app.db.upgrade()
    return app


def user(app: Parley, name: str, *, admin: bool = False) -> Principal:
    app.accounts.create_user(SYSTEM, name, PASSWORD, admin=admin)
    return Principal(name, admin)
