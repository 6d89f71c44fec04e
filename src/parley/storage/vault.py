"""The confidential store: one unit of work over accounts, workspaces, keys and the audit log.

`Vault.write()` yields a `VaultTransaction` in one serialised database transaction (SQLite
`BEGIN IMMEDIATE`), so a change and its audit entry commit together or not at all. Each area has
its own repository on the same session (`tx.accounts`, `tx.workspaces`, `tx.keys`, `tx.audit`,
`tx.invitations`, `tx.scenarios`, `tx.cases`);
rows are translated to the domain's frozen dataclasses there, and sealed blobs opened there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, Conflict
from parley.storage.accounts import AccountRepository
from parley.storage.audit_log import AuditRepository, CheckpointPolicy
from parley.storage.cases import CaseRecords
from parley.storage.database import Database
from parley.storage.invitations import InvitationRepository
from parley.storage.key_store import KeyRepository
from parley.storage.keys import KeyRing
from parley.storage.scenarios import ScenarioRepository
from parley.storage.workspaces import WorkspaceRepository


class VaultTransaction:
    """The repositories of one transaction; see `Vault.read()` and `Vault.write()`."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self._session = session
        self._codebook = vault.codebook
        self.accounts = AccountRepository(session)
        self.workspaces = WorkspaceRepository(session, vault)
        self.keys = KeyRepository(session)
        self.audit = AuditRepository(session, vault.keyring, vault.audit_checkpoints)
        self.invitations = InvitationRepository(session)
        self.scenarios = ScenarioRepository(session, vault)

    @property
    def cases(self) -> CaseRecords:
        """The case base's rows, on this transaction (a case change and its audit entry commit
        together)."""
        if self._codebook is None:
            raise ConfigurationError("this store was opened without the codebook; case "
                                     "changes need it")
        return CaseRecords(self._session, self._codebook)


class Vault:
    """The confidential store over one database and one master key ring."""

    def __init__(self, db: Database, keyring: Callable[[], KeyRing], *,
                 audit_checkpoints: CheckpointPolicy | None = None,
                 codebook: Codebook | None = None) -> None:
        self.db = db
        self.audit_checkpoints = audit_checkpoints
        self.codebook = codebook
        self._keyring_factory = keyring
        self._ring: KeyRing | None = None
        self._keys: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    def keyring(self) -> KeyRing:
        with self._lock:
            if self._ring is None:
                self._ring = self._keyring_factory()
            return self._ring

    def data_key(self, workspace_id: str, wrapped: bytes, version: int) -> bytes:
        cached = self._keys.get((workspace_id, version))
        if cached is None:
            cached = self.keyring().unwrap(wrapped, version, workspace_id)
            self._keys[(workspace_id, version)] = cached
        return cached

    @contextmanager
    def read(self) -> Iterator[VaultTransaction]:
        with self.db.read() as session:
            yield VaultTransaction(session, self)

    @contextmanager
    def write(self) -> Iterator[VaultTransaction]:
        """One transaction; a stale version or a lost race becomes Conflict, and rolls back."""
        try:
            with self.db.write() as session:
                yield VaultTransaction(session, self)
        except StaleDataError:
            raise Conflict("the record was changed by someone else meanwhile; reload it and "
                           "apply your change again") from None
        except IntegrityError as exc:
            raise Conflict(f"the write conflicts with existing data: {exc.orig}") from None

    def scrub(self) -> None:
        """Drop overwritten row versions from the SQLite WAL (after a reclassification); see
        `Database.checkpoint`."""
        self.db.checkpoint()

    def rotate(self) -> tuple[int, int]:
        """New master key version; every data key re-wrapped with it; old versions retired.

        Crash-safe order: the ring with both versions is persisted first, then the database
        transaction re-wraps, then the old versions are retired from the ring.
        """
        ring = self.keyring()
        version = ring.add_version()
        with self.write() as tx:
            count = tx.keys.rewrap_data_keys(ring)
            tx.keys.rewrap_scenario_keys(ring)
        self._keys.clear()
        ring.retire_all_but(version)
        return version, count
