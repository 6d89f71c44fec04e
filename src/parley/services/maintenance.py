"""Backup and restore: the database copied out and put back, with the restore audited.

The command line only asks and prints; which keys a backup needs, refusing a restore the key
ring could not read, re-wrapping old data keys and the audit entry are decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from parley.domain.account import Principal
from parley.domain.audit import DatabaseRestored
from parley.domain.errors import InvalidInput, KeyUnavailable
from parley.services.ports import BackupStore, VaultStore


@dataclass(frozen=True)
class BackupDone:
    size: int
    keys_file: Path


@dataclass(frozen=True)
class RestoreDone:
    problems: list[str]
    """Key versions the ring lacks (only with `accept_key_mismatch`)."""
    audited: bool
    """False only when the audit chain's key is one the ring lacks (then nothing can be appended)."""


class Maintenance:
    def __init__(self, files: BackupStore, vault: VaultStore,
                 upgrade: Callable[[Principal], object]) -> None:
        self.files, self.vault, self.upgrade = files, vault, upgrade

    def backup(self, target: Path) -> BackupDone:
        """An online, consistent copy at `target`, with the key versions it needs beside it."""
        size = self.files.write(target)
        return BackupDone(size, self.files.keys_file(target))

    def restore(self, source: Path, actor: Principal, *,
                accept_key_mismatch: bool = False) -> RestoreDone:
        """Replace the database with `source` (checked first; all or nothing), migrate it, and
        audit it. Refused, changing nothing, when the key ring cannot open the backup's data
        keys, unless `accept_key_mismatch` (its workspaces then stay unreadable)."""
        problems = self.files.unreadable_keys(source)
        if problems and not accept_key_mismatch:
            raise InvalidInput(
                f"not restored: the master key ring {self.files.ring()} (with its retired "
                f"versions) cannot open {source}'s data keys: " + "; ".join(problems)
                + ". Import the ring that was in use when the backup was taken (parley keys "
                "import FILE) and retry, or add --accept-key-mismatch to restore anyway "
                "(its workspaces stay unreadable until then).")
        self.files.replace_database(source)
        self.upgrade(actor)
        if not problems:
            self.files.rewrap_all()
        try:
            with self.vault.write() as tx:
                tx.audit.append("system", DatabaseRestored(source=source.name))
        except KeyUnavailable:
            if not problems:
                raise
            return RestoreDone(problems, audited=False)
        return RestoreDone(problems, audited=True)
