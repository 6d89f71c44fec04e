"""Monitoring use cases: indicator series stored per workspace, ITS on them, alerts, the feed.

Series are classified like items and checked with the same rule (`is_allowed` with the item
actions at the series' classification); a series above the reader's clearance is never
decrypted, listed or told to exist. Reading restricted or secret series (a list, an analysis,
alerts, the feed) appends ONE `indicators.read` entry in the transaction that reads; an import
appends `indicators.imported`. An import is all or nothing, and replacing a series checks its
version inside the locked write transaction, so two imports cannot silently overwrite each other.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from parley.analysis.alerts import item_alerts, violence_alerts
from parley.analysis.its import ItsResult, ItsSpec, fit_its
from parley.domain.access import Action, Classification, Role, visible
from parley.domain.account import Principal
from parley.domain.audit import IndicatorsImported, IndicatorsRead
from parley.domain.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from parley.domain.monitoring import (
    Alert,
    ImportReport,
    IndicatorTable,
    MonitorSettings,
    StoredSeries,
    parse_moment,
)
from parley.domain.workspace import Item
from parley.services.ports import VaultStore, VaultTx
from parley.services.workspaces import Workspaces

Progress = Callable[[int], None]
MAX_SEASONALITY = 26


def check_settings(settings: MonitorSettings, table: IndicatorTable | None = None) -> None:
    """Raise InvalidInput naming the parameter when the stored settings cannot be used."""
    if settings.intervention is not None:
        parse_moment(settings.intervention, "intervention")
    if not 0 <= settings.seasonality <= MAX_SEASONALITY:
        raise InvalidInput(f"seasonality: {settings.seasonality}; allowed 0 to {MAX_SEASONALITY}")
    if table is not None and settings.offset is not None and settings.offset != "population" \
            and settings.offset not in table.covariate_names:
        raise InvalidInput(f"offset: no column {settings.offset!r} in the file; columns: "
                           + ", ".join(("population", *table.covariate_names)))


class Monitoring:
    """Indicator series of workspaces and what is computed from them."""

    def __init__(self, vault: VaultStore, workspaces: Workspaces,
                 today: Callable[[], date] = date.today) -> None:
        self.vault = vault
        self.workspaces = workspaces
        self.today = today

    # -- writes ------------------------------------------------------------------------------

    def import_table(self, actor: Principal, workspace_id: str, table: IndicatorTable,
                     classification: Classification, settings: MonitorSettings, *,
                     replace_existing: bool = False, expected_version: int | None = None,
                     progress: Progress | None = None) -> ImportReport:
        """Store every series of `table` (validated already) in one transaction.

        A series whose locality and indicator match one the actor can see is a Conflict unless
        `replace_existing`; then it is replaced. With `expected_version` (the version the user
        read), a stored series at any other version is a Conflict: someone replaced it
        meanwhile, and nothing is stored.

        Raises:
            InvalidInput, Conflict, Forbidden, NotFound: nothing is stored.
        """
        check_settings(settings, table)
        with self.vault.write() as tx:
            role = Workspaces._role_in(tx, actor, workspace_id, lock=True)
            Workspaces._check(actor, role, Action.ITEM_CREATE, classification)
            existing, _ = tx.indicators.series(workspace_id, self._allowed(role))
            by_key = {s.series.key: s for s in existing}
            created: list[str] = []
            replaced: list[str] = []
            done = 0
            for series in table.series:
                old = by_key.get(series.key)
                if old is not None:
                    if not replace_existing:
                        raise Conflict(f"{series.locality} / {series.indicator} is already "
                                       f"stored (series {old.id}); import with replace to "
                                       "overwrite it")
                    Workspaces._check(actor, role, Action.ITEM_UPDATE,
                                      Classification(old.classification))
                    tx.indicators.replace(
                        workspace_id, old.id, series, settings, classification,
                        old.version if expected_version is None else expected_version)
                    replaced.append(old.id)
                else:
                    created.append(tx.indicators.add(workspace_id, series, settings,
                                                     classification, actor.name))
                done += len(series.points)
                if progress is not None:
                    progress(done)
            tx.indicators.flush()
            tx.audit.append(actor.name, IndicatorsImported(
                workspace_id, created=tuple(created), replaced=tuple(replaced), rows=table.rows,
                classification=classification.value))
        return ImportReport(tuple(created), tuple(replaced), table.rows, tuple(table.gaps()))

    # -- reads -------------------------------------------------------------------------------

    @staticmethod
    def _allowed(role: Role) -> list[Classification]:
        return [c for c in Classification if visible(role, c)]

    @staticmethod
    def _audit_read(tx: VaultTx, actor: Principal, workspace_id: str,
                    series: list[StoredSeries], purpose: str) -> None:
        sensitive = tuple(s.id for s in series if s.classification != Classification.PUBLIC)
        if sensitive:
            tx.audit.append(actor.name, IndicatorsRead(workspace_id, series=sensitive,
                                                       purpose=purpose))

    def list_series(self, actor: Principal, workspace_id: str, purpose: str = "list"
                    ) -> tuple[list[StoredSeries], list[str]]:
        """The series the actor may see, and the ids of those that fail their integrity check.
        Restricted and secret ones shown are audited in one entry."""
        with self.vault.write() as tx:
            role = Workspaces._role_in(tx, actor, workspace_id, lock=True)
            Workspaces._check(actor, role, Action.ITEM_READ)
            found, bad = tx.indicators.series(workspace_id, self._allowed(role))
            self._audit_read(tx, actor, workspace_id, found, purpose)
        return found, bad

    def get_series(self, actor: Principal, workspace_id: str, series_id: str,
                   purpose: str = "view") -> StoredSeries:
        """One series (NotFound when above the actor's clearance); audited if not public."""
        with self.vault.write() as tx:
            role = Workspaces._role_in(tx, actor, workspace_id, lock=True)
            Workspaces._check(actor, role, Action.ITEM_READ)
            c = tx.indicators.classifications(workspace_id).get(series_id)
            if c is None or not visible(role, c):
                raise NotFound(f"no indicator series '{series_id}' in workspace "
                               f"'{workspace_id}'")
            Workspaces._check(actor, role, Action.ITEM_READ, c)
            found = tx.indicators.get(workspace_id, series_id)
            self._audit_read(tx, actor, workspace_id, [found], purpose)
        return found

    def its(self, actor: Principal, workspace_id: str, series_id: str,
            make_spec: Callable[[StoredSeries], ItsSpec] | None = None
            ) -> tuple[StoredSeries, ItsResult]:
        """The ITS estimate of a stored series: with its stored settings, or with the spec
        `make_spec` builds from the series (request parameters over stored settings)."""
        stored = self.get_series(actor, workspace_id, series_id, purpose="its")
        return stored, fit_its(stored.series, (make_spec or spec_of)(stored))

    def alerts(self, actor: Principal, workspace_id: str, purpose: str = "alerts"
               ) -> list[Alert]:
        """Every alert the actor may see (rules: parley.analysis.alerts)."""
        found, _ = self.list_series(actor, workspace_id, purpose=purpose)
        return alerts_of(found, self.workspaces.items(actor, workspace_id), self.today())

    # -- the Atom feed -----------------------------------------------------------------------

    def feed_token(self, actor: Principal, workspace_id: str) -> str:
        """The actor's personal token for the workspace's alert feed (valid while a member)."""
        with self.vault.read() as tx:
            role = Workspaces._role_in(tx, actor, workspace_id, lock=False)
            Workspaces._check(actor, role, Action.ITEM_READ)
            return _token(tx.indicators.feed_secret(workspace_id), actor.name)

    def feed_alerts(self, workspace_id: str, user: str, token: str) -> list[Alert]:
        """The alerts of `user`, if `token` is theirs and they are still a member.

        Raises:
            NotAuthenticated: for a wrong token, an unknown workspace or a non-member alike.
        """
        refused = NotAuthenticated("no valid feed token")
        with self.vault.read() as tx:
            if not tx.workspaces.workspace_exists(workspace_id) or \
                    tx.workspaces.role_of(user, workspace_id) is None:
                raise refused
            expected = _token(tx.indicators.feed_secret(workspace_id), user)
        if not hmac.compare_digest(expected, token):
            raise refused
        from parley.domain.access import Scope

        return self.alerts(Principal(user, scope=Scope.READ), workspace_id, purpose="feed")


def alerts_of(found: Sequence[StoredSeries], items: Iterable[Item], today: date) -> list[Alert]:
    """The alerts of series and items already read (rules: parley.analysis.alerts), newest
    first."""
    out: list[Alert] = []
    for stored in found:
        if stored.settings.intervention is None:
            continue
        try:
            result = fit_its(stored.series, replace(spec_of(stored), slope_change=True))
        except InvalidInput:
            continue  # too short or an intervention outside it: no estimate, no alert
        out.extend(violence_alerts(stored.id, result))
    out.extend(item_alerts(items, today))
    return sorted(out, key=lambda a: a.date, reverse=True)


def _token(secret: bytes, user: str) -> str:
    return hmac.new(secret, f"feed|{user}".encode(), hashlib.sha256).hexdigest()[:40]


def spec_of(stored: StoredSeries) -> ItsSpec:
    """The ITS spec from a series' stored settings (quasi-Poisson, level change)."""
    if stored.settings.intervention is None:
        raise InvalidInput(f"intervention: series {stored.id} has no intervention date; give "
                           "one (the date of the deal)")
    return ItsSpec(parse_moment(stored.settings.intervention, "intervention"),
                   offset=stored.settings.offset, seasonality=stored.settings.seasonality)
