"""The confidential store: one unit of work over accounts, workspaces, keys and the audit log.

`Vault.write()` yields a `VaultTransaction` in one serialised database transaction (SQLite
`BEGIN IMMEDIATE`), so a change and its audit entry commit together or not at all. Each area has
its own repository on the same session (`tx.accounts`, `tx.workspaces`, `tx.keys`, `tx.audit`,
`tx.invitations`, `tx.scenarios`, `tx.cases`);
rows are translated to the domain's frozen dataclasses there, and sealed blobs opened there.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, Conflict, InvalidInput, KeyUnavailable
from parley.private_files import write_private
from parley.storage.accounts import AccountRepository
from parley.storage.audit_log import AuditRepository, CheckpointPolicy
from parley.storage.cases import CaseRecords, SearchText, no_translations
from parley.storage.database import Database
from parley.storage.indicators import IndicatorRepository
from parley.storage.invitations import InvitationRepository
from parley.storage.key_store import KeyRepository, KeyUse, check_usage, fingerprint
from parley.storage.keys import (
    KEY_BYTES,
    KeyRing,
    RingSource,
    check_value,
    format_ring,
    read_ring_file,
)
from parley.storage.scenarios import ScenarioRepository
from parley.storage.workspaces import WorkspaceRepository


class VaultTransaction:
    """The repositories of one transaction; see `Vault.read()` and `Vault.write()`."""

    def __init__(self, session: Session, vault: Vault) -> None:
        self._session = session
        self._codebook = vault.codebook
        self._case_search_text = vault.case_search_text
        self.accounts = AccountRepository(session)
        self.workspaces = WorkspaceRepository(session, vault)
        self.keys = KeyRepository(session)
        self.audit = AuditRepository(session, vault, vault.audit_checkpoints)
        self.invitations = InvitationRepository(session)
        self.scenarios = ScenarioRepository(session, vault)
        self.indicators = IndicatorRepository(session, vault)

    @property
    def cases(self) -> CaseRecords:
        """The case base's rows, on this transaction (a case change and its audit entry commit
        together)."""
        if self._codebook is None:
            raise ConfigurationError("this store was opened without the codebook; case "
                                     "changes need it")
        return CaseRecords(self._session, self._codebook, self._case_search_text)


@dataclass(frozen=True)
class KeyStatus:
    """What `parley keys status` shows: rings, versions in use, and what is missing."""

    source: str
    ring: dict[int, str]  # version -> key-check value, in the key file / PARLEY_MASTER_KEY
    retired: dict[int, str]  # in `<keyfile>.retired`
    usage: list[KeyUse]
    active: int | None
    problems: list[str]

    @staticmethod
    def fingerprint(checks: dict[int, str]) -> str:
        """One short fingerprint of a set of versions, from their check values (not keys)."""
        return fingerprint(checks)


class Vault:
    """The confidential store over one database and one master key ring.

    The ring is cached; the database names the active master key version. Before wrapping a
    new data key the vault compares the two, and reloads the ring from its source when the
    database says a version it lacks is active (a rotation by another process); if the ring
    it can load still lacks it, the answer is `KeyUnavailable` (HTTP 503), never a data key
    wrapped with a retired version.
    """

    def __init__(self, db: Database, source: RingSource,
                 notice: Callable[[str], None] | None = None, *,
                 audit_checkpoints: CheckpointPolicy | None = None,
                 codebook: Codebook | None = None,
                 case_search_text: SearchText = no_translations) -> None:
        self.case_search_text = case_search_text
        self.db = db
        self.audit_checkpoints = audit_checkpoints
        self.codebook = codebook
        self.source = source
        self._notice = notice
        self._ring: KeyRing | None = None
        self._keys: dict[tuple[str, int], bytes] = {}
        self._lock = threading.RLock()

    # -- the ring -------------------------------------------------------------------------

    def _holds_wrapped_keys(self) -> bool:
        with self.db.read() as session:
            return KeyRepository(session).holds_wrapped_keys()

    def _load(self) -> KeyRing:
        """The ring from its source; a key file is created only for a database holding no
        wrapped key (a new one beside existing data could never open it)."""
        if self.source.exists():
            return self.source.load()
        if self._holds_wrapped_keys():
            raise KeyUnavailable(self.missing_message())
        ring = self.source.load(create=True)
        if ring.created and self._notice is not None:
            self._notice(f"created a new master key at {ring.path} (mode 0600). Back it up "
                         "apart from the database (parley keys export): without it, encrypted "
                         "content cannot be read.")
        return ring

    def missing_message(self) -> str:
        return (f"master key file {self.source.path} does not exist, but the database holds "
                "data keys wrapped by the master key. Parley will not create a new key (it "
                "could not open them). Restore the key file from your backup or escrow "
                f"(`parley keys import FILE`, or copy it back to {self.source.path} with mode "
                "0600), or point PARLEY_MASTER_KEY_FILE at it, then start again.")

    def keyring(self) -> KeyRing:
        with self._lock:
            if self._ring is None:
                self._ring = self._load()
            return self._ring

    def reload(self) -> KeyRing:
        """Read the ring again from its source (after a rotation by another process)."""
        with self._lock:
            try:
                self._ring = self._load()
            except KeyUnavailable:
                raise
            except ConfigurationError as exc:
                raise KeyUnavailable(f"cannot reload the master key ring: {exc}") from None
            return self._ring

    def _restart_hint(self) -> str:
        if self.source.from_env:
            return ("set PARLEY_MASTER_KEY to the ring `parley keys rotate` printed (or import "
                    "the missing version) and restart the server")
        return (f"restore {self.source.path} from the backup or escrow holding that version "
                "(`parley keys import FILE`); run `parley keys status` to see what is missing")

    def ring_holding(self, version: int, what: str) -> KeyRing:
        """The ring, reloaded from its source when it lacks `version` (a rotation by another
        process); KeyUnavailable (HTTP 503) naming `what` if it still does."""
        ring = self.keyring()
        if version not in ring.keys:
            ring = self.reload()
        if version not in ring.keys:
            raise KeyUnavailable(
                f"{what} is encrypted under master key version {version}, which "
                f"{self.source.describe()} does not hold: {self._restart_hint()}")
        return ring

    def data_key(self, owner: str, wrapped: bytes, version: int) -> bytes:
        """The data key of `owner` (a workspace id, or `scenario:<id>`), cached."""
        cached = self._keys.get((owner, version))
        if cached is None:
            ring = self.ring_holding(version, _owner_text(owner))
            try:
                cached = ring.unwrap(wrapped, version, owner)
            except ConfigurationError:
                raise KeyUnavailable(
                    f"master key version {version} of {self.source.describe()} does not open "
                    f"the data key of {_owner_text(owner)} (another key under that version, "
                    f"or the row was altered): {self._restart_hint()}") from None
            self._keys[(owner, version)] = cached
        return cached

    def wrapping_ring(self, session: Session) -> tuple[KeyRing, int]:
        """The ring and the version to wrap a new key with: the database's active version,
        never another (a ring that lacks or mismatches it is reloaded, else KeyUnavailable).
        The first wrap of a database records the ring's active version as active."""
        keys = KeyRepository(session)
        keys.lock()
        active = keys.active_version()
        ring = self.keyring()
        if active is None:  # the first wrapped key of this database
            version = ring.active_version
            keys.record_version(version, ring.check(version))
            return ring, version
        version, check = active
        if version not in ring.keys or (check is not None and ring.check(version) != check):
            ring = self.reload()
        if version not in ring.keys:
            raise KeyUnavailable(
                f"the database's active master key version is {version} (a `parley keys "
                f"rotate` made it), but {self.source.describe()} holds only version(s) "
                f"{_versions(ring.keys)}; nothing was written: {self._restart_hint()}")
        if check is not None and ring.check(version) != check:
            raise KeyUnavailable(
                f"{self.source.describe()} holds another key under master key version "
                f"{version} than the one this database uses; nothing was written: "
                f"{self._restart_hint()}")
        return ring, version

    def wrap_data_key(self, session: Session, data_key: bytes, owner: str
                      ) -> tuple[bytes, int]:
        """Wrap a new data key with the database's active master key version, never another."""
        ring, version = self.wrapping_ring(session)
        return ring.wrap(data_key, owner, version)

    # -- transactions ----------------------------------------------------------------------

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
    # -- operator actions -----------------------------------------------------------------

    def check_keys(self) -> None:
        """Start-up check: refuse (KeyUnavailable) when the ring cannot open the data here.

        Compares key-check values (or test-unwraps one data key per version without one, and
        records its check value). A database holding no wrapped key needs no ring yet.
        """
        if not self._holds_wrapped_keys():
            return
        if not self.source.exists():
            raise KeyUnavailable(self.missing_message())
        ring = self.keyring()
        with self.db.read() as session:
            usage = KeyRepository(session).usage()
        problems, learnt = check_usage(ring, usage)
        if problems:
            raise KeyUnavailable(
                f"the master key ring {self.source.describe()} cannot open this database's "
                "encrypted data: " + "; ".join(problems) + ". Restore the key file that was "
                "in use from your backup or escrow (`parley keys import FILE`; `parley keys "
                "status` shows what is missing).")
        if learnt:
            with self.write() as tx:
                for version, check in learnt.items():
                    tx.keys.record_version(version, check)

    def status(self) -> KeyStatus:
        try:
            ring: dict[int, bytes] = self.source.load().keys if self.source.exists() else {}
        except ConfigurationError:
            ring = {}
        retired = self.source.retired()
        with self.db.read() as session:
            repo = KeyRepository(session)
            usage = repo.usage() if repo.holds_wrapped_keys() else []
            active = repo.active_version() if usage else None
        problems, _ = check_usage(KeyRing(ring, origin=self.source.describe()), usage)
        return KeyStatus(self.source.describe(), {v: check_value(k) for v, k in ring.items()},
                         {v: check_value(k) for v, k in retired.items()}, usage,
                         None if active is None else active[0], problems)

    def restore_problems(self, usage: list[KeyUse]) -> list[str]:
        """What the current ring (with retired versions) cannot open of a backup's keys."""
        if not self.source.exists():
            return [f"the master key file {self.source.path} does not exist"] if usage else []
        ring = self.source.load().merged(self.source.retired())
        return check_usage(ring, usage)[0]

    def rewrap_all(self) -> int:
        """Re-wrap data keys of older versions (a restored backup, an imported ring) with the
        ring's newest version, using the retired versions to open them."""
        with self._lock:
            self._keys.clear()
            self._ring = None
            if not self._holds_wrapped_keys():
                return 0
            ring = self.source.load()
            with self.write() as tx:
                return tx.keys.rewrap_data_keys(ring.merged(self.source.retired()),
                                                ring.active_version)

    def export_keys(self) -> dict[int, bytes]:
        """Every version this installation holds: the ring and its retired versions."""
        ring = self.source.load().keys if self.source.exists() else {}
        return {**self.source.retired(), **ring}

    def export_key_file(self, path: Path) -> list[int]:
        """Write every version held (for escrow) to a new file `path`, mode 0600; returns the
        versions written. Refused when there is no key yet or `path` exists."""
        keys = self.export_keys()
        if not keys:
            raise InvalidInput("there is no master key yet: nothing to export")
        if path.exists():
            raise InvalidInput(f"{path} already exists; choose a new file")
        write_private(path, format_ring(keys))
        return sorted(keys)

    def import_key_file(self, path: Path) -> tuple[list[int], list[int]]:
        """`import_keys` from a file made by `export_key_file` (refused when others can read it)."""
        if not path.expanduser().is_file():
            raise InvalidInput(f"{path}: no such key file")
        return self.import_keys(read_ring_file(path.expanduser()), str(path))

    def import_keys(self, keys: dict[int, bytes], origin: str) -> tuple[list[int], list[int]]:
        """Merge `keys` (from an export or escrow); returns (versions added to the key file,
        versions added to the retired ring). Refuses, changing nothing, a version that differs
        from the one held here or recorded by the database."""
        if self.source.from_env:
            raise InvalidInput("PARLEY_MASTER_KEY is set: add the versions to it instead "
                               "(comma-separated VERSION:BASE64 entries)")
        with self._lock:
            ring = self.source.load().keys if self.source.exists() else {}
            retired = self.source.retired()
            with self.db.read() as session:
                repo = KeyRepository(session)
                usage = repo.usage() if repo.holds_wrapped_keys() else []
            recorded = {u.version: u.check_value for u in usage}
            conflicts = []
            for version, key in sorted(keys.items()):
                held = ring.get(version, retired.get(version))
                if held is not None and held != key:
                    conflicts.append(f"version {version} differs from the one in "
                                     f"{self.source.describe()} (key check "
                                     f"{check_value(held)[:12]}, {origin}: "
                                     f"{check_value(key)[:12]})")
                elif (expected := recorded.get(version)) and expected != check_value(key):
                    conflicts.append(f"version {version} is not the key this database "
                                     f"recorded (key check {expected[:12]})")
            if conflicts:
                raise InvalidInput(f"{origin} conflicts with the keys here; nothing imported: "
                                   + "; ".join(conflicts))
            wanted = set(recorded) or ({max(keys)} if not ring else set())
            to_ring = sorted(v for v in keys if v in wanted and v not in ring)
            to_retired = sorted(v for v in keys if v not in wanted and v not in ring
                                and v not in retired)
            if to_retired:
                self.source.save_retired({**retired, **{v: keys[v] for v in to_retired}})
            if to_ring:
                self.source.save({**ring, **{v: keys[v] for v in to_ring}})
            self._ring = None
            self._keys.clear()
            return to_ring, to_retired

    def rotate(self) -> tuple[int, int]:
        """New master key version; every data key re-wrapped with it; old versions retired.

        Crash-safe order: the ring with both versions is persisted first, then one database
        transaction re-wraps and makes the new version active, then the old versions move to
        `<keyfile>.retired` and leave the key file. A server still holding the old ring
        reloads it when it meets the new version (see `wrap_data_key`, `data_key`).
        """
        with self._lock:
            self.check_keys()
            ring = self.source.load(create=not self._holds_wrapped_keys())
            retired = self.source.retired()
            with self.db.read() as session:
                active = KeyRepository(session).active_version()
            version = max([*ring.keys, *retired, active[0] if active else 0]) + 1
            new_key = secrets.token_bytes(KEY_BYTES)
            both = {**ring.keys, version: new_key}
            if not self.source.from_env:
                self.source.save(both)
            with self.write() as tx:
                count = tx.keys.rewrap_data_keys(
                    KeyRing(both, ring.path, origin=ring.origin).merged(retired), version)
            if not self.source.from_env:
                self.source.save_retired({**retired, **ring.keys})
                self.source.save({version: new_key})
            self._keys.clear()
            self._ring = KeyRing({version: new_key}, ring.path, origin=ring.origin)
            return version, count


def _owner_text(owner: str) -> str:
    kind, sep, rest = owner.partition(":")
    return f"saved assessment {rest}" if sep and kind == "scenario" else f"workspace {owner}"


def _versions(keys: dict[int, bytes]) -> str:
    return ", ".join(str(v) for v in sorted(keys)) or "none"
