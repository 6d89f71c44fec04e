"""The brief's front page as data: the verdict rules, the contradiction rules, and the summary.

The rules live in `knowledge/verdict.yaml` and `knowledge/contradictions.yaml`; this module
validates them strictly (every problem with file, line and key; every citation verbatim when the
paper's text is given) and defines what an assessment's `summary` and `warnings` hold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from parley.domain.case import Locator, Path
from parley.domain.codebook import SLUG_RE, Codebook
from parley.domain.errors import Problem, QuerySyntaxError, ValidationFailed
from parley.domain.evidence import DEFAULT_SOURCE, Citation
from parley.domain.guideline import SEVERITIES
from parley.domain.query import Node, parse
from parley.domain.source import QuoteChecker

Verdict = Literal["talk-now", "prepare-first", "wait"]
SignalKind = Literal["ripeness", "preparation"]
SignalStatus = Literal["holds", "fails", "unknown"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
SIGNAL_KINDS: tuple[str, ...] = get_args(SignalKind)
SIGNAL_STATUSES: tuple[str, ...] = get_args(SignalStatus)
# the counts a rule may test, and the signal groups it may give as reasons: kind_status
COUNTS: tuple[str, ...] = tuple(f"{k}_{s}" for k in SIGNAL_KINDS for s in SIGNAL_STATUSES)


@dataclass(frozen=True)
class Signal:
    """A fact the paper ties to whether the moment is ripe or the preparation done."""

    id: str
    kind: SignalKind
    condition: Node
    condition_text: str
    texts: Mapping[str, str]  # status -> the sentence shown when the signal has that status
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class VerdictRule:
    """`verdict` when any of the counts in `when_any` is reached (no counts: always)."""

    verdict: Verdict
    when_any: Mapping[str, int]
    reasons: tuple[str, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Contradiction:
    """Values that cannot both be true; `condition` holds on stated values only."""

    id: str
    condition: Node
    condition_text: str
    message: str


@dataclass(frozen=True)
class BriefRules:
    """Everything the front page is decided by, loaded from the knowledge files."""

    labels: Mapping[str, str]
    meanings: Mapping[str, str]
    signals: tuple[Signal, ...]
    rules: tuple[VerdictRule, ...]
    contradictions: tuple[Contradiction, ...] = ()
    severity_points: Mapping[str, int] = field(
        default_factory=lambda: {"high": 3, "medium": 2, "low": 1})
    support_cap: int = 3
    max_reasons: int = 3


@dataclass(frozen=True)
class VerdictReason:
    """One fact the verdict rests on: a signal, its status for this scenario, and its text."""

    signal: str
    status: SignalStatus
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class FindOut:
    """An unknown variable that decides whether some findings apply."""

    variable: str
    findings: tuple[str, ...]  # finding ids


@dataclass(frozen=True)
class ScenarioWarning:
    """Contradictory values in a scenario, shown at the top of the brief."""

    id: str
    message: str
    variables: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """The decision summary on page one; findings and cases are referenced by id."""

    verdict: Verdict
    label: str
    meaning: str
    reasons: tuple[VerdictReason, ...]
    rule_citations: tuple[Citation, ...]
    risks: tuple[str, ...]
    actions: tuple[str, ...]
    similar: tuple[str, ...]
    outlook_sentence: str
    find_out: tuple[FindOut, ...] = ()


# ----- parsing ----------------------------------------------------------------------------------


@dataclass
class _Col:
    file: str | None
    locate: Locator | None
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, message: str, key: str | None = None) -> None:
        line = self.locate(path) if self.locate else None
        self.problems.append(Problem(message, self.file, line, None, key))


def _text(raw: Mapping[str, object], key: str, path: Path, col: _Col, limit: int = 400) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        col.add((*path, key), f"{key} must be text of 1 to {limit} characters", key)
        return ""
    return " ".join(value.split())


def _keys(raw: Mapping[str, object], allowed: tuple[str, ...], path: Path, col: _Col) -> None:
    for key in raw:
        if key not in allowed:
            col.add((*path, str(key)), f"unknown key '{key}'; allowed: {', '.join(allowed)}",
                    str(key))


def _query(raw: Mapping[str, object], key: str, path: Path, col: _Col, codebook: Codebook
           ) -> tuple[Node | None, str]:
    text = raw.get(key)
    if not isinstance(text, str) or not text.strip():
        col.add((*path, key), f"{key} must be a query expression in quotes", key)
        return None, ""
    try:
        return parse(text, codebook, allowed=[v.name for v in codebook.scenario_variables]), text
    except QuerySyntaxError as exc:
        col.add((*path, key), f"{key}: {exc.reason} (at character {exc.position + 1} of "
                f"{text!r})", key)
        return None, text


def _citations(raw: object, path: Path, col: _Col, sources: Mapping[str, QuoteChecker]
               ) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        col.add(path, "citations must be a non-empty list of {section, quote}", "citations")
        return ()
    out: list[Citation] = []
    for i, item in enumerate(raw):
        ipath = (*path, i)
        if not isinstance(item, Mapping) or not isinstance(item.get("section"), str) \
                or not isinstance(item.get("quote"), str) or not str(item["quote"]).strip():
            col.add(ipath, "a citation needs a section and a quote", "citations")
            continue
        _keys(item, ("source", "section", "quote"), ipath, col)
        citation = Citation(str(item.get("source", DEFAULT_SOURCE)), str(item["section"]),
                            " ".join(str(item["quote"]).split()))
        text = sources.get(citation.source)
        problem = text.problem(citation) if text is not None else None
        if problem:
            col.add((*ipath, "quote"), problem, "citations")
            continue
        out.append(citation)
    return tuple(out)


def _slug(raw: Mapping[str, object], path: Path, col: _Col, seen: set[str]) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not SLUG_RE.match(value):
        col.add((*path, "id"), f"id {value!r} is not a slug (lowercase words joined by hyphens)",
                "id")
        return ""
    if value in seen:
        col.add((*path, "id"), f"id '{value}' is used twice", "id")
    seen.add(value)
    return value


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50


def parse_verdict_rules(raw: object, codebook: Codebook, *, file: str | None = None,
                        locate: Locator | None = None,
                        sources: Mapping[str, QuoteChecker] | None = None) -> BriefRules:
    """Validate `verdict.yaml`: verdicts, signals, rules and ranking.

    Raises:
        ValidationFailed: every problem, each with file, line and key.
    """
    col = _Col(file, locate)
    srcs = sources or {}
    top = ("max_reasons", "ranking", "verdicts", "signals", "rules")
    if not isinstance(raw, Mapping):
        col.add((), "the verdict file must be a mapping with " + ", ".join(top))
        raise ValidationFailed(col.problems)
    _keys(raw, top, (), col)
    max_reasons = raw.get("max_reasons", 3)
    if not _count(max_reasons):
        col.add(("max_reasons",), "max_reasons must be a whole number from 1 to 50",
                "max_reasons")
    points, cap = _ranking(raw.get("ranking"), col)
    labels, meanings = _verdicts(raw.get("verdicts"), col)
    signals = _signals(raw.get("signals"), col, codebook, srcs)
    rules = _rules(raw.get("rules"), col, srcs)
    if col.problems:
        raise ValidationFailed(col.problems)
    return BriefRules(labels, meanings, signals, rules, (), points, cap,
                      int(max_reasons))


def _ranking(raw: object, col: _Col) -> tuple[dict[str, int], int]:
    if not isinstance(raw, Mapping):
        col.add(("ranking",), "ranking must be a mapping with severity_points and support_cap",
                "ranking")
        return {}, 0
    _keys(raw, ("severity_points", "support_cap"), ("ranking",), col)
    points = raw.get("severity_points")
    if not isinstance(points, Mapping) or set(points) != set(SEVERITIES) \
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100
                       for v in points.values()):
        col.add(("ranking", "severity_points"), "severity_points must give a whole number "
                "from 0 to 100 for each of " + ", ".join(SEVERITIES), "severity_points")
        points = {}
    cap = raw.get("support_cap")
    if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= 20:
        col.add(("ranking", "support_cap"), "support_cap must be a whole number from 0 to 20",
                "support_cap")
        cap = 0
    return {str(k): int(v) for k, v in points.items()}, cap


def _verdicts(raw: object, col: _Col) -> tuple[dict[str, str], dict[str, str]]:
    labels: dict[str, str] = {}
    meanings: dict[str, str] = {}
    if not isinstance(raw, Mapping) or set(raw) != set(VERDICTS):
        col.add(("verdicts",), "verdicts must be a mapping with exactly "
                + ", ".join(VERDICTS), "verdicts")
        return labels, meanings
    for verdict, entry in raw.items():
        path = ("verdicts", str(verdict))
        if not isinstance(entry, Mapping):
            col.add(path, "a verdict needs a label and a meaning", str(verdict))
            continue
        _keys(entry, ("label", "meaning"), path, col)
        labels[str(verdict)] = _text(entry, "label", path, col, 40)
        meanings[str(verdict)] = _text(entry, "meaning", path, col)
    return labels, meanings


def _signals(raw: object, col: _Col, codebook: Codebook, sources: Mapping[str, QuoteChecker]
             ) -> tuple[Signal, ...]:
    if not isinstance(raw, list) or not raw:
        col.add(("signals",), "signals must be a non-empty list", "signals")
        return ()
    out: list[Signal] = []
    seen: set[str] = set()
    keys = ("id", "kind", "holds_when", *SIGNAL_STATUSES, "citations")
    for i, entry in enumerate(raw):
        path = ("signals", i)
        if not isinstance(entry, Mapping):
            col.add(path, "a signal must be a mapping with " + ", ".join(keys))
            continue
        before = len(col.problems)
        _keys(entry, keys, path, col)
        sid = _slug(entry, path, col, seen)
        kind = entry.get("kind")
        if kind not in SIGNAL_KINDS:
            col.add((*path, "kind"), f"kind {kind!r} is not one of {', '.join(SIGNAL_KINDS)}",
                    "kind")
        node, text = _query(entry, "holds_when", path, col, codebook)
        texts = {s: _text(entry, s, path, col) for s in SIGNAL_STATUSES}
        citations = _citations(entry.get("citations"), (*path, "citations"), col, sources)
        if len(col.problems) == before and node is not None:
            out.append(Signal(sid, kind, node, text.strip(), texts,  # type: ignore[arg-type]
                              citations))
    return tuple(out)


def _rules(raw: object, col: _Col, sources: Mapping[str, QuoteChecker]
           ) -> tuple[VerdictRule, ...]:
    if not isinstance(raw, list) or not raw:
        col.add(("rules",), "rules must be a non-empty list", "rules")
        return ()
    out: list[VerdictRule] = []
    for i, entry in enumerate(raw):
        path = ("rules", i)
        if not isinstance(entry, Mapping):
            col.add(path, "a rule must be a mapping with verdict, when_any, reasons, citations")
            continue
        before = len(col.problems)
        _keys(entry, ("verdict", "when_any", "reasons", "citations"), path, col)
        verdict = entry.get("verdict")
        if verdict not in VERDICTS:
            col.add((*path, "verdict"), f"verdict {verdict!r} is not one of "
                    + ", ".join(VERDICTS), "verdict")
        when = entry.get("when_any", {})
        if not isinstance(when, Mapping) or not all(
                k in COUNTS and _count(v) for k, v in when.items()):
            col.add((*path, "when_any"), "when_any maps counts to whole numbers from 1 to 50; "
                    "counts: " + ", ".join(COUNTS), "when_any")
            when = {}
        reasons = entry.get("reasons")
        if not isinstance(reasons, list) or not reasons or not all(r in COUNTS for r in reasons):
            col.add((*path, "reasons"), "reasons must be a non-empty list of: "
                    + ", ".join(COUNTS), "reasons")
            reasons = []
        citations = _citations(entry.get("citations"), (*path, "citations"), col, sources)
        if len(col.problems) == before:
            out.append(VerdictRule(verdict, {str(k): int(v) for k, v in when.items()},  # type: ignore[arg-type]
                                   tuple(map(str, reasons)), citations))
    if out and out[-1].when_any:
        col.add(("rules", len(raw) - 1), "the last rule must have no when_any, so every "
                "scenario gets a verdict", "when_any")
    return tuple(out)


def parse_contradictions(raw: object, codebook: Codebook, *, file: str | None = None,
                         locate: Locator | None = None) -> tuple[Contradiction, ...]:
    """Validate `contradictions.yaml`.

    Raises:
        ValidationFailed: every problem, each with file, line and key.
    """
    col = _Col(file, locate)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("contradictions"), list):
        col.add((), "a contradictions file must be a mapping with a list under 'contradictions'")
        raise ValidationFailed(col.problems)
    _keys(raw, ("contradictions",), (), col)
    out: list[Contradiction] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw["contradictions"]):
        path = ("contradictions", i)
        if not isinstance(entry, Mapping):
            col.add(path, "a contradiction must be a mapping with id, when, message")
            continue
        before = len(col.problems)
        _keys(entry, ("id", "when", "message"), path, col)
        cid = _slug(entry, path, col, seen)
        node, text = _query(entry, "when", path, col, codebook)
        message = _text(entry, "message", path, col)
        if len(col.problems) == before and node is not None:
            out.append(Contradiction(cid, node, text.strip(), message))
    if col.problems:
        raise ValidationFailed(col.problems)
    return tuple(out)


def signal_counts(statuses: Collection[tuple[Signal, SignalStatus]]) -> dict[str, int]:
    """How many signals of each kind have each status (the counts rules test)."""
    counts = dict.fromkeys(COUNTS, 0)
    for signal, status in statuses:
        counts[f"{signal.kind}_{status}"] += 1
    return counts
