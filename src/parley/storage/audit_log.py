"""The append-only, hash-chained audit log inside one transaction of the confidential store."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from parley.domain.audit import AuditEntry, AuditEvent, make_entry
from parley.storage.records import now
from parley.storage.workspace_tables import AuditRow


class AuditRepository:
    """Appends and reads audit entries; UPDATE and DELETE are refused by triggers."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def append(self, actor: str, event: AuditEvent) -> AuditEntry:
        """Append an event to the chain (serialised across processes by a table lock)."""
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
        last = self.s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
        entry = make_entry(_entry(last) if last else None, now(), actor, event)
        self.s.add(AuditRow(seq=entry.seq, at=entry.at, actor=entry.actor, event=entry.event,
                            workspace=entry.workspace,
                            details=json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                            prev_hash=entry.prev_hash, hash=entry.hash))
        self.s.flush()
        return entry

    def audit_entries(self, workspace_id: str | None = None, *, limit: int | None = None
                      ) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.seq)
        if workspace_id is not None:
            query = query.where(AuditRow.workspace == workspace_id)
            if limit is not None:
                query = select(AuditRow).where(AuditRow.workspace == workspace_id).order_by(
                    AuditRow.seq.desc()).limit(limit)
        rows = self.s.scalars(query).all()
        return sorted((_entry(r) for r in rows), key=lambda e: e.seq)

    def iter_audit(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in stored order, in batches (for verification of long logs)."""
        after = 0
        while True:
            rows = self.s.scalars(select(AuditRow).where(AuditRow.seq > after)
                                  .order_by(AuditRow.seq).limit(batch)).all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = rows[-1].seq


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor, row.event, row.workspace,
                      json.loads(row.details), row.prev_hash, row.hash)
