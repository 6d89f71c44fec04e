"""Render an assessment as a brief a minister reads in five minutes (Markdown, HTML, PDF, DOCX).

Page one is the decision summary: the verdict with the facts it rests on, the top risks, the
next actions in order, the most similar cases with what happened, and the outlook in one
sentence. Annexes follow by the paper's phases, one entry per topic (findings of one topic
merged), strongest first; findings that apply only because a value is unknown are listed under
"What to find out first". Citations are numbered in order of first use, front page first.

Every format is built from one context (`brief_context`), so they say the same thing. HTML is
self-contained (inline CSS, inline SVG chart, no CDN) and autoescaped.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, cast

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from parley import locale
from parley.analysis.outlook import outlook_sentence
from parley.analysis.summary import ACTION_KINDS, N_ACTIONS, N_RISKS, ranked
from parley.domain.access import Classification
from parley.domain.assessment import Assessment, ChecklistEntry
from parley.domain.case import value_to_json
from parley.domain.codebook import Codebook
from parley.domain.evidence import Citation
from parley.domain.guideline import PHASES, Finding
from parley.domain.scenario import UNTITLED, Scenario
from parley.render.charts import outlook_chart_svg

CaseUrl = Callable[[str], str]
PageSize = Literal["A4", "Letter"]
PAGE_SIZES: tuple[str, ...] = ("A4", "Letter")
ANNEX_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class NumberedFinding:
    finding: Finding
    refs: tuple[int, ...]
    checklist: ChecklistEntry | None = None

    @property
    def lede(self) -> str:
        """The message's first sentence (the front page shows only this)."""
        first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", self.finding.message, maxsplit=1)[0]
        return first


@dataclass(frozen=True)
class Entry:
    """One annex entry: the findings of one topic in one phase, strongest first."""

    topic: str
    findings: tuple[NumberedFinding, ...]
    cases: tuple[str, ...]

    @property
    def lead(self) -> NumberedFinding:
        return self.findings[0]

    @property
    def related(self) -> tuple[NumberedFinding, ...]:
        return self.findings[1:]


@dataclass(frozen=True)
class Annex:
    letter: str
    id: str
    title: str
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Reason:
    text: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class SimilarLine:
    id: str
    title: str
    similarity: float
    outcome: str
    happened: str


@dataclass(frozen=True)
class FindOutLine:
    variable: str
    label: str
    question: str
    findings: tuple[NumberedFinding, ...]


@dataclass
class _Numbers:
    """Citation numbers in order of first use."""

    numbers: dict[Citation, int] = field(default_factory=dict)

    def refs(self, citations: Sequence[Citation]) -> tuple[int, ...]:
        return tuple(self.numbers.setdefault(c, len(self.numbers) + 1) for c in citations)


@cache
def template_environment(html: bool) -> Environment:
    # Markdown output is not HTML: its user text goes through the `md` filter instead.
    escape = select_autoescape(enabled_extensions=("html", "j2"), default=True) if html else False
    env = Environment(
        loader=PackageLoader("parley.render", "templates"),
        autoescape=escape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        locale.gettext, locale.ngettext, newstyle=True)
    env.globals["current_language"] = locale.current_language
    env.filters["date"] = lambda v: locale.format_date(v)
    env.filters["num"] = lambda v, spec=".2f": locale.format_number(v, spec)
    env.filters["pct"] = lambda p: locale.format_percent(p)
    env.filters["pts"] = _points
    env.filters["md"] = _md_escape
    env.filters["human"] = lambda code: str(code).replace("-", " ").replace("_", " ")
    return env


def _points(delta: float) -> str:
    """A signed move in percentage points; blank when it rounds to nothing."""
    return "" if abs(delta) < 0.005 else f"{100 * delta:+.0f}".replace("-", "\u2212")


def _md_escape(text: str) -> str:
    """Keep user text from turning into Markdown structure (tables, links, emphasis)."""
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def _shown(value: object) -> str:
    json_value = value_to_json(value)  # type: ignore[arg-type]
    if isinstance(json_value, list):
        return ", ".join(str(v).replace("-", " ") for v in json_value)
    return str(json_value).replace("-", " ") if isinstance(json_value, str) else str(json_value)


def _front_findings(assessment: Assessment) -> tuple[list[Finding], list[Finding]]:
    """The front page's risks and actions: the summary's, or (without one) the strongest."""
    if assessment.summary is not None:
        return ([assessment.finding(i) for i in assessment.summary.risks],
                [assessment.finding(i) for i in assessment.summary.actions])
    shown = ranked([f for f in assessment.findings if f.trigger != "unknown"])
    actions = [f for f in shown if f.kind in ACTION_KINDS][:N_ACTIONS]
    actions.sort(key=lambda f: PHASES.index(f.phase))
    return [f for f in shown if f.kind == "risk"][:N_RISKS], actions


def brief_context(assessment: Assessment, codebook: Codebook,
                  case_titles: Mapping[str, str] | None = None,
                  case_url: CaseUrl | None = None) -> dict[str, Any]:
    """Everything every format needs, with citations numbered in order of first use."""
    numbers = _Numbers()
    checklist = {c.guideline: c for c in assessment.checklist}
    numbered: dict[str, NumberedFinding] = {}

    def number(f: Finding) -> NumberedFinding:
        if f.id not in numbered:
            numbered[f.id] = NumberedFinding(f, numbers.refs(f.citations), checklist.get(f.id))
        return numbered[f.id]

    summary = assessment.summary
    verdict_refs: tuple[int, ...] = ()
    reasons: list[Reason] = []
    if summary is not None:
        verdict_refs = numbers.refs(summary.rule_citations)
        reasons = [Reason(r.text, numbers.refs(r.citations)) for r in summary.reasons]
    front_risks, front_actions = _front_findings(assessment)
    risks = [number(f) for f in front_risks]
    actions = [number(f) for f in front_actions]

    # a view, not a copy: the reader's titles may be a whole large case base's
    own = {s.id: s.title for s in assessment.similar_cases}
    titles: Mapping[str, str] = ChainMap(cast(dict[str, str], case_titles or {}), own)
    outcomes = codebook["outcome_class"].codes if "outcome_class" in codebook else {}
    similar_ids = summary.similar if summary is not None else tuple(
        s.id for s in assessment.similar_cases[:3])
    by_id = {s.id: s for s in assessment.similar_cases}
    outcome_labels = codebook["outcome_class"].code_labels if "outcome_class" in codebook else {}
    similar = [SimilarLine(i, titles.get(i, i), by_id[i].similarity,
                           outcome_labels.get(by_id[i].outcome_class)
                           or by_id[i].outcome_class.replace("-", " "),
                           outcomes.get(by_id[i].outcome_class, locale.gettext("Its outcome is not known.")))
               for i in similar_ids if i in by_id]

    annexes: list[Annex] = []
    shown = ranked([f for f in assessment.findings if f.trigger != "unknown"])
    for phase in PHASES:
        in_phase = [f for f in shown if f.phase == phase]
        topics: dict[str, list[Finding]] = {}
        for f in in_phase:
            topics.setdefault(f.topic, []).append(f)
        entries = []
        for topic, members in topics.items():
            nfs = tuple(number(f) for f in members)
            cases = tuple(dict.fromkeys(c for f in members for c in f.cases))
            entries.append(Entry(topic, nfs, cases))
        if entries:
            annexes.append(Annex(ANNEX_LETTERS[len(annexes)], f"annex-{phase}",
                                 phase.capitalize(), tuple(entries)))

    find_out: list[FindOutLine] = []
    if summary is not None:
        unknown_findings = {f.id: f for f in assessment.findings}
        for item in summary.find_out:
            var = codebook.get(item.variable)
            find_out.append(FindOutLine(
                item.variable, var.human if var else item.variable,
                var.definition if var else "",
                tuple(number(unknown_findings[i]) for i in item.findings)))
    letters = iter(ANNEX_LETTERS[len(annexes):])
    extra = {name: next(letters) for name in
             (["find-out"] if find_out else []) + ["similar", "outlook", "situation"]}

    scenario = assessment.scenario
    described = [(v.human, v.name, v.definition, _shown(scenario.value(v.name)))
                 for v in codebook.scenario_variables if v.name in scenario.known()]
    classes = [(outcome_labels.get(c) or c.replace("-", " "), p)
               for c, p in assessment.outlook.distribution.items()]
    classification = scenario.classification
    return {
        "a": assessment,
        "title": scenario.title,
        "untitled": scenario.title == UNTITLED,
        "notes": scenario.notes,
        "classification": classification.value,
        "classified": classification is not Classification.PUBLIC,
        "warnings": [w.message for w in assessment.warnings],
        "summary": summary,
        "verdict_refs": verdict_refs,
        "reasons": reasons,
        "risks": risks,
        "actions": actions,
        "similar": similar,
        "outlook_sentence": (summary.outlook_sentence if summary is not None
                             else outlook_sentence(assessment.outlook)),
        "annexes": annexes,
        "extra": extra,
        "find_out": find_out,
        "described": described,
        "n_variables": len(codebook.scenario_variables),
        "citations": sorted(numbers.numbers.items(), key=lambda kv: kv[1]),
        "case_title": lambda cid: titles.get(cid, cid),
        "case_url": case_url,
        "classes": classes,
        "chart_svg": outlook_chart_svg(
            classes, locale.gettext("Outlook: probability of each outcome class")),
        "topic_label": lambda topic: str(topic).replace("-", " ").capitalize(),
    }


def brief_css() -> str:
    """The brief's stylesheet (screen and print), for pages that embed the brief."""
    source, _, _ = template_environment(True).loader.get_source(  # type: ignore[union-attr]
        template_environment(True), "brief.css")
    return source


def render_markdown(assessment: Assessment, codebook: Codebook,
                    case_titles: Mapping[str, str] | None = None,
                    case_url: CaseUrl | None = None) -> str:
    """The brief as Markdown."""
    context = brief_context(assessment, codebook, case_titles, case_url)
    return template_environment(False).get_template("brief.md.j2").render(**context)


def render_html(assessment: Assessment, codebook: Codebook,
                case_titles: Mapping[str, str] | None = None,
                case_url: CaseUrl | None = None, *, standalone: bool = True,
                page_size: PageSize = "A4", for_pdf: bool = False) -> str:
    """The brief as HTML: a whole self-contained page (with a print stylesheet), or
    (standalone=False) an embeddable fragment for the web app's own layout."""
    context = brief_context(assessment, codebook, case_titles, case_url)
    template = "brief.html.j2" if standalone else "brief_body.html.j2"
    return template_environment(True).get_template(template).render(
        **context, page_size=page_size, for_pdf=for_pdf)


def front_page_text(page: str) -> str:
    """The words of page one of a rendered HTML brief (between its front-page markers)."""
    start = page.index('<section id="front-page"')
    end = page.index("<!-- end of front page -->", start)
    text = re.sub(r"<style.*?</style>|<svg.*?</svg>", " ", page[start:end], flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html_lib.unescape(text).split())


def document_filename(scenario: Scenario, extension: str) -> str:
    """A safe, readable file name for a brief: the title's words; for an untitled scenario the
    country, locality and groups it names; else `parley-brief`. ASCII only."""
    if scenario.title != UNTITLED:
        words = scenario.title
    else:
        parts = [scenario.value(n) for n in ("country", "locality", "groups")]
        words = " ".join(" ".join(p) if isinstance(p, tuple) else str(p)
                         for p in parts if isinstance(p, str | tuple))
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_words.lower()).strip("-")[:60].strip("-")
    return f"parley-brief-{slug}.{extension}" if slug else f"parley-brief.{extension}"
