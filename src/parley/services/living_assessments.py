"""The living assessment of a workspace: the assessment engine run on the workspace's own
situation, each finding marked open, addressed (by an item) or accepted (by whom, why), the
checklist by phase, and how it moved over time.

Everything is read through `Workspaces`, so a reader sees the assessment of the items they may
see: a finding triggered only by a secret actor does not appear to an observer. The profile set
by hand is the workspace's `situation` item and each response a `risk-response` item, so they
are classified, encrypted, audited and versioned like any item. The history is a log in the
situation item; a snapshot is appended when a member who may edit the situation views or changes
the assessment and it moved. It is computed from the items at or below the situation's
classification only, so it never tells a reader of the situation more than its level allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parley.analysis.assess import checklist_for, findings_for
from parley.analysis.situation import Profile, profile
from parley.domain import item_logs
from parley.domain.access import Classification, Role
from parley.domain.account import Principal
from parley.domain.assessment import ChecklistEntry
from parley.domain.codebook import Codebook
from parley.domain.errors import Forbidden, Problem, ValidationFailed
from parley.domain.guideline import PHASES, Finding, Guideline
from parley.domain.scenario import parse_scenario
from parley.domain.summary import BriefRules
from parley.domain.workspace import Item, ItemKind, Workspace
from parley.services.workspaces import Workspaces

_RANK = {c: i for i, c in enumerate(Classification)}


def codes_of(raw: str) -> str | list[str]:
    """Typed codes as a scenario file holds them: `a, b` a list, `a` one code (the page's and
    the command line's hand-set values)."""
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    return codes if len(codes) != 1 else codes[0]


@dataclass(frozen=True)
class FindingState:
    """A finding and what the team did about it."""

    finding: Finding
    status: str  # open, addressed, accepted
    response: Item | None = None
    addressed_by: str | None = None  # the addressing item's title
    by: str | None = None  # who set the status
    at: str | None = None


@dataclass(frozen=True)
class LivingAssessment:
    workspace: Workspace
    role: Role
    profile: Profile
    findings: tuple[FindingState, ...]
    checklist: Mapping[str, tuple[ChecklistEntry, ...]]  # phase -> entries
    situation: Item | None
    history: tuple[Mapping[str, Any], ...]
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out = {"open": 0, "addressed": 0, "accepted": 0}
        for f in self.findings:
            out[f.status] += 1
        return out


class LivingAssessments:
    def __init__(self, workspaces: Workspaces, codebook: Codebook,
                 guidelines: Sequence[Guideline], rules: BriefRules | None = None) -> None:
        self.workspaces = workspaces
        self.codebook = codebook
        self.guidelines = list(guidelines)
        self.rules = rules
        self._phase = {g.id: g.phase for g in self.guidelines}

    # -- reading ------------------------------------------------------------------------------

    def _evaluate(self, items: Sequence[Item], title: str
                  ) -> tuple[Profile, list[FindingState], dict[str, tuple[ChecklistEntry, ...]]]:
        situation = next((i for i in items if i.kind is ItemKind.SITUATION), None)
        hand = dict(situation.fields.get("values") or {}) if situation else {}
        prof = profile(items, hand)
        scenario = parse_scenario(prof.as_scenario(title[:200] or "workspace"), self.codebook)
        names = {i.id: i.title for i in items}
        responses = {str(i.fields.get("guideline")): i for i in items
                     if i.kind is ItemKind.RISK_RESPONSE}
        states = []
        for f in findings_for(scenario, self.guidelines, self.rules):
            r = responses.get(f.guideline)
            status = str(r.fields.get("status")) if r is not None else "open"
            last = (r.fields.get("status_history") or [{}])[-1] if r is not None else {}
            ref = r.fields.get("addressed_by") if r is not None else None
            states.append(FindingState(f, status, r, names.get(str(ref)) if ref else None,
                                       last.get("by"), last.get("at")))
        by_phase: dict[str, list[ChecklistEntry]] = {p: [] for p in PHASES}
        for entry in checklist_for(scenario, self.guidelines):
            by_phase[self._phase.get(entry.guideline, PHASES[0])].append(entry)
        return prof, states, {p: tuple(e) for p, e in by_phase.items()}

    def assess(self, actor: Principal, workspace_id: str) -> LivingAssessment:
        view = self.workspaces.get(actor, workspace_id)
        items = list(self.workspaces.listing(actor, workspace_id, purpose="assessment").items)
        prof, states, checklist = self._evaluate(items, view.workspace.name)
        situation = next((i for i in items if i.kind is ItemKind.SITUATION), None)
        if situation is not None:
            situation = self._record(actor, workspace_id, situation, items,
                                     view.workspace.name, (states, checklist)) or situation
        return LivingAssessment(
            view.workspace, view.role, prof, tuple(states), checklist, situation,
            tuple(situation.fields.get("history") or []) if situation else (),
            {i.id: i.title for i in items})

    def _snapshot(self, items: Sequence[Item], situation: Item, title: str,
                  seen: tuple[list[FindingState], dict[str, tuple[ChecklistEntry, ...]]]
                  ) -> dict[str, Any]:
        """The summary of the assessment at the situation's level (`seen`: the reader's own,
        reused when the reader sees nothing above that level)."""
        level = _RANK[situation.classification]
        shown = [i for i in items if _RANK[i.classification] <= level]
        states, checklist = seen if len(shown) == len(items) else self._evaluate(
            shown, title)[1:]
        entries = [e for phase in checklist.values() for e in phase]
        return {"open": sorted(s.finding.guideline for s in states if s.status == "open"),
                "addressed": sorted(s.finding.guideline for s in states
                                    if s.status == "addressed"),
                "accepted": sorted(s.finding.guideline for s in states
                                   if s.status == "accepted"),
                "checklist_done": sum(e.status == "done" for e in entries),
                "checklist_total": len(entries)}

    def _record(self, actor: Principal, workspace_id: str, situation: Item,
                items: Sequence[Item], title: str,
                seen: tuple[list[FindingState], dict[str, tuple[ChecklistEntry, ...]]]
                ) -> Item | None:
        """Append a snapshot if the assessment moved and the actor may edit the situation."""
        snapshot = self._snapshot(items, situation, title, seen)
        if item_logs.with_snapshot(situation.fields, snapshot, datetime.now(UTC)) is None:
            return None
        try:
            return self.workspaces.append_snapshot(actor, workspace_id, situation.id, snapshot)
        except Forbidden:
            return None  # a reader who may not edit leaves it to the next editor

    # -- changing -----------------------------------------------------------------------------

    def _items(self, actor: Principal, workspace_id: str) -> list[Item]:
        return list(self.workspaces.listing(actor, workspace_id, purpose="assessment").items)

    def set_situation(self, actor: Principal, workspace_id: str, values: Mapping[str, Any],
                      notes: str = "", classification: Classification = Classification.RESTRICTED,
                      version: int | None = None) -> Item:
        """Set the scenario values the items do not tell (checked against the codebook, each
        problem naming its variable); creates the situation on first use."""
        if not isinstance(values, Mapping):
            raise ValidationFailed([Problem("must map scenario variables to codes",
                                            field="values")])
        clean = {str(k): v for k, v in values.items() if v not in (None, "", [])}
        parse_scenario({"title": "situation", **clean}, self.codebook)  # names every problem
        current = next((i for i in self._items(actor, workspace_id)
                        if i.kind is ItemKind.SITUATION), None)
        fields = {"values": clean, "notes": notes}
        if current is None:
            return self.workspaces.create_item(actor, workspace_id, ItemKind.SITUATION,
                                               classification, fields, managed=True)
        if version is None:
            raise ValidationFailed([Problem("the situation's version you read is required "
                                            "(someone may have changed it meanwhile)",
                                            field="version")])
        return self.workspaces.update_item(actor, workspace_id, current.id, classification,
                                           fields, version, managed=True)

    def respond(self, actor: Principal, workspace_id: str, guideline: str, status: str,
                addressed_by: str | None = None, reason: str = "",
                classification: Classification = Classification.RESTRICTED) -> Item:
        """Mark a finding open, addressed (by an item) or accepted (with why)."""
        problems = []
        if guideline not in self._phase:
            problems.append(Problem(f"no guideline '{guideline[:80]}'", field="guideline"))
        if status == "addressed" and not addressed_by:
            problems.append(Problem("name the item that addresses it", field="addressed_by"))
        if status == "accepted" and not reason.strip():
            problems.append(Problem("say why the risk is accepted", field="reason"))
        if problems:
            raise ValidationFailed(problems)
        fields = {"guideline": guideline, "status": status, "reason": reason,
                  "addressed_by": addressed_by or ""}
        current = next((i for i in self._items(actor, workspace_id)
                        if i.kind is ItemKind.RISK_RESPONSE
                        and i.fields.get("guideline") == guideline), None)
        if current is None:
            return self.workspaces.create_item(actor, workspace_id, ItemKind.RISK_RESPONSE,
                                               classification, fields, managed=True)
        return self.workspaces.update_item(actor, workspace_id, current.id, classification,
                                           fields, current.version, managed=True)
