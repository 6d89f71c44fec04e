"""Guidelines: the paper's lessons as rules, and the findings they produce for a scenario.

A guideline says when it applies (a query over scenario variables), what it recommends, why,
and which passages of the paper and which cases stand behind it. `parse_guidelines` validates
a raw guideline document (from YAML or JSON), collecting every problem with its location; the
knowledge loader turns those problems into a ConfigurationError at start-up.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from parley.domain.case import Locator, Path
from parley.domain.codebook import SLUG_RE, Codebook
from parley.domain.errors import Problem, QuerySyntaxError, ValidationFailed
from parley.domain.evidence import DEFAULT_SOURCE, MAX_QUOTE_WORDS, Citation
from parley.domain.problems import ProblemCollector
from parley.domain.query import Node, parse, render
from parley.domain.source import QuoteChecker, word_count

Kind = Literal["readiness", "risk", "recommendation"]
Phase = Literal["preparation", "design", "conduct", "agreement", "implementation"]
Severity = Literal["high", "medium", "low"]
# Why a finding applies: facts the scenario states, always (no condition), or only because a
# value it reads is unknown (then the brief lists it under "what to find out first").
Trigger = Literal["facts", "always", "unknown"]

KINDS: tuple[str, ...] = get_args(Kind)
PHASES: tuple[str, ...] = get_args(Phase)
SEVERITIES: tuple[str, ...] = get_args(Severity)
TRIGGERS: tuple[str, ...] = get_args(Trigger)

GUIDELINE_KEYS = (
    "id", "title", "kind", "phase", "severity", "topic", "applies_when", "message", "rationale",
    "citations", "cases", "checklist", "beyond_paper",
)
CITATION_KEYS = ("source", "section", "quote")
CHECKLIST_KEYS = ("item", "done_when")
BEYOND_KEYS = ("source", "note")
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class ChecklistItem:
    """A process-design element a team can tick off; `done_when` tests the scenario for it."""

    item: str
    done_when: Node
    done_when_text: str


@dataclass(frozen=True)
class BeyondPaper:
    """Marks a guideline that goes beyond the paper, naming where it comes from."""

    source: str
    note: str


@dataclass(frozen=True)
class Guideline:
    """One lesson of the paper as a rule. It cannot exist without a citation."""

    id: str
    title: str
    kind: Kind
    phase: Phase
    severity: Severity
    topic: str
    applies_when: Node | None  # None: applies always
    message: str
    rationale: str
    citations: tuple[Citation, ...]
    cases: tuple[str, ...] = ()
    checklist: ChecklistItem | None = None
    beyond_paper: BeyondPaper | None = None

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError(f"guideline '{self.id}' needs at least one citation")

    @property
    def applies_when_text(self) -> str:
        """The condition in canonical query form ("" when the guideline always applies)."""
        return render(self.applies_when) if self.applies_when is not None else ""


@dataclass(frozen=True)
class Finding:
    """What a guideline says about one scenario. Without citations there is no finding."""

    guideline: str
    title: str
    kind: Kind
    phase: Phase
    severity: Severity
    topic: str
    message: str
    citations: tuple[Citation, ...]
    cases: tuple[str, ...] = ()
    beyond_paper: BeyondPaper | None = None
    trigger: Trigger = "always"
    strength: int = 0  # how strongly the scenario triggers it (docs/assessment.md, "Ranking")
    unknowns: tuple[str, ...] = ()  # the unknown variables an unknown-triggered finding reads

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError(f"a finding needs citations (guideline '{self.guideline}')")

    @property
    def id(self) -> str:
        """A finding's id is its guideline's: a guideline yields at most one finding."""
        return self.guideline

    @classmethod
    def of(cls, guideline: Guideline) -> Finding:
        """The finding a guideline yields when it applies."""
        return cls(guideline.id, guideline.title, guideline.kind, guideline.phase,
                   guideline.severity, guideline.topic, guideline.message, guideline.citations,
                   guideline.cases, guideline.beyond_paper)


def _add(col: ProblemCollector, path: Path, message: str, guideline: str | None,
         fieldname: str | None) -> None:
    col.add(path, message, fieldname, subject=f"guideline '{guideline}'" if guideline else None)


def _text(raw: Mapping[str, object], key: str, path: Path, col: ProblemCollector, gid: str | None,
          limit: int = MAX_MESSAGE) -> str:
    if key not in raw:
        _add(col, path, f"missing key '{key}'", gid, key)
        return ""
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        _add(col, (*path, key), f"{key} must be text of 1 to {limit} characters", gid, key)
        return ""
    return " ".join(value.split())


def _choice(raw: Mapping[str, object], key: str, allowed: tuple[str, ...], path: Path,
            col: ProblemCollector, gid: str | None) -> str:
    if key not in raw:
        _add(col, path, f"missing key '{key}'", gid, key)
        return allowed[0]
    value = raw.get(key)
    if value not in allowed:
        _add(col, (*path, key), f"{key} {value!r} is not one of {', '.join(allowed)}", gid, key)
        return allowed[0]
    return str(value)


def _query(text: object, key: str, path: Path, col: ProblemCollector, gid: str | None,
           codebook: Codebook, allowed: Collection[str], *, empty_ok: bool) -> Node | None:
    if not isinstance(text, str):
        _add(col, path, f"{key} must be a query expression in quotes"
                + (" (\"\" = always)" if empty_ok else ""), gid, key)
        return None
    if not text.strip():
        if not empty_ok:
            _add(col, path, f"{key} cannot be empty", gid, key)
        return None
    try:
        return parse(text, codebook, allowed=allowed)
    except QuerySyntaxError as exc:
        _add(col, path, f"{key}: {exc.reason} (at character {exc.position + 1} of {text!r})",
                gid, key)
        return None


def _citations(raw: object, path: Path, col: ProblemCollector, gid: str | None,
               sources: Mapping[str, QuoteChecker]) -> list[Citation]:
    if not isinstance(raw, list) or not raw:
        _add(col, path, "citations must be a non-empty list of {section, quote}", gid, "citations")
        return []
    out: list[Citation] = []
    for i, item in enumerate(raw):
        ipath = (*path, i)
        if not isinstance(item, Mapping):
            _add(col, ipath, "a citation must be a mapping with section and quote", gid, "citations")
            continue
        extra = [str(k) for k in item if k not in CITATION_KEYS]
        if extra:
            _add(col, ipath, f"unknown key(s) {', '.join(extra)} in citation; allowed: "
                    + ", ".join(CITATION_KEYS), gid, "citations")
        source, section, quote = item.get("source", DEFAULT_SOURCE), item.get("section"), \
            item.get("quote")
        if not (isinstance(source, str) and isinstance(section, str) and section.strip()
                and isinstance(quote, str) and quote.strip()):
            _add(col, ipath, "a citation needs a section and a quote", gid, "citations")
            continue
        if word_count(quote) > MAX_QUOTE_WORDS:
            _add(col, (*ipath, "quote"), f"quote has {word_count(quote)} words; at most "
                    f"{MAX_QUOTE_WORDS} are allowed", gid, "citations")
            continue
        citation = Citation(source, section, " ".join(quote.split()))
        text = sources.get(source)
        problem = text.problem(citation) if text is not None else None
        if problem:
            _add(col, (*ipath, "quote"), problem, gid, "citations")
            continue
        out.append(citation)
    return out


def _checklist(raw: object, path: Path, col: ProblemCollector, gid: str | None, codebook: Codebook,
               allowed: Collection[str]) -> ChecklistItem | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        _add(col, path, "checklist must be a mapping with item and done_when", gid, "checklist")
        return None
    extra = [str(k) for k in raw if k not in CHECKLIST_KEYS]
    if extra:
        _add(col, path, f"unknown key(s) {', '.join(extra)} in checklist; allowed: item, done_when",
                gid, "checklist")
    item = _text(raw, "item", path, col, gid, 300)
    done_text = raw.get("done_when")
    node = _query(done_text, "done_when", (*path, "done_when"), col, gid, codebook, allowed,
                  empty_ok=False)
    if not item or node is None:
        return None
    assert isinstance(done_text, str)
    return ChecklistItem(item, node, done_text.strip())


def _beyond(raw: object, path: Path, col: ProblemCollector, gid: str | None) -> BeyondPaper | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        _add(col, path, "beyond_paper must be a mapping with source and note", gid, "beyond_paper")
        return None
    extra = [str(k) for k in raw if k not in BEYOND_KEYS]
    if extra:
        _add(col, path, f"unknown key(s) {', '.join(extra)} in beyond_paper; allowed: source, note",
                gid, "beyond_paper")
    source = _text(raw, "source", path, col, gid, 500)
    note = _text(raw, "note", path, col, gid)
    return BeyondPaper(source, note) if source and note else None


def _parse_one(raw: object, path: Path, col: ProblemCollector, codebook: Codebook,
               sources: Mapping[str, QuoteChecker], case_ids: Collection[str] | None
               ) -> Guideline | None:
    if not isinstance(raw, Mapping):
        _add(col, path, "a guideline must be a mapping", None, None)
        return None
    before = len(col.problems)
    raw_id = raw.get("id")
    gid = raw_id if isinstance(raw_id, str) and SLUG_RE.match(raw_id) else None
    if gid is None:
        _add(col, (*path, "id"), f"id {raw_id!r} is not a slug (lowercase words joined by hyphens)",
                None, "id")
    for key in raw:
        if key not in GUIDELINE_KEYS:
            _add(col, (*path, str(key)), f"unknown key '{key}'; allowed: "
                    + ", ".join(GUIDELINE_KEYS), gid, str(key))
    allowed = [v.name for v in codebook.scenario_variables]
    title = _text(raw, "title", path, col, gid, 200)
    kind = _choice(raw, "kind", KINDS, path, col, gid)
    phase = _choice(raw, "phase", PHASES, path, col, gid)
    severity = _choice(raw, "severity", SEVERITIES, path, col, gid)
    topic = _text(raw, "topic", path, col, gid, 100)
    applies = None
    if "applies_when" not in raw:
        _add(col, path, "missing key 'applies_when' (write \"\" for a guideline that always "
                "applies)", gid, "applies_when")
    else:
        applies = _query(raw["applies_when"], "applies_when", (*path, "applies_when"), col, gid,
                         codebook, allowed, empty_ok=True)
    message = _text(raw, "message", path, col, gid)
    rationale = _text(raw, "rationale", path, col, gid)
    citations: list[Citation] = []
    if "citations" not in raw:
        _add(col, path, "missing key 'citations'", gid, "citations")
    else:
        citations = _citations(raw["citations"], (*path, "citations"), col, gid, sources)
    cases_raw = raw.get("cases", [])
    cases: list[str] = []
    if not isinstance(cases_raw, list) or not all(isinstance(c, str) for c in cases_raw):
        _add(col, (*path, "cases"), "cases must be a list of case ids", gid, "cases")
    else:
        for i, cid in enumerate(cases_raw):
            if case_ids is not None and cid not in case_ids:
                _add(col, (*path, "cases", i), f"case '{cid}' is not a bundled case", gid, "cases")
            elif cid in cases:
                _add(col, (*path, "cases", i), f"case '{cid}' is listed twice", gid, "cases")
            else:
                cases.append(cid)
    checklist = _checklist(raw.get("checklist"), (*path, "checklist"), col, gid, codebook, allowed)
    beyond = _beyond(raw.get("beyond_paper"), (*path, "beyond_paper"), col, gid)
    if len(col.problems) > before or gid is None:
        return None
    return Guideline(gid, title, kind, phase, severity, topic,  # type: ignore[arg-type]
                     applies, message, rationale, tuple(citations), tuple(cases), checklist,
                     beyond)


def parse_guidelines(
    raw: object,
    codebook: Codebook,
    *,
    file: str | None = None,
    locate: Locator | None = None,
    sources: Mapping[str, QuoteChecker] | None = None,
    case_ids: Collection[str] | None = None,
) -> list[Guideline]:
    """Validate one guideline document (`guidelines:` list) and build its guidelines.

    Args:
        raw: the parsed YAML or JSON document.
        codebook: `applies_when` and `done_when` may use only its scenario variables.
        file: the file name, for error messages.
        locate: maps a key path to a line number, for error messages.
        sources: quote checkers (a source text, or its quote manifest); citations of a source
            given here must pass its check.
        case_ids: if given, every case a guideline names must be among them.

    Raises:
        ValidationFailed: with every problem, each naming file, line and guideline id.
    """
    col = ProblemCollector(file, locate)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("guidelines"), list):
        _add(col, (), "a guideline file must be a mapping with a list under 'guidelines'", None, None)
        raise ValidationFailed(col.problems)
    extra = [str(k) for k in raw if k != "guidelines"]
    if extra:
        _add(col, (extra[0],), f"unknown top-level key(s) {', '.join(extra)}; allowed: guidelines",
                None, None)
    out: list[Guideline] = []
    for i, item in enumerate(raw["guidelines"]):
        guideline = _parse_one(item, ("guidelines", i), col, codebook, sources or {}, case_ids)
        if guideline is not None:
            out.append(guideline)
    if col.problems:
        raise ValidationFailed(col.problems)
    return out


def check_unique(guidelines: Sequence[tuple[str, Guideline]]) -> list[Problem]:
    """Problems with ids used twice across files: (file, guideline) pairs in load order."""
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for file, g in guidelines:
        if g.id in seen:
            problems.append(Problem(f"guideline '{g.id}': id already used in {seen[g.id]}", file,
                                    field="id"))
        else:
            seen[g.id] = file
    return problems
