"""`parley.paths` resolves the database exactly as `config.Settings` does, from the same
environment (the quick path depends on it), and steps aside for what only Settings checks."""

from __future__ import annotations

import os
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from parley.config import Settings
from parley.paths import HANDLED, SETTINGS_FIELDS, UNCHECKED, Locations, quick_locations

segment = st.text(alphabet="abcXYZ019_-. é", min_size=1, max_size=12).filter(
    lambda s: s.strip(" ") == s and s not in (".", ".."))
paths = st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
environments = st.fixed_dictionaries({}, optional={
    "PARLEY_DATABASE_URL": paths.map(lambda p: "sqlite:///" + p),
    "PARLEY_DATA_DIR": paths,
    "PARLEY_SOURCES": paths,
    "PARLEY_LANGUAGE": st.sampled_from(["en", "es"]),
    # what an environment can hold: no NUL, no lone surrogate (os.environ refuses them, and a
    # refusal inside patch.dict(clear=True) left the whole process's environment empty)
    "PARLEY_UNRELATED_THING": st.text(st.characters(blacklist_characters="\x00",
                                                    blacklist_categories=["Cs"]), max_size=5),
})


def test_the_field_list_is_the_settings_fields() -> None:
    assert set(Settings.model_fields) == SETTINGS_FIELDS
    assert HANDLED | UNCHECKED <= SETTINGS_FIELDS


@given(environments)
def test_the_database_is_where_settings_puts_it(environ: dict[str, str]) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("PARLEY_")}
    with mock.patch.dict(os.environ, {**clean, **environ}, clear=True):
        expected = Settings().resolved_database_url()
    found = quick_locations(environ)
    assert found is not None
    assert found.database_url == expected


@given(st.sampled_from(sorted(SETTINGS_FIELDS - HANDLED - UNCHECKED)), st.text(max_size=8))
def test_a_setting_only_settings_validates_steps_aside(field: str, value: str) -> None:
    assert quick_locations({f"PARLEY_{field.upper()}": value}) is None


def test_the_sqlite_file_of_a_url() -> None:
    assert Locations("sqlite:////abs/p.db").sqlite_file is not None
    assert str(Locations("sqlite:////abs/p.db").sqlite_file) == "/abs/p.db"
    assert str(Locations("sqlite:///rel/p.db").sqlite_file) == "rel/p.db"
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:////a.db?mode=ro",
                "postgresql://u@h/db"):
        assert Locations(url).sqlite_file is None
