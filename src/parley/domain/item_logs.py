"""The entries Parley keeps inside items (their `log` fields), as pure functions.

A commitment's status history, the process design's earlier versions and a leniency
condition's revocation decisions are evidence: who changed what, when. They live in the sealed
item (so they are encrypted and classified with it) and only these functions append to them;
a client's edit never sets or drops them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parley.domain.errors import Conflict, NotFound, Problem, ValidationFailed
from parley.domain.item_kinds import KINDS, REVOCATION_DECISIONS, FieldType, ItemKind

MAX_REASON = 2000


def _logs(kind: ItemKind) -> list[str]:
    return [s.name for s in KINDS[kind] if s.type is FieldType.LOG]


def on_create(kind: ItemKind, fields: Mapping[str, Any], by: str, at: datetime
              ) -> dict[str, Any]:
    """A new item's fields with its logs started (a commitment's first status)."""
    out = dict(fields)
    for name in _logs(kind):
        out[name] = []
    if "status_history" in out:  # commitments, risk responses
        out["status_history"] = [{"status": out.get("status"), "at": at.isoformat(), "by": by}]
    return out


def on_update(kind: ItemKind, before: Mapping[str, Any], version: int,
              fields: Mapping[str, Any], by: str, at: datetime) -> dict[str, Any]:
    """The edited fields with the stored logs carried over and this change appended."""
    out = dict(fields)
    for name in _logs(kind):
        out[name] = list(before.get(name) or [])
    if "status_history" in out and before.get("status") != out.get("status"):
        out["status_history"].append({"status": out.get("status"), "at": at.isoformat(),
                                      "by": by, "was": before.get("status")})
    if kind is ItemKind.PROCESS_DESIGN:
        earlier = {k: v for k, v in before.items() if k not in _logs(kind)}
        if earlier != {k: v for k, v in out.items() if k not in _logs(kind)}:
            out["revisions"].append({"version": version, "replaced_at": at.isoformat(),
                                     "replaced_by": by, "fields": earlier})
    return out


def open_revocation(condition: Mapping[str, Any], breach_id: str, by: str, at: datetime
                    ) -> dict[str, Any] | None:
    """The condition with a pending revocation decision for `breach_id` (None if one is
    already open or decided for it: recording the breach again opens nothing new)."""
    entries = list(condition.get("revocations") or [])
    if any(e.get("breach") == breach_id for e in entries):
        return None
    entries.append({"breach": breach_id, "opened_at": at.isoformat(), "opened_by": by,
                    "decision": None, "reason": None, "decided_by": None, "decided_at": None})
    return {**condition, "revocations": entries}


def decide_revocation(condition: Mapping[str, Any], breach_id: str, decision: str,
                      reason: str, by: str, at: datetime) -> dict[str, Any]:
    """The condition with the revocation opened by `breach_id` decided, once and for good."""
    problems = []
    if decision not in REVOCATION_DECISIONS:
        problems.append(Problem(f"unknown decision '{decision[:40]}'; allowed: "
                                f"{', '.join(REVOCATION_DECISIONS)}", field="decision"))
    text = " ".join(reason.split())
    if not text:
        problems.append(Problem("is required: say why", field="reason"))
    elif len(text) > MAX_REASON:
        problems.append(Problem(f"longer than {MAX_REASON} characters", field="reason"))
    if problems:
        raise ValidationFailed(problems)
    entries = [dict(e) for e in condition.get("revocations") or []]
    found = next((e for e in entries if e.get("breach") == breach_id), None)
    if found is None:
        raise NotFound(f"no revocation opened by breach '{breach_id}' on this condition")
    if found.get("decision"):
        raise Conflict(f"the revocation opened by breach '{breach_id}' was decided "
                       f"('{found['decision']}' by {found.get('decided_by')}); a decision is "
                       "kept, not changed")
    found.update(decision=decision, reason=text, decided_by=by, decided_at=at.isoformat())
    return {**condition, "revocations": entries}


def with_snapshot(situation: Mapping[str, Any], snapshot: Mapping[str, Any], at: datetime
                  ) -> dict[str, Any] | None:
    """The situation with `snapshot` (the living assessment's summary) appended to its history,
    or None when it equals the last one (nothing moved)."""
    history = list(situation.get("history") or [])
    if history and {k: v for k, v in history[-1].items() if k != "at"} == dict(snapshot):
        return None
    return {**situation, "history": [*history, {**snapshot, "at": at.isoformat()}]}


def pending_revocations(condition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in condition.get("revocations") or [] if not e.get("decision")]
