"""Audit and key administration for the operator: verify the chain, rotate the master key."""

from __future__ import annotations

from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import ChainReport, KeysRotated, verify_chain
from parley.services.ports import VaultStore


class AuditTrail:
    """The whole log, as the operator sees it."""

    def __init__(self, vault: VaultStore) -> None:
        self.vault = vault

    def verify(self) -> ChainReport:
        """Check every entry's hash and link, in stored order."""
        with self.vault.read() as tx:
            return verify_chain(tx.audit.iter_audit())


class KeyAdmin:
    """Master-key rotation: re-wrap every workspace's data key under a new master key."""

    def __init__(self, vault: VaultStore) -> None:
        self.vault = vault

    def rotate(self, actor: Principal = SYSTEM) -> tuple[int, int]:
        """Returns (new key version, number of data keys re-wrapped); audited."""
        version, count = self.vault.rotate()
        with self.vault.write() as tx:
            tx.audit.append(actor.name, KeysRotated(key_version=version, workspaces=count))
        return version, count
