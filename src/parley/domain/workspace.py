"""A negotiation workspace: members with roles, and classified items of the kinds the paper
names (`item_kinds.py`).

Each kind's fields are declared as data (`KINDS`), so validation, the API, the web forms and
exports all read the same definitions. Items are plain frozen dataclasses; storage encrypts the
fields of restricted and secret items and never sees them as columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from parley.domain.access import Classification, Role
from parley.domain.errors import ConfigurationError, Msg, Problem, ValidationFailed, msg
from parley.domain.item_kinds import (
    ACTOR_TYPES,
    AGENDA_STATUSES,
    BREACH_STATUSES,
    COMMITMENT_STATUSES,
    CONTINGENCY_STATUSES,
    INCIDENT_STATUSES,
    KINDS,
    LEGACY_KINDS,
    PARTY_TYPES,
    RELATIONSHIP_TYPES,
    RULES,
    SESSION_FORMATS,
    STANCES,
    FieldSpec,
    FieldType,
    ItemKind,
    KindRules,
    upgrade_legacy,
)

MAX_NAME = 200
MAX_TEXT = 20_000
MAX_LIST = 100
MAX_DESCRIPTION = 2000
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


DOCUMENT_TYPES: Mapping[str, str] = {
    "application/pdf": ".pdf", "text/plain": ".txt", "text/csv": ".csv",
    "image/png": ".png", "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
"""Accepted upload content types and their file extensions."""


__all__ = [  # the kinds' declarations, re-exported: callers import workspaces from one place
    "ACTOR_TYPES", "KINDS", "LEGACY_KINDS", "PARTY_TYPES", "RELATIONSHIP_TYPES", "RULES",
    "SESSION_FORMATS", "STANCES", "FieldSpec", "FieldType", "ItemKind", "KindRules",
    "upgrade_legacy",
]

_E = TypeVar("_E", bound=Enum)


def _parse_code(kind: type[_E], raw: object, name: str) -> _E:
    """A member of `kind` by value, or bad input naming the field and the allowed values."""
    try:
        return kind(str(raw))
    except ValueError:
        allowed = ", ".join(str(k.value) for k in kind)
        raise ValidationFailed([Problem(f"unknown {name} '{raw}'; allowed: {allowed}",
                                        field=name)]) from None


def parse_kind(raw: object) -> ItemKind:
    return _parse_code(ItemKind, raw, "kind")


def parse_classification(raw: object) -> Classification:
    return _parse_code(Classification, raw, "classification")


def parse_role(raw: object) -> Role:
    return _parse_code(Role, raw, "role")


def _clean_text(value: str, one_line: bool) -> str:
    # NUL and other control characters have no place in notes; they break some databases
    text = "".join(ch for ch in value if ch in "\n\t" or ch >= " ")
    if one_line:
        text = " ".join(text.split())
    return text.strip()


def _check(spec: FieldSpec, raw: object) -> tuple[Any, Msg | None]:
    """(normalised value, problem or None) for one field."""
    t = spec.type
    if t in (FieldType.LINE, FieldType.TEXT, FieldType.CHOICE, FieldType.REF):
        if not isinstance(raw, str):
            return None, msg("field.string", "must be a string")
        limit = MAX_NAME if t is FieldType.LINE else MAX_TEXT
        text = _clean_text(raw, one_line=t is not FieldType.TEXT)
        if len(text) > limit:
            return None, msg("field.too-long", "longer than %(limit)s characters", limit=limit)
        if t is FieldType.CHOICE and text and text not in spec.choices:
            return None, msg("field.not-a-choice", "'%(value)s' is not one of: %(allowed)s",
                             value=text, allowed=", ".join(spec.choices))
        if t is FieldType.REF and text and not ID_PATTERN.match(text):
            return None, msg("field.not-an-item", "is not an item id")
        return text, None
    if t is FieldType.PROFILE:
        if not isinstance(raw, dict) or len(raw) > MAX_LIST or not all(
                isinstance(k, str) and (isinstance(v, str) or (isinstance(v, list) and all(
                    isinstance(x, str) for x in v))) for k, v in raw.items()):
            return None, msg("field.profile", "must map scenario variables to a code or a list "
                             "of codes")
        return {k: v for k, v in raw.items() if v not in ("", [])}, None
    if t is FieldType.CHOICES:
        picked = re.split(r"[,;\n]", raw) if isinstance(raw, str) else raw
        if not isinstance(picked, list) or not all(isinstance(x, str) for x in picked):
            return None, msg("field.codes", "must be a list of codes")
        codes = list(dict.fromkeys(x.strip() for x in picked if x.strip()))
        wrong = [x for x in codes if x not in spec.choices]
        if wrong:
            return None, msg("field.not-choices", "%(values)s not among: %(allowed)s",
                             values=", ".join(repr(x[:40]) for x in wrong[:5]),
                             allowed=", ".join(spec.choices))
        return codes, None
    if t is FieldType.NAMES:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            return None, msg("field.strings", "must be a list of strings")
        if isinstance(raw, str):
            items = re.split(r"[;\n]", raw)
        cleaned = [_clean_text(x, one_line=True) for x in items]
        cleaned = [x for x in cleaned if x]
        if len(cleaned) > MAX_LIST:
            return None, msg("field.too-many", "more than %(limit)s entries", limit=MAX_LIST)
        if any(len(x) > MAX_NAME for x in cleaned):
            return None, msg("field.entry-too-long", "an entry is longer than %(limit)s "
                             "characters", limit=MAX_NAME)
        return cleaned, None
    if t is FieldType.DATE:
        if not isinstance(raw, str):
            return None, msg("field.date", "must be a date YYYY-MM-DD")
        if not raw.strip():
            return "", None
        try:
            return date.fromisoformat(raw.strip()).isoformat(), None
        except ValueError:
            return None, msg("field.not-a-date", "'%(value)s' is not a date YYYY-MM-DD",
                             value=raw[:40])
    if t is FieldType.INTEGER:
        if isinstance(raw, str) and raw.strip() == "":
            return None, None
        if isinstance(raw, bool):
            return None, msg("field.integer", "must be an integer")
        try:
            number = int(raw) if isinstance(raw, int | str) else None
        except ValueError:
            number = None
        if number is None:
            return None, msg("field.integer", "must be an integer")
        if (spec.minimum is not None and number < spec.minimum) or (
                spec.maximum is not None and number > spec.maximum):
            return None, msg("field.range", "must be between %(low)s and %(high)s",
                             low=spec.minimum, high=spec.maximum)
        return number, None
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, str) and raw in ("true", "false", "on", ""):
        return raw in ("true", "on"), None
    return None, msg("field.boolean", "must be true or false")


def validate_fields(kind: ItemKind, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise an item's fields; every problem is named with its field.

    Unknown fields are errors (a typo must not be silently dropped); missing optional fields
    are empty. `log` fields are Parley's: a value sent for one is ignored (a client may send
    back what it read) and the service keeps the stored entries.
    """
    specs = {s.name: s for s in KINDS[kind] if s.type is not FieldType.LOG}
    known = {s.name for s in KINDS[kind]}
    problems = [Problem.of(msg("field.unknown", "unknown field for a %(kind)s; allowed: "
                               "%(allowed)s", kind=kind.value, allowed=", ".join(specs)),
                           field=str(name)[:80])
                for name in raw if name not in known]
    out: dict[str, Any] = {}
    for spec in specs.values():
        value = raw.get(spec.name)
        if value is None:
            normalised: Any = None
        else:
            normalised, problem = _check(spec, value)
            if problem:
                problems.append(Problem.of(problem, field=spec.name))
                continue
        if normalised in (None, "", []):
            if spec.required:
                problems.append(Problem.of(msg("field.required", "is required"),
                                           field=spec.name))
                continue
            normalised = [] if spec.type in (FieldType.NAMES, FieldType.CHOICES) else None
        out[spec.name] = normalised
    if problems:
        raise ValidationFailed(problems)
    return out


def validate_workspace_name(name: str) -> str:
    cleaned = _clean_text(name, one_line=True)
    if not cleaned:
        raise ValidationFailed([Problem("is required", field="name")])
    if len(cleaned) > MAX_NAME:
        raise ValidationFailed([Problem(f"longer than {MAX_NAME} characters", field="name")])
    return cleaned


def validate_description(text: str) -> str:
    cleaned = _clean_text(text, one_line=False)
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationFailed([Problem(f"longer than {MAX_DESCRIPTION} characters",
                                        field="description")])
    return cleaned


@dataclass(frozen=True)
class Workspace:
    """One negotiation process."""

    id: str
    name: str
    description: str
    version: int
    created_at: datetime


@dataclass(frozen=True)
class Member:
    user: str
    role: Role


@dataclass(frozen=True)
class Attachment:
    """An uploaded file's metadata (its bytes are fetched separately)."""

    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Item:
    """One classified item of a workspace."""

    id: str
    workspace_id: str
    kind: ItemKind
    classification: Classification
    fields: Mapping[str, Any]
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    attachment: Attachment | None = None

    @property
    def title(self) -> str:
        return item_title(self.kind, self.fields)


class ItemUnreadable(ConfigurationError):
    """An item row fails its integrity check (edited, swapped, rolled back, forged, or in the
    old format): it is refused, and only it; lists leave it out and name it."""

    def __init__(self, workspace_id: str, item_id: str, reason: str) -> None:
        super().__init__(f"item '{item_id}' of workspace '{workspace_id}' is unreadable: "
                         f"{reason}; run `parley db check`")
        self.workspace_id = workspace_id
        self.item_id = item_id
        self.reason = reason


@dataclass(frozen=True)
class ItemListing:
    """The items of a list, and the ids of those that failed their integrity check."""

    items: tuple[Item, ...]
    unreadable: tuple[str, ...] = ()


def item_title(kind: ItemKind, fields: Mapping[str, Any],
               names: Mapping[str, str] | None = None) -> str:
    """A short label for lists; a relationship names its parties from `names` (item id ->
    title; an end not in it, e.g. above the reader's clearance, shows as "?")."""
    for key in ("name", "title"):
        if fields.get(key):
            return str(fields[key])
    if kind is ItemKind.SESSION:
        return f"Session {fields.get('date') or ''} {fields.get('place') or ''}".strip()
    if kind is ItemKind.RELATIONSHIP:
        known = names or {}
        source = known.get(str(fields.get("source")), "?")
        target = known.get(str(fields.get("target")), "?")
        return f"{source} — {str(fields.get('type') or '').replace('-', ' ')} — {target}"
    if kind is ItemKind.INCIDENT:
        return f"{(fields.get('type') or 'incident').capitalize()} {fields.get('date') or ''}"
    if kind is ItemKind.BREACH:
        return f"Breach {fields.get('date') or ''}".strip()
    if kind is ItemKind.LENIENCY_CONDITION and fields.get("beneficiaries"):
        return f"Leniency: {fields['beneficiaries']}"
    if kind in (ItemKind.PROCESS_DESIGN, ItemKind.VICTIMS_JUSTICE):
        return RULES[kind].label
    text = str(fields.get("text") or "")
    return text[:80] + ("…" if len(text) > 80 else "")


@dataclass(frozen=True)
class ItemFilter:
    """Filters of an item list; every value is checked against the declared choices."""

    kind: ItemKind | None = None
    classification: Classification | None = None
    choice: Mapping[str, str] = field(default_factory=dict)  # filterable choice field -> value
    text: str = ""

    def matches(self, item: Item) -> bool:
        if self.kind is not None and item.kind is not self.kind:
            return False
        if self.classification is not None and item.classification is not self.classification:
            return False
        for name, value in self.choice.items():
            if item.fields.get(name) != value:
                return False
        if self.text:
            needle = fold(self.text)
            hay = fold(" ".join(_flatten(item.fields.values())))
            if needle not in hay:
                return False
        return True


def fold(text: str) -> str:
    """Text as a search compares it: case and accents ignored ("tamara" finds "Támara",
    "carcel" finds "CÁRCEL"); letters that are not a base letter plus marks stay (ñ -> n)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _flatten(values: Sequence[Any] | Any) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, list):
            out.extend(str(x) for x in v)
        elif v is not None:
            out.append(str(v))
    return out


def parse_filter(kind: str | None, classification: str | None, status: str | None,
                 q: str | None) -> ItemFilter:
    """Build a filter from request parameters; unknown codes are named errors."""
    k = parse_kind(kind) if kind else None
    c = parse_classification(classification) if classification else None
    choice: dict[str, str] = {}
    if status:
        allowed = set(COMMITMENT_STATUSES) | set(INCIDENT_STATUSES) | set(AGENDA_STATUSES) | set(
            CONTINGENCY_STATUSES) | set(BREACH_STATUSES)
        if status not in allowed:
            raise ValidationFailed([Problem(
                f"unknown status '{status[:40]}'; allowed: {', '.join(sorted(allowed))}",
                field="status")])
        choice["status"] = status
    text = (q or "").strip()
    if len(text) > 200:
        raise ValidationFailed([Problem("longer than 200 characters", field="q")])
    return ItemFilter(k, c, choice, text)


def personal_names(items: Sequence[Item]) -> set[str]:
    """Every personal name held in the items' personal fields (people, participants)."""
    names: set[str] = set()
    for item in items:
        for spec in KINDS[item.kind]:
            if not spec.personal:
                continue
            if spec.name == "name" and item.fields.get("type") != "person":
                continue
            value = item.fields.get(spec.name)
            if isinstance(value, list):
                names.update(v for v in value if v)
            elif value:
                names.add(str(value))
    return names
