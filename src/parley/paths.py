"""Where Parley's database lives, resolved from the environment without pydantic-settings.

`config.Settings` validates every setting and is what commands normally use; the cold `parley
assess` path (`parley.quick`) must not pay for pydantic-settings, so the location rules live
here and `Settings` takes its defaults from this module: the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

PREFIX = "PARLEY_"
DATABASE_FILE = "parley.db"
SETTINGS_FIELDS = frozenset({
    "database_url", "data_dir", "sources", "public_cases", "max_upload_bytes", "max_body_bytes",
    "qca_time_budget", "cpu_workers", "rate_limit_signin", "rate_limit_work", "language",
    "trusted_proxies", "master_key_file", "master_key", "audit_checkpoint_file",
    "audit_checkpoint_every"})
"""The names of `config.Settings`' fields (a test keeps them equal)."""
HANDLED = frozenset({"database_url", "data_dir"})
"""Settings this module resolves exactly as `Settings` does."""
UNCHECKED = frozenset({"sources", "language", "master_key", "master_key_file"})
"""Settings the quick path reads elsewhere (sources: `knowledge.loader.sources_dir`; language:
the CLI's --lang) or does not need (an assessment reads no sealed data, so no key)."""


def default_data_dir() -> Path:
    return Path(user_data_dir("parley", appauthor=False))


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / DATABASE_FILE}"


@dataclass(frozen=True)
class Locations:
    """The database URL as `Settings.resolved_database_url()` gives it."""

    database_url: str

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file of a plain file URL (None for PostgreSQL, memory or options)."""
        url = self.database_url
        if not url.startswith("sqlite:///") or "?" in url:
            return None
        path = url[len("sqlite:///"):]
        if path in ("", ":memory:"):
            return None
        return Path(path)


def quick_locations(environ: Mapping[str, str]) -> Locations | None:
    """The locations for `environ`, or None when it sets a setting that only `Settings` can
    validate, sets one empty, or spells one in another case than upper case (pydantic-settings
    matches names case-insensitively): then the caller takes the full path."""
    for key, value in environ.items():
        if key.upper().startswith(PREFIX):
            name = key[len(PREFIX):].lower()
            if name in SETTINGS_FIELDS and (key != key.upper() or not value
                                            or name not in HANDLED | UNCHECKED):
                return None
    url = environ.get(PREFIX + "DATABASE_URL", "")
    if not url:
        data_dir = environ.get(PREFIX + "DATA_DIR")
        url = default_database_url(Path(data_dir) if data_dir else default_data_dir())
    return Locations(url)
