"""Databases for the library's tests: migrated, bundled cases loaded, as `parley db upgrade`
makes them, plus one private case that only the operator may read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.config import Settings
from parley.domain.access import Visibility
from parley.domain.account import Principal
from parley.interchange.documents import read_document
from parley.storage.passwords import Argon2Hasher
from tests.conftest import DATA

PRIVATE_CASE = DATA / "cases" / "good" / "my-august-town-case.yaml"
PRIVATE_ID = "my-august-town-case"
OPERATOR = Principal("cli:tests", is_admin=True, system=True)


def make_case_base(url: str, key_dir: Path, *, private: bool = True) -> None:
    """Migrate `url` and load the bundled cases (as `parley db upgrade` does); with `private`
    also import the private case."""
    app = Parley.build(Settings(database_url=url, master_key_file=key_dir / "master.key"),
                       hasher=Argon2Hasher(cheap=True))
    try:
        app.upgrade(OPERATOR)
        if private:
            app.curation.import_documents(OPERATOR, [(str(PRIVATE_CASE), read_document(PRIVATE_CASE))],
                                          visibility=Visibility.PRIVATE)
    finally:
        app.close()


@pytest.fixture
def case_base_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A Parley database (SQLite file, or PostgreSQL when configured) ready to be read."""
    make_case_base(database_url, tmp_path)
    yield database_url
