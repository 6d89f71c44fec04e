"""The assessment form's layout (`form.yaml`), and the measurement behind its short mode.

`python -m parley.knowledge.form` prints every scenario variable's influence on the brief
(`parley.analysis.influence`), the numbers the short mode's dozen variables are chosen by.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from parley.analysis.evaluate import leaf_cases
from parley.analysis.influence import Influence, influence
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, ValidationFailed
from parley.domain.guideline import Guideline
from parley.domain.scenario import parse_scenario, scenario_from_case
from parley.domain.summary import BriefRules
from parley.interchange.documents import parse_document
from parley.knowledge.loader import _package_file

FORM_FILE = "form.yaml"
SHORT_SIZE = 12


@dataclass(frozen=True)
class Section:
    title: str
    paper: str  # the section of the paper this part of the framework comes from
    variables: tuple[str, ...]


@dataclass(frozen=True)
class FormLayout:
    sections: tuple[Section, ...]
    short: tuple[str, ...]


def form_from_data(data: Any, codebook: Codebook, sections: Collection[str] = (),
                   name: str = FORM_FILE) -> FormLayout:
    """Validate the layout: every scenario variable in exactly one section, nothing else; the
    short list a dozen of them; each section naming a section of the paper (when given).

    Raises:
        ConfigurationError: naming the file and what is wrong.
    """
    if not isinstance(data, Mapping) or set(data) != {"short", "sections"}:
        raise ConfigurationError(f"{name}: expected a mapping with exactly short and sections")
    wanted = [v.name for v in codebook.scenario_variables]
    out: list[Section] = []
    seen: list[str] = []
    raw_sections = data["sections"]
    if not isinstance(raw_sections, list):
        raise ConfigurationError(f"{name}: sections must be a list")
    for i, raw in enumerate(raw_sections):
        if not isinstance(raw, Mapping) or set(raw) != {"title", "paper", "variables"} \
                or not isinstance(raw["variables"], list):
            raise ConfigurationError(f"{name}: section {i + 1} needs title, paper and a list "
                                     "of variables")
        if sections and raw["paper"] not in sections:
            raise ConfigurationError(f"{name}: section '{raw['title']}': '{raw['paper']}' is "
                                     "not a section of the paper")
        out.append(Section(str(raw["title"]), str(raw["paper"]),
                           tuple(map(str, raw["variables"]))))
        seen.extend(map(str, raw["variables"]))
    twice = sorted({v for v in seen if seen.count(v) > 1})
    extra = [v for v in seen if v not in wanted]
    missing = [v for v in wanted if v not in seen]
    if twice or extra or missing:
        raise ConfigurationError(f"{name}: every scenario variable belongs in one section; "
                                 f"twice: {twice}, not scenario variables: {extra}, "
                                 f"missing: {missing}")
    short = data["short"]
    if not isinstance(short, list) or len(set(short)) != SHORT_SIZE \
            or len(short) != SHORT_SIZE or not set(short) <= set(wanted):
        raise ConfigurationError(f"{name}: short must list {SHORT_SIZE} different scenario "
                                 "variables")
    return FormLayout(tuple(out), tuple(map(str, short)))


@cache
def _raw_form() -> Any:
    try:
        data, _ = parse_document(_package_file(FORM_FILE).read_bytes(), FORM_FILE)
    except ValidationFailed as exc:
        raise ConfigurationError(f"broken knowledge file: {exc}") from exc
    return data


def load_form(codebook: Codebook, sections: Collection[str] = ()) -> FormLayout:
    """The bundled form layout, validated against the codebook."""
    return form_from_data(_raw_form(), codebook, sections)


def measure(cases: Sequence[Case], guidelines: Sequence[Guideline], rules: BriefRules,
            codebook: Codebook) -> list[Influence]:
    """Influence of every scenario variable over the leaf cases' scenarios and the empty one."""
    bases = [scenario_from_case(c, codebook) for c in sorted(leaf_cases(cases),
                                                             key=lambda c: c.id)]
    return influence([*bases, parse_scenario({}, codebook)], guidelines, rules, codebook)


def main() -> None:
    """Print the influence table (the short mode is its top twelve)."""
    from parley.knowledge.brief_rules import load_brief_rules
    from parley.knowledge.guidelines import load_guidelines
    from parley.knowledge.loader import load_bundled_cases, load_codebook

    codebook = load_codebook()
    cases = load_bundled_cases(codebook)
    table = measure(cases, load_guidelines(codebook), load_brief_rules(codebook), codebook)
    short = set(load_form(codebook).short)
    sys.stdout.write("rank | variable | influence | verdict changes | in short mode\n")
    for rank, row in enumerate(table, start=1):
        sys.stdout.write(f"{rank} | {row.variable} | {row.score:.2f} | "
                         f"{row.verdict_changes:.0%} | {'yes' if row.variable in short else ''}\n")


if __name__ == "__main__":
    main()
