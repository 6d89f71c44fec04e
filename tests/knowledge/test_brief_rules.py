"""The rules behind page one: bundled ones valid and cited verbatim; broken ones refused with
file, line and key; contradictions warned about on stated values only; the form's short mode
is the measured top twelve."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from parley.analysis.assess import findings_for
from parley.analysis.summary import verdict_for, warnings_for
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.scenario import parse_scenario
from parley.domain.source import SourceText
from parley.domain.summary import parse_contradictions, parse_verdict_rules
from parley.interchange.documents import parse_document
from parley.interchange.scenario_file import read_scenario
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.form import load_form, measure
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import _package_file, load_sources
from tests.conftest import PAPER_DIR

DATA = Path(__file__).parents[1] / "data" / "scenarios"
UNVERIFIED = ("quote not found verbatim in ifit-2021" if PAPER_DIR is not None
              else "quote is not in the quote manifest of ifit-2021")
"""What an unverifiable quote is told, by mode (the paper's text, or the manifest alone)."""


def test_bundled_rules_cite_the_paper_verbatim(codebook: Codebook,
                                               sources: dict[str, SourceText]) -> None:
    rules = load_brief_rules(codebook, sources)
    assert [r.verdict for r in rules.rules] == ["wait", "prepare-first", "talk-now"]
    assert all(s.citations for s in rules.signals) and all(r.citations for r in rules.rules)
    assert len(rules.contradictions) >= 10


def test_verdicts_follow_the_rules(codebook: Codebook, sources: dict[str, SourceText]) -> None:
    rules = load_brief_rules(codebook, sources)
    wait = parse_scenario({"deterrence_credible": "no", "cohesion": "low"}, codebook)
    verdict, reasons, _ = verdict_for(wait, rules)
    assert verdict == "wait" and [r.signal for r in reasons] == ["no-deterrence", "divided-group"]
    assert verdict_for(parse_scenario({}, codebook), rules)[0] == "prepare-first"
    ripe = parse_scenario({"deterrence_credible": "yes", "state_capacity": "mixed",
                           "group_motivations": ["hurting-stalemate"], "cohesion": "high",
                           "structure": "centralised", "security_dilemma": "no",
                           "spoilers": ["political"], "design_elements": ["clear-objective"],
                           "security_measures": "yes"}, codebook)
    verdict, reasons, _ = verdict_for(ripe, rules)
    assert verdict == "talk-now" and len(reasons) == 3
    assert all(r.status == "fails" for r in reasons)


def test_unknown_triggered_findings_are_told_apart(codebook: Codebook,
                                                   sources: dict[str, SourceText]) -> None:
    guidelines = load_guidelines(codebook, sources)
    empty = {f.id: f for f in findings_for(parse_scenario({}, codebook), guidelines)}
    known = {f.id: f for f in findings_for(parse_scenario({"deterrence_credible": "no"},
                                                          codebook), guidelines)}
    deterrence = "credible-deterrence-leverage"  # applies when `not deterrence_credible = yes`
    assert empty[deterrence].trigger == "unknown"
    assert empty[deterrence].unknowns == ("deterrence_credible",)
    assert known[deterrence].trigger == "facts" and known[deterrence].strength > 3


def test_contradictory_values_warn_and_still_assess(codebook: Codebook,
                                                    sources: dict[str, SourceText]) -> None:
    rules = load_brief_rules(codebook, sources)
    scenario = read_scenario(DATA / "contradictory" / "government-initiates-but-bypassed.yaml",
                             codebook)
    ids = [w.id for w in warnings_for(scenario, rules)]
    assert ids == ["government-initiates-but-is-not-a-party", "incentives-none-and-some"]
    # stated values only: an unknown role never warns
    assert warnings_for(parse_scenario({"initiator": ["government"]}, codebook), rules) == ()


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda d: d["signals"][0].update(holds_when="cohesion = hgh"), "holds_when",
     "'hgh' is not a code of cohesion"),
    (lambda d: d["signals"][1]["citations"][0].update(quote="waiting for a riper momentum"),
     "citations", UNVERIFIED),
    (lambda d: d["rules"][0].update(when_any={"ripeness": 2}), "when_any",
     "when_any maps counts to whole numbers"),
    (lambda d: d["rules"].pop(), "when_any", "the last rule must have no when_any"),
    (lambda d: d.update(verdicts={"wait": {"label": "W", "meaning": "m"}}), "verdicts",
     "verdicts must be a mapping with exactly talk-now, prepare-first, wait"),
])
def test_broken_verdict_rules_are_refused_naming_line_and_key(
        codebook: Codebook, sources: dict[str, SourceText], change: object, field: str,
        message: str) -> None:
    data = yaml.safe_load(_package_file("verdict.yaml").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    raw, locate = parse_document(yaml.safe_dump(data, sort_keys=False).encode(), "verdict.yaml")
    with pytest.raises(ValidationFailed) as caught:
        parse_verdict_rules(raw, codebook, file="verdict.yaml", locate=locate, sources=sources)
    problem = caught.value.problems[0]
    assert problem.file == "verdict.yaml" and problem.line is not None
    assert problem.field == field and message in problem.message, str(caught.value)


def test_broken_contradiction_is_refused(codebook: Codebook) -> None:
    raw = {"contradictions": [{"id": "x", "when": "cohesion = hgh", "message": "m"},
                              {"id": "x", "when": "cohesion = low", "message": ""}]}
    with pytest.raises(ValidationFailed) as caught:
        parse_contradictions(raw, codebook, file="contradictions.yaml")
    shown = str(caught.value)
    assert "'hgh' is not a code of cohesion" in shown and "id 'x' is used twice" in shown
    assert "message must be text" in shown


def test_short_mode_is_the_measured_top_twelve(codebook: Codebook, bundled_cases: list[Case],
                                               sources: dict[str, SourceText]) -> None:
    table = measure(bundled_cases, load_guidelines(codebook, sources),
                    load_brief_rules(codebook, sources), codebook)
    layout = load_form(codebook, load_sources()["ifit-2021"].sections)
    assert set(layout.short) == {row.variable for row in table[:12]}
    assert table[11].score > table[12].score  # no tie at the cut
    assert sorted(v for s in layout.sections for v in s.variables) == sorted(
        v.name for v in codebook.scenario_variables)
