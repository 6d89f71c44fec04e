"""The in-memory `AuditTx` both service fakes share: the domain's keyed chain over a list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from parley.domain.audit import AuditEntry, AuditEvent, ChainSeal, make_entry


class FakeAudit:
    """`AuditTx` over a list of entries, chained with the real `make_entry` under `key`."""

    def __init__(self, entries: list[AuditEntry], key: bytes) -> None:
        self.entries = entries
        self.key = key

    def append(self, actor: str, event: AuditEvent) -> AuditEntry:
        entry = make_entry(self.entries[-1] if self.entries else None, datetime.now(UTC),
                           actor, event, self.key)
        self.entries.append(entry)
        return entry

    def audit_entries(self, workspace_id: str | None = None, *, limit: int | None = None
                      ) -> list[AuditEntry]:
        found = [e for e in self.entries if workspace_id is None or e.workspace == workspace_id]
        return found[-limit:] if limit else found

    def iter_audit(self, batch: int = 1000) -> Iterator[AuditEntry]:
        return iter(list(self.entries))

    def begin_snapshot(self) -> None:
        """Every fake read transaction is a snapshot already (a deep copy)."""

    def ensure_chain(self) -> bool:
        return False  # keyed from the start

    def chain_seal(self) -> ChainSeal | None:
        raise NotImplementedError("the fake audit log keeps no signed head: test on a database")

    def chain_key(self) -> bytes:
        return self.key
