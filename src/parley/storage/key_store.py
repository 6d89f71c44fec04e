"""Data keys in the database: re-wrapping under a new master key version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parley.storage.audit_log import audit_key_version, rewrap_audit_key
from parley.storage.keys import KeyRing
from parley.storage.scenarios import SavedScenarioRow, key_owner
from parley.storage.workspace_tables import WorkspaceRow


class KeyRepository:
    """The wrapped data keys inside one transaction of the confidential store."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def rewrap_data_keys(self, ring: KeyRing) -> int:
        """Re-wrap every workspace's data key with the ring's active version."""
        rows = self.s.scalars(select(WorkspaceRow)).all()
        for row in rows:
            key = ring.unwrap(row.data_key, row.key_version, row.id)
            wrapped, version = ring.wrap(key, row.id)
            self.s.execute(WorkspaceRow.__table__.update()  # type: ignore[attr-defined]
                           .where(WorkspaceRow.pk == row.pk)
                           .values(data_key=wrapped, key_version=version))
        self.rewrap_audit_key(ring)
        return len(rows)

    def rewrap_audit_key(self, ring: KeyRing) -> bool:
        """The audit chain's key, re-wrapped in the same transaction (storage/audit_log.py)."""
        return rewrap_audit_key(self.s, ring)

    def key_versions_in_use(self) -> set[int]:
        versions = set(self.s.scalars(select(WorkspaceRow.key_version).distinct()).all())
        audit = audit_key_version(self.s)
        return (versions | self.scenario_key_versions_in_use()
                | ({audit} if audit is not None else set()))

    def rewrap_scenario_keys(self, ring: KeyRing) -> int:
        """Re-wrap every saved assessment's data key with the ring's active version."""
        rows = self.s.execute(select(SavedScenarioRow.pk, SavedScenarioRow.id,
                                     SavedScenarioRow.data_key,
                                     SavedScenarioRow.key_version)).all()
        table = SavedScenarioRow.__table__
        for pk, scenario_id, data_key, key_version in rows:
            key = ring.unwrap(data_key, key_version, key_owner(scenario_id))
            wrapped, version = ring.wrap(key, key_owner(scenario_id))
            self.s.execute(table.update().where(table.c.pk == pk)  # type: ignore[attr-defined]
                           .values(data_key=wrapped, key_version=version))
        return len(rows)

    def scenario_key_versions_in_use(self) -> set[int]:
        """Master key versions that wrap a saved assessment's data key."""
        return set(self.s.scalars(select(SavedScenarioRow.key_version).distinct()).all())
