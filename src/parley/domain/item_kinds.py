"""The item kinds of a workspace, in the paper's own terms, declared as data.

The paper finds these negotiations lacked "rigorous actor mapping, data mining, interest
analysis, contingency planning or negotiation infrastructure" (p. 4). Each kind below is one of
those structures; validation, the API (`GET /api/workspace-kinds`), the CLI, the web forms and
exports all read these declarations. A field that holds a codebook variable's codes names it in
`codebook` (its choices are the codebook's codes; tests/domain/test_item_kinds.py holds the two
equal). Fields of type `log` are kept by Parley (a commitment's status history, a leniency
condition's revocation decisions, the process design's earlier versions): a client cannot set
them, and an edit never drops them.

Items written before these kinds (`party`, an `incident` of type `breach`, a commitment with a
`party`) are read in the new shape by `upgrade_legacy` and re-sealed in it at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ItemKind(StrEnum):
    ACTOR = "actor"
    RELATIONSHIP = "relationship"
    DEMAND = "demand"
    AGENDA_ITEM = "agenda-item"
    REDLINE = "redline"
    PROCESS_DESIGN = "process-design"
    VICTIMS_JUSTICE = "victims-justice"
    LENIENCY_CONDITION = "leniency-condition"
    COMMITMENT = "commitment"
    BREACH = "breach"
    DISPUTE_STEP = "dispute-step"
    CONTINGENCY = "contingency"
    NOTE = "note"
    DOCUMENT = "document"
    SESSION = "session"
    INCIDENT = "incident"
    SITUATION = "situation"  # the living assessment's hand-set profile (issue 11, item 2)
    RISK_RESPONSE = "risk-response"  # a finding marked addressed or accepted


class FieldType(StrEnum):
    LINE = "line"  # one line of text
    TEXT = "text"  # free text
    CHOICE = "choice"
    CHOICES = "choices"  # several of the declared choices
    NAMES = "names"  # list of short strings
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    REF = "ref"  # id of another item of this workspace
    LOG = "log"  # entries Parley appends (history, decisions); never set by a client
    PROFILE = "profile"  # scenario variables -> codes (checked against the codebook)


@dataclass(frozen=True)
class FieldSpec:
    """One field of an item kind."""

    name: str
    type: FieldType
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    personal: bool = False  # holds personal names (pseudonymised in anonymised exports)
    filterable: bool = False
    refers_to: ItemKind | None = None  # a REF field's kind: pickers offer only it
    codebook: str | None = None  # the codebook variable whose codes are the choices
    help: str = ""


@dataclass(frozen=True)
class KindRules:
    """What a kind is for, and how Parley keeps it."""

    label: str
    purpose: str
    single: bool = False  # at most one per workspace
    written_by: str = ""  # where not the item routes: the only way such items are created
    edited_there_too: bool = False  # and edited (the living assessment checks their values)


def _f(name: str, type_: FieldType, label: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, type_, label, **kw)


ACTOR_TYPES = ("person", "criminal-group", "faction", "government", "security-forces",
               "mediator", "church", "community", "victims", "ngo", "international",
               "business", "other")
PARTY_TYPES = ACTOR_TYPES  # the name before actors replaced parties
STANCES = ("supportive", "open", "neutral", "sceptical", "opposed", "unknown")
SPOILER_TYPES = ("internal-factions", "rival-criminal-groups", "business", "political",
                 "rival-law-enforcement", "international", "victims-civil-society",
                 "unspecified")
GROUP_DEMANDS = ("legalisation", "safe-passage", "temporary-ceasefire", "jobs", "legal-leniency",
                 "right-of-association", "public-services", "identity-recognition",
                 "end-humiliating-arrests", "education-training", "end-extradition",
                 "weaken-anti-crime-laws", "prison-conditions", "reintegration-path")
SECRECY = ("secret", "secret-then-public", "public", "exposed")
DESIGN_ELEMENTS = ("clear-objective", "agenda-and-rules", "delegations-and-venue",
                   "technical-support", "confidence-building", "facilitator-roles",
                   "confidentiality-and-communication")
VICTIMS_PARTICIPATION = ("none", "indirect", "direct")
JUSTICE_MECHANISMS = ("apology", "restorative-justice", "reparations", "restitution",
                      "truth-telling", "conditional-leniency", "reintegration-programme",
                      "prison-conditions")
PROCESS_FORMATS = ("accord-seeking", "open-ended-dialogue")
METHODS = ("face-to-face", "shuttle", "mixed")
POSITIONS = ("acceptable", "conditional", "redline")
RELATIONSHIP_TYPES = ("alliance", "rivalry", "patronage", "control", "communication-channel")
AGENDA_STATUSES = ("proposed", "agreed", "discussed", "settled", "dropped")
SESSION_FORMATS = ("direct", "indirect", "shuttle", "remote", "other")
COMMITMENT_STATUSES = ("proposed", "agreed", "in-progress", "fulfilled", "breached", "withdrawn")
BREACH_STATUSES = ("open", "resolved", "unresolved")
INCIDENT_TYPES = ("violence", "threat", "leak", "arrest", "other")
INCIDENT_STATUSES = BREACH_STATUSES
CONTINGENCY_TRIGGERS = ("leak", "splinter-violence", "leader-arrest", "breach",
                        "government-change", "spoiler-attack", "other")
CONTINGENCY_STATUSES = ("draft", "ready", "triggered", "closed")
REVOCATION_DECISIONS = ("revoke", "retain")
RESPONSE_STATUSES = ("open", "addressed", "accepted")

KINDS: Mapping[ItemKind, tuple[FieldSpec, ...]] = {
    ItemKind.ACTOR: (
        _f("name", FieldType.LINE, "Name", required=True, personal=True),
        _f("type", FieldType.CHOICE, "Type", required=True, choices=ACTOR_TYPES,
           filterable=True),
        _f("role", FieldType.LINE, "Role in the process"),
        _f("interests", FieldType.NAMES, "Interests"),
        _f("stance", FieldType.CHOICE, "Stance", choices=STANCES, filterable=True),
        _f("influence", FieldType.INTEGER, "Influence (1-5)", minimum=1, maximum=5),
        _f("spoiler_type", FieldType.CHOICE, "Spoiler type", choices=SPOILER_TYPES,
           codebook="spoilers", filterable=True,
           help="Set only for an actor who may undermine the talks."),
        _f("handling", FieldType.TEXT, "How it is being handled"),
        _f("notes", FieldType.TEXT, "Notes"),
    ),
    ItemKind.RELATIONSHIP: (
        _f("source", FieldType.REF, "From actor", required=True, refers_to=ItemKind.ACTOR),
        _f("target", FieldType.REF, "To actor", required=True, refers_to=ItemKind.ACTOR),
        _f("type", FieldType.CHOICE, "Relationship", required=True, choices=RELATIONSHIP_TYPES,
           filterable=True),
        _f("strength", FieldType.INTEGER, "Strength (1-5)", minimum=1, maximum=5),
        _f("since", FieldType.DATE, "Since"),
        _f("description", FieldType.TEXT, "Description"),
    ),
    ItemKind.DEMAND: (
        _f("actor", FieldType.REF, "Whose demand", refers_to=ItemKind.ACTOR),
        _f("code", FieldType.CHOICE, "Demand (codebook)", choices=GROUP_DEMANDS,
           codebook="group_demands", filterable=True),
        _f("text", FieldType.TEXT, "Demand in their words", required=True),
        _f("position", FieldType.CHOICE, "Our position", required=True, choices=POSITIONS,
           filterable=True),
        _f("reasoning", FieldType.TEXT, "Why this position"),
    ),
    ItemKind.AGENDA_ITEM: (
        _f("title", FieldType.LINE, "Title", required=True),
        _f("order", FieldType.INTEGER, "Order", minimum=1, maximum=999),
        _f("status", FieldType.CHOICE, "Status", choices=AGENDA_STATUSES, filterable=True),
        _f("session", FieldType.REF, "Session", refers_to=ItemKind.SESSION),
        _f("description", FieldType.TEXT, "Description"),
    ),
    ItemKind.REDLINE: (
        _f("title", FieldType.LINE, "Red line", required=True),
        _f("holder", FieldType.REF, "Whose red line (blank: ours)", refers_to=ItemKind.ACTOR),
        _f("demand", FieldType.REF, "Demand it answers", refers_to=ItemKind.DEMAND),
        _f("rationale", FieldType.TEXT, "Why it is a red line"),
    ),
    ItemKind.PROCESS_DESIGN: (
        _f("objective", FieldType.TEXT, "Objective", required=True),
        _f("agreement_date", FieldType.DATE, "Agreement date",
           help="When the agreement was (or is to be) concluded: commitments fall due after it."),
        _f("format", FieldType.CHOICE, "Format", choices=PROCESS_FORMATS, codebook="format"),
        _f("method", FieldType.CHOICE, "How the sides meet", choices=METHODS, codebook="method"),
        _f("secrecy", FieldType.CHOICE, "Secrecy or publicity", choices=SECRECY,
           codebook="secrecy"),
        _f("disclosure_plan", FieldType.TEXT, "Disclosure plan",
           help="Who is told what, when, and what is said if the talks leak."),
        _f("mediators", FieldType.NAMES, "Mediators", personal=True),
        _f("design_elements", FieldType.CHOICES, "Design elements in place",
           choices=DESIGN_ELEMENTS, codebook="design_elements"),
        _f("confidence_measures", FieldType.NAMES, "Confidence-building measures"),
        _f("communication_plan", FieldType.TEXT, "Communication plan"),
        _f("security_plan", FieldType.TEXT, "Security plan for participants"),
        _f("revisions", FieldType.LOG, "Earlier versions"),
    ),
    ItemKind.VICTIMS_JUSTICE: (
        _f("victims_participation", FieldType.CHOICE, "Victims' participation",
           choices=VICTIMS_PARTICIPATION, codebook="victims_participation"),
        _f("how", FieldType.TEXT, "How victims take part"),
        _f("justice_mechanisms", FieldType.CHOICES, "Justice mechanisms",
           choices=JUSTICE_MECHANISMS, codebook="justice_mechanisms"),
        _f("notes", FieldType.TEXT, "Notes"),
    ),
    ItemKind.LENIENCY_CONDITION: (
        _f("beneficiaries", FieldType.LINE, "Beneficiary group", required=True),
        _f("actor", FieldType.REF, "Actor it concerns", refers_to=ItemKind.ACTOR),
        _f("benefit", FieldType.TEXT, "Benefit"),
        _f("eligibility", FieldType.TEXT, "Eligibility conditions", required=True),
        _f("retention", FieldType.TEXT, "Retention conditions", required=True),
        _f("revocations", FieldType.LOG, "Revocation decisions"),
    ),
    ItemKind.COMMITMENT: (
        _f("text", FieldType.TEXT, "Commitment", required=True),
        _f("actor", FieldType.REF, "Responsible actor", refers_to=ItemKind.ACTOR),
        _f("deadline", FieldType.DATE, "Deadline"),
        _f("status", FieldType.CHOICE, "Status", required=True, choices=COMMITMENT_STATUSES,
           filterable=True),
        _f("verification", FieldType.TEXT, "Verification source"),
        _f("notes", FieldType.TEXT, "Notes"),
        _f("status_history", FieldType.LOG, "Status history"),
    ),
    ItemKind.BREACH: (
        _f("date", FieldType.DATE, "Date", required=True),
        _f("commitment", FieldType.REF, "Commitment broken", refers_to=ItemKind.COMMITMENT),
        _f("leniency_condition", FieldType.REF, "Retention condition broken",
           refers_to=ItemKind.LENIENCY_CONDITION,
           help="Recording it opens a revocation decision on that condition."),
        _f("actor", FieldType.REF, "By whom", refers_to=ItemKind.ACTOR),
        _f("description", FieldType.TEXT, "What happened", required=True),
        _f("evidence", FieldType.TEXT, "Evidence"),
        _f("status", FieldType.CHOICE, "Status", choices=BREACH_STATUSES, filterable=True),
        _f("resolution", FieldType.TEXT, "How it was resolved"),
    ),
    ItemKind.DISPUTE_STEP: (
        _f("title", FieldType.LINE, "Step", required=True),
        _f("order", FieldType.INTEGER, "Order", minimum=1, maximum=99),
        _f("who", FieldType.LINE, "Who acts"),
        _f("time_limit", FieldType.LINE, "Time limit"),
        _f("description", FieldType.TEXT, "What happens"),
    ),
    ItemKind.CONTINGENCY: (
        _f("trigger", FieldType.CHOICE, "Trigger", required=True, choices=CONTINGENCY_TRIGGERS,
           filterable=True),
        _f("title", FieldType.LINE, "Trigger in words", required=True),
        _f("response", FieldType.TEXT, "Planned response", required=True),
        _f("owner", FieldType.LINE, "Owner", personal=True),
        _f("status", FieldType.CHOICE, "Status", choices=CONTINGENCY_STATUSES, filterable=True),
    ),
    ItemKind.NOTE: (
        _f("title", FieldType.LINE, "Title", required=True),
        _f("text", FieldType.TEXT, "Text"),
    ),
    ItemKind.SITUATION: (
        _f("values", FieldType.PROFILE, "Situation set by hand",
           help="Scenario variables the items do not tell, as in a scenario file."),
        _f("notes", FieldType.TEXT, "Notes"),
        _f("history", FieldType.LOG, "How the assessment moved"),
    ),
    ItemKind.RISK_RESPONSE: (
        _f("guideline", FieldType.LINE, "Finding (guideline id)", required=True),
        _f("status", FieldType.CHOICE, "Status", required=True, choices=RESPONSE_STATUSES,
           filterable=True),
        _f("addressed_by", FieldType.REF, "Addressed by (item)",
           help="The item that addresses it: a contingency, a design, a commitment, ..."),
        _f("reason", FieldType.TEXT, "Why"),
        _f("status_history", FieldType.LOG, "Status history"),
    ),
    ItemKind.DOCUMENT: (
        _f("title", FieldType.LINE, "Title", required=True),
        _f("description", FieldType.TEXT, "Description"),
    ),
    ItemKind.SESSION: (
        _f("date", FieldType.DATE, "Date", required=True),
        _f("place", FieldType.LINE, "Place"),
        _f("format", FieldType.CHOICE, "Format", choices=SESSION_FORMATS, filterable=True),
        _f("participants", FieldType.NAMES, "Participants", personal=True),
        _f("summary", FieldType.TEXT, "Summary"),
    ),
    ItemKind.INCIDENT: (
        _f("date", FieldType.DATE, "Date", required=True),
        _f("type", FieldType.CHOICE, "Type", required=True, choices=INCIDENT_TYPES,
           filterable=True),
        _f("description", FieldType.TEXT, "What happened", required=True),
        _f("commitment", FieldType.REF, "Commitment it concerns", refers_to=ItemKind.COMMITMENT),
        _f("status", FieldType.CHOICE, "Status", choices=INCIDENT_STATUSES, filterable=True),
        _f("resolution", FieldType.TEXT, "How it was resolved"),
    ),
}

RULES: Mapping[ItemKind, KindRules] = {
    ItemKind.ACTOR: KindRules("Actor", "Who is at or around the table: interests, stance, "
                              "influence, and whether and how it may spoil the talks."),
    ItemKind.RELATIONSHIP: KindRules("Relationship", "Alliances, rivalries, patronage, control "
                                     "and channels of communication between actors."),
    ItemKind.DEMAND: KindRules("Demand", "What an actor asks for, and the team's position."),
    ItemKind.AGENDA_ITEM: KindRules("Agenda item", "A point of the talks' agenda."),
    ItemKind.REDLINE: KindRules("Red line", "What the team (or an actor) will not concede."),
    ItemKind.PROCESS_DESIGN: KindRules(
        "Process design", "Objective, format, secrecy and disclosure, mediators, confidence-"
        "building, communication and security: one per workspace, its versions kept.",
        single=True),
    ItemKind.VICTIMS_JUSTICE: KindRules("Victims and justice", "How victims take part, and the "
                                        "justice mechanisms of the process."),
    ItemKind.LENIENCY_CONDITION: KindRules(
        "Leniency condition", "Who may benefit, on what conditions, and what keeps the benefit; "
        "a breach of it opens a revocation decision."),
    ItemKind.COMMITMENT: KindRules("Commitment", "Who promised what by when, how it is "
                                   "verified; its status history is kept."),
    ItemKind.BREACH: KindRules("Breach", "A commitment or retention condition broken, with "
                               "the evidence."),
    ItemKind.DISPUTE_STEP: KindRules("Dispute step", "One step of the agreed, non-violent way "
                                     "to resolve disputes and answer breaches."),
    ItemKind.CONTINGENCY: KindRules("Contingency", "A trigger, the planned response and who "
                                    "owns it."),
    ItemKind.NOTE: KindRules("Note", "Free text."),
    ItemKind.SITUATION: KindRules(
        "Situation", "The situation's scenario values that the items do not tell (set by "
        "hand), and how the living assessment moved: one per workspace.", single=True,
        written_by="the living assessment (PUT .../assessment/situation)",
        edited_there_too=True),
    ItemKind.RISK_RESPONSE: KindRules(
        "Risk response", "A finding of the living assessment marked addressed (by an item) or "
        "accepted (by whom, why).",
        written_by="the living assessment (PUT .../assessment/findings/{guideline})",
        edited_there_too=True),
    ItemKind.DOCUMENT: KindRules("Document", "An uploaded file.",
                                 written_by="uploading a file (POST .../documents)"),
    ItemKind.SESSION: KindRules("Session", "A meeting of the talks."),
    ItemKind.INCIDENT: KindRules("Incident", "An event that bears on the talks (violence, a "
                                 "threat, a leak, an arrest)."),
}

LEGACY_KINDS: Mapping[str, ItemKind] = {"party": ItemKind.ACTOR}
"""Kinds of items written before the paper's framework, and the kind they are read as."""


def upgrade_legacy(kind: str, fields: Mapping[str, Any]) -> tuple[ItemKind, dict[str, Any]]:
    """An item written in an older shape, in today's (no value is lost: what has no field of
    its own is kept in the notes). Items already in today's shape come back unchanged."""
    out = dict(fields)
    if kind == "party":
        notes = [str(out.pop("notes", "") or "")]
        if out.get("stance") == "spoiler":
            out["stance"] = "opposed"
            out.setdefault("spoiler_type", "unspecified")
        if out.get("influence") == 0:
            out["influence"] = None
            notes.append("Influence was recorded as 0 (before actors replaced parties).")
        out.setdefault("spoiler_type", None)
        out.setdefault("handling", None)
        out["notes"] = "\n\n".join(n for n in notes if n) or None
        return ItemKind.ACTOR, out
    if kind == "incident" and out.get("type") in ("breach", "incident"):
        if out.get("type") == "breach":
            out.pop("type")
            return ItemKind.BREACH, {"date": out.get("date"),
                                     "commitment": out.get("commitment"),
                                     "leniency_condition": None, "actor": None,
                                     "description": out.get("description"),
                                     "evidence": None, "status": out.get("status"),
                                     "resolution": out.get("resolution")}
        out["type"] = "other"
    if kind == "commitment" and ("party" in out or "due_date" in out):
        notes = [str(out.get("notes") or "")]
        for old, label in (("eligibility_conditions", "Eligibility conditions"),
                           ("retention_conditions", "Retention conditions")):
            if out.get(old):
                notes.append(f"{label}: {out[old]}")
            out.pop(old, None)
        out["actor"] = out.pop("party", None)
        out["deadline"] = out.pop("due_date", None)
        out["notes"] = "\n\n".join(n for n in notes if n) or None
        out.setdefault("status_history", [])
    return ItemKind(kind), out


def describe_kinds() -> list[dict[str, Any]]:
    """Every kind and its fields as plain data (`GET /api/workspace-kinds`, `parley workspaces
    kinds --json`): one description, so the API and the command line cannot disagree."""
    return [{
        "kind": kind.value, "label": RULES[kind].label, "purpose": RULES[kind].purpose,
        "single": RULES[kind].single, "written_by": RULES[kind].written_by or None,
        "fields": [{"name": f.name, "type": f.type.value, "label": f.label,
                    "required": f.required, "choices": list(f.choices) or None,
                    "minimum": f.minimum, "maximum": f.maximum,
                    "refers_to": f.refers_to.value if f.refers_to else None,
                    "codebook": f.codebook, "personal": f.personal, "help": f.help or None}
                   for f in specs],
    } for kind, specs in KINDS.items()]
