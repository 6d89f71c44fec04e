"""Cases: a negotiation coded on every codebook variable, each value with its evidence.

`parse_case` turns a plain mapping (from YAML or JSON) into a `Case`, collecting every problem
with its location before raising, so a user fixes a file in one pass.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from parley.domain.codebook import SLUG_RE, Codebook, Variable, VarType
from parley.domain.errors import Msg, Problem, ValidationFailed, msg
from parley.domain.evidence import (
    DEFAULT_SOURCE,
    MAX_QUOTE_WORDS,
    UNKNOWN,
    Citation,
    CodedValue,
    Unknown,
    Value,
)
from parley.domain.problems import KeyPath, ProblemCollector, suggest
from parley.domain.problems import Locator as Locator
from parley.domain.source import QuoteChecker, word_count

Path = KeyPath

MAX_TEXT = 500
MAX_SUMMARY = 3000
MAX_TITLE = 300
CASE_KEYS = ("id", "title", "country", "parent", "summary", "values")
VALUE_KEYS = ("value", "evidence", "note")
EVIDENCE_KEYS = ("source", "section", "quote")


@dataclass(frozen=True)
class Case:
    """A coded negotiation. `values` holds every coded codebook variable, UNKNOWN where silent."""

    id: str
    title: str
    summary: str
    values: Mapping[str, CodedValue]
    parent: str | None = None

    def value(self, name: str) -> Value | Unknown:
        return self.values[name].value

    @property
    def country(self) -> str | None:
        v = self.values.get("country")
        return v.value if v is not None and isinstance(v.value, str) else None

    def citations(self) -> list[Citation]:
        return [c for v in self.values.values() for c in v.evidence]


def _clean(text: str) -> bool:
    """No control characters (they corrupt terminals, CSV and logs) and no lone surrogates."""
    return not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def parse_value(
    var: Variable, raw: object
) -> tuple[Value | Unknown | None, Msg | None]:
    """Validate one raw value against its variable: (value, None) or (None, error message)."""
    if raw == "unknown":
        return UNKNOWN, None
    if var.type in (VarType.CODE, VarType.CODE_LIST) and isinstance(raw, bool):
        raw = "yes" if raw else "no"
    if var.type is VarType.CODE:
        if isinstance(raw, str) and raw in var.codes:
            return raw, None
        return None, msg("value.not-a-code", "%(value)s is not a code of %(name)s; allowed: "
                         "%(allowed)s, unknown", value=repr(raw), name=var.name,
                         allowed=var.allowed())
    if var.type is VarType.CODE_LIST:
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            return None, msg("value.codes-expected", "expected a non-empty list of codes; "
                             "allowed: %(allowed)s", allowed=var.allowed())
        items = ["yes" if i is True else "no" if i is False else i for i in raw]
        bad = [i for i in items if not isinstance(i, str) or i not in var.codes]
        if bad:
            if "unknown" in bad:
                return None, msg("value.unknown-in-list",
                                 "'unknown' stands alone, never inside a list")
            return None, msg("value.not-codes", "%(values)s not a code of %(name)s; allowed: "
                             "%(allowed)s", values=", ".join(repr(b) for b in bad),
                             name=var.name, allowed=var.allowed())
        if len(set(items)) != len(items):
            return None, msg("value.code-twice", "a code is listed twice")
        order = list(var.codes)
        return tuple(sorted(items, key=order.index)), None
    if var.type is VarType.INTEGER:
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 100_000:
            return raw, None
        shown = repr(raw) if len(repr(raw)) <= 40 else repr(raw)[:37] + "..."
        return None, msg("value.not-a-number", "%(value)s is not a whole number between 0 "
                         "and 100000 (or unknown)", value=shown)
    if var.type is VarType.TEXT:
        if isinstance(raw, str) and raw.strip() and len(raw) <= MAX_TEXT and _clean(raw):
            return raw.strip(), None
        return None, msg("value.text-expected", "expected text of 1 to %(limit)s characters "
                         "without control characters", limit=MAX_TEXT)
    if var.type is VarType.TEXT_LIST:
        if isinstance(raw, str):
            raw = [raw]
        if (
            isinstance(raw, list)
            and raw
            and all(isinstance(i, str) and i.strip() and len(i) <= MAX_TEXT and _clean(i)
                    for i in raw)
        ):
            items = [i.strip() for i in raw]
            if len(set(items)) != len(items):
                return None, msg("value.item-twice", "an item is listed twice")
            return tuple(items), None
        return None, msg("value.texts-expected",
                         "expected a non-empty list of text items (or unknown)")
    return None, msg("value.not-coded", "variable type %(type)s cannot be coded",
                     type=var.type.value)


def _parse_citations(
    raw: object, path: Path, name: str, col: ProblemCollector, sources: Mapping[str, QuoteChecker]
) -> list[Citation]:
    out: list[Citation] = []
    if not isinstance(raw, list) or not raw:
        col.add(path, "a value other than unknown needs evidence: a list of {section, quote}", name)
        return out
    for i, item in enumerate(raw):
        ipath = (*path, i)
        if not isinstance(item, Mapping):
            col.add(ipath, "evidence item must be a mapping with section and quote", name)
            continue
        extra = [k for k in item if k not in EVIDENCE_KEYS]
        if extra:
            col.add(ipath, f"unknown key(s) {extra} in evidence; allowed: source, section, quote", name)
        source = item.get("source", DEFAULT_SOURCE)
        section, quote = item.get("section"), item.get("quote")
        if not isinstance(source, str) or not isinstance(section, str) or not section.strip():
            col.add(ipath, "evidence needs a section (a section title of the source)", name)
            continue
        if not isinstance(quote, str) or not quote.strip():
            col.add(ipath, "evidence needs a quote (verbatim, at most 40 words)", name)
            continue
        if word_count(quote) > MAX_QUOTE_WORDS:
            col.add(
                (*ipath, "quote"),
                f"quote has {word_count(quote)} words; at most {MAX_QUOTE_WORDS} are allowed",
                name,
            )
            continue
        citation = Citation(source, section, quote)
        text = sources.get(source)
        if text is not None:
            problem = text.problem(citation)
            if problem:
                col.add((*ipath, "quote"), problem, name)
                continue
        out.append(citation)
    return out


def parse_case(
    raw: object,
    codebook: Codebook,
    *,
    file: str | None = None,
    locate: Locator | None = None,
    sources: Mapping[str, QuoteChecker] | None = None,
) -> Case:
    """Validate a raw case mapping and build a Case.

    Args:
        raw: the parsed YAML or JSON document.
        codebook: the codebook to validate against.
        file: the file name, for error messages.
        locate: maps a key path to a line number, for error messages.
        sources: quote checkers (a source text, or its quote manifest); citations of a source
            given here must pass its check.

    Raises:
        ValidationFailed: with every problem found, each naming file, line, case and field.
    """
    col = ProblemCollector(file, locate)
    sources = sources or {}
    if not isinstance(raw, Mapping):
        col.add((), "a case must be a mapping with id, title, summary and values")
        raise ValidationFailed(col.problems)
    case_id = raw.get("id")
    if isinstance(case_id, str) and SLUG_RE.match(case_id):
        col.case = case_id
    else:
        col.add(("id",), f"id {case_id!r} is not a slug (lowercase words joined by hyphens)", "id")
    for key in raw:
        if key not in CASE_KEYS:
            col.add((str(key),), f"unknown key '{key}'{suggest(str(key), CASE_KEYS)}; "
                    f"allowed: {', '.join(CASE_KEYS)}", str(key))
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        col.add(("title",), f"title must be text of 1 to {MAX_TITLE} characters", "title")
    summary = raw.get("summary")
    if not isinstance(summary, str) or not summary.strip() or len(summary) > MAX_SUMMARY:
        col.add(("summary",), f"summary must be text of 1 to {MAX_SUMMARY} characters", "summary")
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not SLUG_RE.match(parent)):
        col.add(("parent",), "parent must be the id of another case, or null", "parent")
    if parent is not None and parent == case_id:
        col.add(("parent",), "a case cannot be its own parent", "parent")

    values: dict[str, CodedValue] = {}
    raw_values = raw.get("values")
    if not isinstance(raw_values, Mapping):
        col.add(("values",), "values must be a mapping of codebook variable to coded value", "values")
        raw_values = {}
    coded_names = [v.name for v in codebook.coded]
    for key in raw_values:
        if key not in coded_names:
            col.add(("values", str(key)), f"unknown variable '{key}'{suggest(str(key), coded_names)}"
                    "; the variables are listed in docs/codebook.md", str(key))
    missing = [n for n in coded_names if n not in raw_values]
    if missing:
        col.add(("values",), f"missing variable(s): {', '.join(missing)} (write 'unknown' where "
                "the source is silent)", "values")
    for var in codebook.coded:
        if var.name not in raw_values:
            continue
        entry = raw_values[var.name]
        path: Path = ("values", var.name)
        if entry == "unknown":
            values[var.name] = CodedValue(UNKNOWN)
            continue
        if not isinstance(entry, Mapping) or "value" not in entry:
            col.add(path, "expected 'unknown' or a mapping with value and evidence", var.name)
            continue
        extra = [k for k in entry if k not in VALUE_KEYS]
        if extra:
            col.add(path, f"unknown key(s) {extra}; allowed: value, evidence, note", var.name)
        note = entry.get("note")
        if note is not None and not isinstance(note, str):
            col.add((*path, "note"), "note must be text", var.name)
            note = None
        value, error = parse_value(var, entry["value"])
        if error or value is None:
            col.add((*path, "value"), str(error or "invalid value"), var.name)
            continue
        if value is UNKNOWN:
            if entry.get("evidence"):
                col.add(path, "an unknown value carries no evidence", var.name)
            values[var.name] = CodedValue(UNKNOWN, (), note)
            continue
        citations = _parse_citations(entry.get("evidence"), (*path, "evidence"), var.name, col, sources)
        if citations:
            values[var.name] = CodedValue(value, tuple(citations), note)
    top_country = raw.get("country")
    coded_country = values.get("country")
    if "country" in raw and coded_country is not None:
        expected = coded_country.value if isinstance(coded_country.value, str) else None
        if top_country != expected:
            col.add(("country",), f"country {top_country!r} differs from values.country "
                    f"{expected!r}; it is derived from values.country", "country")
    if col.problems:
        raise ValidationFailed(col.problems)
    assert isinstance(case_id, str) and isinstance(title, str) and isinstance(summary, str)
    ordered = {v.name: values[v.name] for v in codebook.coded}
    return Case(case_id, title.strip(), summary.strip(), ordered, parent)


def value_to_json(value: Value | Unknown) -> Any:
    if value is UNKNOWN:
        return "unknown"
    if isinstance(value, tuple):
        return list(value)
    return value


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case in the interchange shape of docs/interfaces.md."""
    values: dict[str, Any] = {}
    for name, coded in case.values.items():
        entry: dict[str, Any] = {"value": value_to_json(coded.value)}
        if coded.evidence:
            entry["evidence"] = [
                {"source": c.source, "section": c.section, "quote": c.quote} for c in coded.evidence
            ]
        if coded.note:
            entry["note"] = coded.note
        values[name] = entry
    return {
        "id": case.id,
        "title": case.title,
        "country": case.country,
        "parent": case.parent,
        "summary": case.summary,
        "values": values,
    }


def check_parents(cases: Sequence[Case], known_ids: set[str]) -> list[Problem]:
    """Problems with parent links: a parent that is neither in `cases` nor already known."""
    ids = {c.id for c in cases} | known_ids
    return [
        Problem(f"parent '{c.parent}' is not a known case", case=c.id, field="parent")
        for c in cases
        if c.parent is not None and c.parent not in ids
    ]
