"""The process report of a workspace: where the negotiation stands, for one reader.

One read of what the reader may see (items and indicator series at or below their clearance;
secret items and restricted or secret series read are audited with the purpose `report`),
then everything the report shows is derived from it: commitments and their status, breaches,
deadlines, alerts, the actor map, and for each series its interrupted-time-series estimate
and the before/after table. Renderers (`render/process_report.py`) draw it as HTML, PDF or DOCX, so
every format shows the same content to the same reader. Sections are plain fields: the living
assessment and the actor map (issue 11) add theirs beside these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from parley.analysis.actor_map import ActorMap, actor_map
from parley.analysis.alerts import BeforeAfter, before_after
from parley.analysis.its import ItsResult, fit_its
from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.errors import InvalidInput
from parley.domain.monitoring import Alert, StoredSeries
from parley.domain.workspace import Item, ItemKind, Workspace
from parley.services.living_assessments import LivingAssessments
from parley.services.monitoring import Monitoring, alerts_of, spec_of
from parley.services.workspaces import Workspaces

CLOSED = frozenset({"fulfilled", "withdrawn", "breached"})
"""Commitment statuses with no deadline left to watch."""
UPCOMING_DAYS = 30
RANK = {Classification.PUBLIC: 0, Classification.RESTRICTED: 1, Classification.SECRET: 2}


@dataclass(frozen=True)
class SeriesSection:
    """One indicator series: its estimate (or why there is none) and the before/after table
    of every locality measuring the same indicator."""

    stored: StoredSeries
    result: ItsResult | None
    problem: str | None
    table: tuple[BeforeAfter, ...]


@dataclass(frozen=True)
class ProcessReport:
    workspace: Workspace
    role: Role
    today: date
    classification: Classification
    """The highest classification of what this reader's report holds (its banner)."""
    commitments: tuple[Item, ...]
    breaches: tuple[Item, ...]
    overdue: tuple[Item, ...]
    upcoming: tuple[Item, ...]
    sessions: tuple[Item, ...]
    alerts: tuple[Alert, ...]
    series: tuple[SeriesSection, ...]
    names: Mapping[str, str]
    """Item id -> title, for the references the report shows (never raw ids)."""
    actors: ActorMap
    open_risks: tuple[tuple[str, str, str], ...] = ()
    """(title, phase, message) of the living assessment's risks still open."""

    @property
    def classified(self) -> bool:
        return self.classification is not Classification.PUBLIC


def _due(item: Item) -> date | None:
    value = item.fields.get("deadline")
    return date.fromisoformat(str(value)) if value else None


def _series_section(stored: StoredSeries, found: list[StoredSeries]) -> SeriesSection:
    if stored.settings.intervention is None:
        return SeriesSection(stored, None, "no intervention date is stored for this series",
                             ())
    try:
        spec = spec_of(stored)
        result = fit_its(stored.series, spec)
    except InvalidInput as exc:
        return SeriesSection(stored, None, str(exc), ())
    same = [s.series for s in found if s.series.indicator == stored.series.indicator]
    return SeriesSection(stored, result, None, tuple(before_after(same, spec.intervention)))


class ProcessReports:
    """Build the process report of a workspace for one reader."""

    def __init__(self, workspaces: Workspaces, monitoring: Monitoring,
                 today: Callable[[], date] | None = None,
                 living: LivingAssessments | None = None) -> None:
        self.workspaces = workspaces
        self.monitoring = monitoring
        self.living = living
        self.today = today or monitoring.today

    def report(self, actor: Principal, workspace_id: str) -> ProcessReport:
        view = self.workspaces.get(actor, workspace_id)  # members only (NotFound otherwise)
        items = list(self.workspaces.listing(actor, workspace_id, purpose="report").items)
        found, _ = self.monitoring.list_series(actor, workspace_id, purpose="report")
        today = self.today()
        commitments = [i for i in items if i.kind is ItemKind.COMMITMENT]
        open_ = [(d, i) for i in commitments
                 if (d := _due(i)) is not None and str(i.fields.get("status")) not in CLOSED]
        breaches = [i for i in items if i.kind is ItemKind.BREACH]
        levels = [i.classification for i in items] + [Classification(s.classification) for s in found]
        return ProcessReport(
            workspace=view.workspace, role=view.role, today=today,
            classification=max(levels, key=RANK.__getitem__, default=Classification.PUBLIC),
            commitments=tuple(sorted(commitments, key=lambda i: (_due(i) or date.max, i.title))),
            breaches=tuple(sorted(breaches, key=lambda i: str(i.fields.get("date") or ""),
                                  reverse=True)),
            overdue=tuple(i for d, i in sorted(open_, key=lambda p: p[0]) if d < today),
            upcoming=tuple(i for d, i in sorted(open_, key=lambda p: p[0])
                           if today <= d and (d - today).days <= UPCOMING_DAYS),
            sessions=tuple(sorted((i for i in items if i.kind is ItemKind.SESSION),
                                  key=lambda i: str(i.fields.get("date") or ""),
                                  reverse=True)),
            alerts=tuple(alerts_of(found, items, today)),
            series=tuple(_series_section(s, found) for s in found),
            names={i.id: i.title for i in items},
            actors=actor_map(items),
            open_risks=tuple(
                (s.finding.title, s.finding.phase, s.finding.message)
                for s in (self.living.assess(actor, workspace_id).findings
                          if self.living is not None else ())
                if s.status == "open" and s.finding.kind == "risk"),
        )
