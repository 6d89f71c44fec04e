"""Wrapped keys in the database: the master key versions in use, and re-wrapping.

`rewrap_data_keys` is the one place that re-wraps under a new master key version (rotation,
and `parley db restore` of a backup taken before one). Any other key stored wrapped by the
master ring (e.g. an audit-log HMAC key) must be re-wrapped there too, and its version
counted in `key_versions_in_use`, so that rotation, restore and the start-up check see it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from parley.domain.errors import ConfigurationError
from parley.storage.audit_log import audit_key_version, rewrap_audit_key
from parley.storage.key_tables import KeyVersionRow
from parley.storage.keys import KeyRing
from parley.storage.records import now
from parley.storage.scenarios import SavedScenarioRow, key_owner
from parley.storage.workspace_tables import WorkspaceRow


@dataclass(frozen=True)
class KeyUse:
    """One master key version as the database knows it."""

    version: int
    check_value: str | None  # None: recorded before key-check values existed
    workspaces: int  # data keys wrapped with it
    sample: tuple[str, bytes] | None  # (workspace id, wrapped data key) to test-unwrap


class KeyRepository:
    """Master key versions and wrapped data keys inside one transaction."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def lock(self) -> None:
        """Serialise wrapping against rotation (PostgreSQL; SQLite writes are serialised).

        A workspace created while a rotation commits would otherwise be wrapped with the
        version the rotation retires, and be missed by its re-wrap.
        """
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(text("LOCK TABLE key_versions IN SHARE ROW EXCLUSIVE MODE"))

    def active_version(self) -> tuple[int, str | None] | None:
        """(version, key-check value) of the active master key version; None before the first."""
        row = self.s.execute(select(KeyVersionRow.version, KeyVersionRow.check_value)
                             .order_by(KeyVersionRow.version.desc()).limit(1)).first()
        return None if row is None else (int(row[0]), row[1])

    def record_version(self, version: int, check: str) -> None:
        """Record `version` (and its check value) as known; the highest is the active one."""
        row = self.s.get(KeyVersionRow, version)
        if row is None:
            self.s.add(KeyVersionRow(version=version, check_value=check, created_at=now()))
        elif row.check_value is None:
            row.check_value = check
        self.s.flush()

    def rewrap_data_keys(self, ring: KeyRing) -> int:
        """Re-wrap every wrapped key with the ring's active version and make it the active one.

        Hook for other keys wrapped by the master ring: re-wrap them here, in this transaction.
        """
        self.lock()
        target = ring.active_version
        rows = self.s.scalars(select(WorkspaceRow)).all()
        for row in rows:
            if row.key_version == target:
                continue
            key = ring.unwrap(row.data_key, row.key_version, row.id)
            wrapped, version = ring.wrap(key, row.id, target)
            self.s.execute(WorkspaceRow.__table__.update()  # type: ignore[attr-defined]
                           .where(WorkspaceRow.pk == row.pk)
                           .values(data_key=wrapped, key_version=version))
        self.rewrap_audit_key(ring)
        self.rewrap_scenario_keys(ring)
        self.record_version(target, ring.check(target))
        return len(rows)

    def rewrap_audit_key(self, ring: KeyRing) -> bool:
        """The audit chain's key, re-wrapped in the same transaction (storage/audit_log.py)."""
        return rewrap_audit_key(self.s, ring)

    def key_versions_in_use(self) -> set[int]:
        versions = {u.version for u in self.usage()}
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

    def usage(self) -> list[KeyUse]:
        """Every version that wraps a data key, plus the active one (even with no workspace)."""
        known = dict(self.s.execute(select(KeyVersionRow.version,
                                           KeyVersionRow.check_value)).all())
        counts = dict(self.s.execute(select(WorkspaceRow.key_version, func.count())
                                     .group_by(WorkspaceRow.key_version)).all())
        active = self.active_version()
        versions = set(counts) | ({active[0]} if active else set())
        uses = []
        for version in sorted(versions):
            sample = self.s.execute(select(WorkspaceRow.id, WorkspaceRow.data_key)
                                    .where(WorkspaceRow.key_version == version)
                                    .limit(1)).first()
            uses.append(KeyUse(version, known.get(version), counts.get(version, 0),
                               None if sample is None else (sample[0], sample[1])))
        return uses

    def holds_wrapped_keys(self) -> bool:
        """Whether anything here was wrapped by a master key (False before migrations ran)."""
        names = set(inspect(self.s.connection()).get_table_names())
        if "workspaces" in names and self.s.scalar(select(func.count())
                                                   .select_from(WorkspaceRow)):
            return True
        return "key_versions" in names and bool(
            self.s.scalar(select(func.count()).select_from(KeyVersionRow)))


def check_usage(ring: KeyRing, usage: list[KeyUse]) -> tuple[list[str], dict[int, str]]:
    """Which versions in use `ring` cannot open (problems), and check values learnt meanwhile.

    A recorded check value is compared; without one (data from before migration 0008), one
    data key wrapped with that version is test-unwrapped.
    """
    problems: list[str] = []
    learnt: dict[int, str] = {}
    for use in usage:
        what = f"master key version {use.version} (wraps {use.workspaces} workspace data key(s))"
        if use.version not in ring.keys:
            problems.append(f"{what} is not in the ring")
        elif use.check_value is not None:
            if ring.check(use.version) != use.check_value:
                problems.append(f"{what}: the ring holds another key under that version "
                                f"(key check {ring.check(use.version)[:12]}, the data expects "
                                f"{use.check_value[:12]})")
        elif use.sample is not None:
            try:
                ring.unwrap(use.sample[1], use.version, use.sample[0])
            except ConfigurationError:
                problems.append(f"{what}: the ring's key of that version does not open it")
            else:
                learnt[use.version] = ring.check(use.version)
    return problems, learnt


def fingerprint(checks: dict[int, str]) -> str:
    """One short fingerprint of a set of key versions, from their check values (not keys)."""
    text_ = "".join(f"{v}:{c}\n" for v, c in sorted(checks.items()))
    return hashlib.sha256(text_.encode("ascii")).hexdigest()[:16]
