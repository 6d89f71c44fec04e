"""Render an assessment as a brief a minister or mediator can read (Markdown or HTML).

The brief puts key risks first, then readiness, recommendations by phase, the checklist, similar
cases and the outlook with its caveat; every finding points at numbered citations listed at the
end. HTML is self-contained (inline CSS, no CDN) and autoescaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from parley.analysis.outlook import outlook_sentence
from parley.domain.assessment import Assessment
from parley.domain.case import value_to_json
from parley.domain.codebook import Codebook
from parley.domain.evidence import Citation
from parley.domain.guideline import PHASES, Finding

CaseUrl = Callable[[str], str]


@dataclass(frozen=True)
class NumberedFinding:
    finding: Finding
    refs: tuple[int, ...]


@cache
def _environment(html: bool) -> Environment:
    # Markdown output is not HTML: its user text goes through the `md` filter instead.
    escape = select_autoescape(enabled_extensions=("html", "j2"), default=True) if html else False
    env = Environment(
        loader=PackageLoader("parley.render", "templates"),
        autoescape=escape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda p: f"{100 * p:.0f}%"
    env.filters["pts"] = _points
    env.filters["md"] = _md_escape
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
    return ", ".join(map(str, json_value)) if isinstance(json_value, list) else str(json_value)


def brief_context(assessment: Assessment, codebook: Codebook,
                  case_titles: Mapping[str, str] | None = None,
                  case_url: CaseUrl | None = None) -> dict[str, Any]:
    """Everything the templates need, with citations numbered in order of first use."""
    numbers: dict[Citation, int] = {}
    numbered: list[NumberedFinding] = []
    for f in assessment.findings:
        refs = tuple(numbers.setdefault(c, len(numbers) + 1) for c in f.citations)
        numbered.append(NumberedFinding(f, refs))
    titles = dict(case_titles or {})
    for s in assessment.similar_cases:
        titles.setdefault(s.id, s.title)
    by_phase = [(phase, [n for n in numbered if n.finding.kind == "recommendation"
                         and n.finding.phase == phase]) for phase in PHASES]
    scenario = assessment.scenario
    described = [(v.name, v.definition, _shown(scenario.value(v.name)))
                 for v in codebook.scenario_variables if v.name in scenario.known()]
    return {
        "a": assessment,
        "title": scenario.title,
        "notes": scenario.notes,
        "described": described,
        "n_variables": len(codebook.scenario_variables),
        "risks": [n for n in numbered if n.finding.kind == "risk"],
        "readiness": [n for n in numbered if n.finding.kind == "readiness"],
        "by_phase": [(p, items) for p, items in by_phase if items],
        "citations": sorted(numbers.items(), key=lambda kv: kv[1]),
        "case_title": lambda cid: titles.get(cid, cid),
        "case_url": case_url,
        "classes": list(assessment.outlook.distribution.items()),
        "outlook_sentence": outlook_sentence(assessment.outlook),
    }


def render_markdown(assessment: Assessment, codebook: Codebook,
                    case_titles: Mapping[str, str] | None = None,
                    case_url: CaseUrl | None = None) -> str:
    """The brief as Markdown."""
    context = brief_context(assessment, codebook, case_titles, case_url)
    return _environment(False).get_template("brief.md.j2").render(**context)


def render_html(assessment: Assessment, codebook: Codebook,
                case_titles: Mapping[str, str] | None = None,
                case_url: CaseUrl | None = None, *, standalone: bool = True) -> str:
    """The brief as HTML: a whole self-contained page, or (standalone=False) an embeddable
    fragment for the web app's own layout."""
    context = brief_context(assessment, codebook, case_titles, case_url)
    template = "brief.html.j2" if standalone else "brief_body.html.j2"
    return _environment(True).get_template(template).render(**context)
