"""Engine creation, SQLite pragmas, serialised writes, and migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from parley.domain.errors import ConfigurationError
from parley.storage.migration_head import head_revision

if TYPE_CHECKING:
    from alembic.config import Config

PAGE_SIZE = 8192
SQLITE_POOL = 40


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite recipe)
        cur = dbapi_conn.cursor()
        # A new file only (ignored once it has pages): a case row (about 2.4 KB with its packed
        # document) fits once in a 4 KB page, wasting 40% of the cases table (issue 14).
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA secure_delete=ON")  # freed pages are zeroed, not left readable
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: an engine, sessions for reading, serialised sessions for writing."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigurationError(f"unsupported database '{self.dialect}'; use sqlite or postgresql")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            db_path = parsed.database
            if db_path and db_path != ":memory:":
                Path(db_path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            else:
                # one connection for every thread: each new one would be another, empty database
                kwargs["poolclass"] = StaticPool
            if "poolclass" not in kwargs:
                # One connection per thread that may read at once (anyio's pool: 40): with
                # QueuePool's default 5, the sixth concurrent request opened a connection (and
                # its pragmas) and closed it after, each time (issue 14: eight clients).
                kwargs.update(pool_size=SQLITE_POOL, max_overflow=SQLITE_POOL // 4)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._write_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any error."""
        with self._write_lock, self._writer() as session, session.begin():
            yield session

    def upgrade(self) -> None:
        """Apply every migration (idempotent; Alembic is only imported when one is due)."""
        if self.current_revision() == head_revision():
            return
        from alembic import command

        with self.engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            except Exception:
                return None
            return str(row[0]) if row else None

    def head_revision(self) -> str:
        """The newest migration this version of Parley has (what `upgrade` migrates to)."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert head is not None
        return head

    def integrity_ok(self) -> bool:
        """SQLite's integrity check (PostgreSQL: a trivial query)."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            return conn.execute(text("SELECT 1")).scalar() == 1

    def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database and truncate it, so overwritten row
        versions do not linger in the WAL file (secure_delete zeroes freed pages). PostgreSQL
        keeps dead tuples until VACUUM; see docs/security.md."""
        if not self.is_sqlite:
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("parley.storage").joinpath("migrations"))
    )
    return cfg
