"""Audit and key administration for the operator: verify the chain, sign checkpoints of its
head, rotate the master key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from parley.domain.account import SYSTEM, Principal
from parley.domain.audit import (
    ChainReport,
    Checkpoint,
    KeysRotated,
    Subjects,
    make_checkpoint,
    verify_chain,
)
from parley.domain.errors import ConfigurationError
from parley.services.ports import VaultStore


class AuditTrail:
    """The whole log, as the operator sees it."""

    def __init__(self, vault: VaultStore) -> None:
        self.vault = vault

    def verify(self, expect: Sequence[Checkpoint] = (), *, use_key: bool = True
               ) -> ChainReport:
        """Check every entry's MAC and link in stored order, the signed head, the `expect`ed
        checkpoints, and that every workspace and user has its creation entry.

        Without the audit key (`use_key=False`, or a master key ring that cannot open it) only
        the structure is checked: `report.keyed` is False and `report.note` says why. When the
        chain holds with the key, `report.checkpoint` is a new signed checkpoint of its head.
        """
        with self.vault.read() as tx:
            tx.audit.begin_snapshot()
            seal = tx.audit.chain_seal()
            key, note = None, ""
            if seal is None:
                note = ("not keyed yet: the first audited action (or `parley audit checkpoint`) "
                        "creates the audit key")
            elif not use_key:
                note = "structure only, as asked: MACs, the signed head and checkpoint "\
                       "signatures were not checked"
            else:
                try:
                    key = tx.audit.chain_key()
                except ConfigurationError as exc:
                    note = f"structure only: {exc}"
            subjects = Subjects(frozenset(tx.workspaces.all_workspace_ids()),
                                frozenset(u.name for u in tx.accounts.users()))
            report = verify_chain(tx.audit.iter_audit(), key, seal, checkpoints=expect,
                                  subjects=subjects)
        if key is not None and report.ok:
            report = replace(report, checkpoint=make_checkpoint(
                key, report.count, report.head, datetime.now(UTC).replace(microsecond=0)))
        return replace(report, note=note)


    def start(self) -> bool:
        """Key the chain now if it is not yet (audit key and anchor entry); True if it was."""
        with self.vault.write() as tx:
            return tx.audit.ensure_chain()


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
