"""Wrapped keys in the database: the master key versions in use, and re-wrapping.

`rewrap_data_keys` is the one place that re-wraps under a new master key version (rotation,
and `parley db restore` of a backup taken before one): workspace data keys, saved
assessments' data keys and the audit key, in one transaction. `usage` counts every one of
them, so that rotation, restore, backups and the start-up check see each version in use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from parley.domain.errors import ConfigurationError
from parley.storage.audit_log import CHAIN_ROW, audit_key_aad, rewrap_audit_key
from parley.storage.key_tables import KeyVersionRow
from parley.storage.keys import KeyRing, data_key_aad, unseal
from parley.storage.records import now
from parley.storage.scenarios import SavedScenarioRow, key_owner
from parley.storage.workspace_tables import AuditChainRow, WorkspaceRow


@dataclass(frozen=True)
class KeyUse:
    """One master key version as the database knows it, and what it wraps."""

    version: int
    check_value: str | None  # None: recorded before key-check values existed
    workspaces: int  # workspace data keys wrapped with it
    sample: tuple[str, bytes] | None  # (associated data, wrapped key) to test-unwrap
    scenarios: int = 0  # saved assessments' data keys wrapped with it
    audit: bool = False  # the audit chain's key is wrapped with it

    def describe(self) -> str:
        parts = [f"{self.workspaces} workspace data key(s)"]
        if self.scenarios:
            parts.append(f"{self.scenarios} saved assessment key(s)")
        if self.audit:
            parts.append("the audit key")
        return ", ".join(parts)


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

    def rewrap_data_keys(self, ring: KeyRing, target: int | None = None) -> int:
        """Re-wrap every wrapped key (workspaces, saved assessments, the audit key) with
        version `target` (default: the ring's active version) and make it the active one;
        returns the number of workspace data keys. One transaction: all or nothing.
        """
        self.lock()
        target = ring.active_version if target is None else target
        rows = self.s.scalars(select(WorkspaceRow)).all()
        for row in rows:
            if row.key_version == target:
                continue
            key = ring.unwrap(row.data_key, row.key_version, row.id)
            wrapped, version = ring.wrap(key, row.id, target)
            self.s.execute(WorkspaceRow.__table__.update()  # type: ignore[attr-defined]
                           .where(WorkspaceRow.pk == row.pk)
                           .values(data_key=wrapped, key_version=version))
        self.rewrap_audit_key(ring, target)
        self.rewrap_scenario_keys(ring, target)
        self.record_version(target, ring.check(target))
        return len(rows)

    def rewrap_audit_key(self, ring: KeyRing, target: int | None = None) -> bool:
        """The audit chain's key, re-wrapped in the same transaction (storage/audit_log.py)."""
        return rewrap_audit_key(self.s, ring, target)

    def key_versions_in_use(self) -> set[int]:
        """Every version that wraps a key here (workspaces, saved assessments, audit)."""
        return {u.version for u in self.usage() if u.workspaces or u.scenarios or u.audit}

    def rewrap_scenario_keys(self, ring: KeyRing, target: int | None = None) -> int:
        """Re-wrap every saved assessment's data key with version `target` (default: the
        ring's active version)."""
        target = ring.active_version if target is None else target
        rows = self.s.execute(select(SavedScenarioRow.pk, SavedScenarioRow.id,
                                     SavedScenarioRow.data_key,
                                     SavedScenarioRow.key_version)).all()
        table = SavedScenarioRow.__table__
        for pk, scenario_id, data_key, key_version in rows:
            if key_version == target:
                continue
            key = ring.unwrap(data_key, key_version, key_owner(scenario_id))
            wrapped, version = ring.wrap(key, key_owner(scenario_id), target)
            self.s.execute(table.update().where(table.c.pk == pk)  # type: ignore[attr-defined]
                           .values(data_key=wrapped, key_version=version))
        return len(rows)

    def scenario_key_versions_in_use(self) -> set[int]:
        """Master key versions that wrap a saved assessment's data key."""
        return set(self.s.scalars(select(SavedScenarioRow.key_version).distinct()).all())

    def usage(self) -> list[KeyUse]:
        """Every version that wraps a key here, plus the active one (even wrapping nothing)."""
        known = dict(self.s.execute(select(KeyVersionRow.version,
                                           KeyVersionRow.check_value)).all())
        workspaces = dict(self.s.execute(select(WorkspaceRow.key_version, func.count())
                                         .group_by(WorkspaceRow.key_version)).all())
        scenarios = dict(self.s.execute(select(SavedScenarioRow.key_version, func.count())
                                        .group_by(SavedScenarioRow.key_version)).all())
        audit = self.s.execute(select(AuditChainRow.key_version, AuditChainRow.wrapped_key,
                                      AuditChainRow.anchor_seq)
                               .where(AuditChainRow.id == CHAIN_ROW)).first()
        active = self.active_version()
        versions = (set(workspaces) | set(scenarios) | ({audit[0]} if audit else set())
                    | ({active[0]} if active else set()))
        uses = []
        for version in sorted(versions):
            uses.append(KeyUse(version, known.get(version), workspaces.get(version, 0),
                               self._sample(version, audit), scenarios.get(version, 0),
                               audit is not None and audit[0] == version))
        return uses

    def _sample(self, version: int, audit: tuple[int, bytes, int] | None
                ) -> tuple[str, bytes] | None:
        """One key wrapped with `version`, with its associated data, to test-unwrap."""
        ws = self.s.execute(select(WorkspaceRow.id, WorkspaceRow.data_key)
                            .where(WorkspaceRow.key_version == version).limit(1)).first()
        if ws is not None:
            return data_key_aad(ws[0]), ws[1]
        sc = self.s.execute(select(SavedScenarioRow.id, SavedScenarioRow.data_key)
                            .where(SavedScenarioRow.key_version == version).limit(1)).first()
        if sc is not None:
            return data_key_aad(key_owner(sc[0])), sc[1]
        if audit is not None and audit[0] == version:
            return audit_key_aad(audit[2]), audit[1]
        return None

    def holds_wrapped_keys(self) -> bool:
        """Whether anything here was wrapped by a master key (False before migrations ran)."""
        inspector = inspect(self.s.connection())
        names = set(inspector.get_table_names())
        if "saved_scenarios" in names and "key_version" not in {
                c["name"] for c in inspector.get_columns("saved_scenarios")}:
            names.discard("saved_scenarios")  # the plaintext table before migration 0009
        for row in (KeyVersionRow, WorkspaceRow, SavedScenarioRow, AuditChainRow):
            if row.__tablename__ in names and self.s.scalar(select(func.count())
                                                            .select_from(row)):
                return True
        return False


def check_usage(ring: KeyRing, usage: list[KeyUse]) -> tuple[list[str], dict[int, str]]:
    """Which versions in use `ring` cannot open (problems), and check values learnt meanwhile.

    A recorded check value is compared; without one (data from before migration 0008), one
    data key wrapped with that version is test-unwrapped.
    """
    problems: list[str] = []
    learnt: dict[int, str] = {}
    for use in usage:
        what = f"master key version {use.version} (wraps {use.describe()})"
        if use.version not in ring.keys:
            problems.append(f"{what} is not in the ring")
        elif use.check_value is not None:
            if ring.check(use.version) != use.check_value:
                problems.append(f"{what}: the ring holds another key under that version "
                                f"(a wrong key: key check {ring.check(use.version)[:12]}, the "
                                f"data expects {use.check_value[:12]})")
        elif use.sample is not None:
            try:
                unseal(ring.key(use.version), use.sample[1], use.sample[0])
            except ConfigurationError:
                problems.append(f"{what}: the ring's key of that version does not open it "
                                "(a wrong key, or the row was altered)")
            else:
                learnt[use.version] = ring.check(use.version)
    return problems, learnt


def fingerprint(checks: dict[int, str]) -> str:
    """One short fingerprint of a set of key versions, from their check values (not keys)."""
    text_ = "".join(f"{v}:{c}\n" for v, c in sorted(checks.items()))
    return hashlib.sha256(text_.encode("ascii")).hexdigest()[:16]
