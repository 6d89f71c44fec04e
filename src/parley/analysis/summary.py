"""The brief's front page: which findings the scenario triggers and how strongly, the verdict,
the top risks and actions, the most similar cases, one sentence of outlook, and warnings about
contradictory values. Every decision here follows the rules in `knowledge/verdict.yaml` and
`knowledge/contradictions.yaml` (docs/assessment.md, "The front page").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from parley.analysis.outlook import outlook_sentence as sentence_of_outlook
from parley.domain.assessment import Assessment, Outlook
from parley.domain.evidence import UNKNOWN
from parley.domain.guideline import PHASES, SEVERITIES, TRIGGERS, Finding, Guideline
from parley.domain.query import (
    And,
    Node,
    Not,
    Or,
    Row,
    evaluate,
    evaluate_known,
    variables_of,
)
from parley.domain.scenario import Scenario
from parley.domain.summary import (
    BriefRules,
    FindOut,
    ScenarioWarning,
    SignalStatus,
    Summary,
    VerdictReason,
    signal_counts,
)

N_RISKS = 3
N_ACTIONS = 5
N_SIMILAR = 3
ACTION_KINDS = ("recommendation", "readiness")


def support(node: Node, row: Row, positive: bool = True) -> int:
    """How many of a condition's atoms the known values satisfy in the direction that makes
    it true (an atom under `not` counts when it is false)."""
    if isinstance(node, And | Or):
        return sum(support(n, row, positive) for n in node.items)
    if isinstance(node, Not):
        return support(node.item, row, not positive)
    value = evaluate_known(node, row)
    return int(value is positive)


DEFAULT_POINTS: Mapping[str, int] = {"high": 3, "medium": 2, "low": 1}
DEFAULT_CAP = 3


def triggered(guideline: Guideline, scenario: Scenario,
              severity_points: Mapping[str, int] = DEFAULT_POINTS, support_cap: int = DEFAULT_CAP
              ) -> Finding | None:
    """The finding of a guideline that applies, with why (trigger) and how strongly; None if it
    does not apply."""
    finding = Finding.of(guideline)
    points = severity_points.get(guideline.severity, 0)
    node = guideline.applies_when
    if node is None:
        return replace(finding, trigger="always", strength=points)
    if not evaluate(node, scenario.values):
        return None
    if evaluate_known(node, scenario.values):
        strength = points + min(support(node, scenario.values), support_cap)
        return replace(finding, trigger="facts", strength=strength)
    unknowns = tuple(sorted(v for v in variables_of(node) if scenario.value(v) is UNKNOWN))
    return replace(finding, trigger="unknown", strength=points, unknowns=unknowns)


def rank_key(finding: Finding) -> tuple[int, int, int, int]:
    """Strongest first; at equal strength facts before always before unknown, then severity,
    then the paper's phase order."""
    return (-finding.strength, TRIGGERS.index(finding.trigger),
            SEVERITIES.index(finding.severity), PHASES.index(finding.phase))


def ranked(findings: Sequence[Finding]) -> list[Finding]:
    """Findings strongest first (a stable sort: ties keep guideline file order)."""
    return sorted(findings, key=rank_key)


def warnings_for(scenario: Scenario, rules: BriefRules) -> tuple[ScenarioWarning, ...]:
    """The contradiction rules that the scenario's stated values satisfy."""
    return tuple(ScenarioWarning(c.id, c.message, tuple(sorted(variables_of(c.condition))))
                 for c in rules.contradictions
                 if evaluate_known(c.condition, scenario.values) is True)


def signal_status(value: bool | None) -> SignalStatus:
    return "unknown" if value is None else "holds" if value else "fails"


def verdict_for(scenario: Scenario, rules: BriefRules
                ) -> tuple[str, tuple[VerdictReason, ...], int]:
    """The verdict, the facts it rests on, and the index of the rule that decided it."""
    statuses = [(s, signal_status(evaluate_known(s.condition, scenario.values)))
                for s in rules.signals]
    counts = signal_counts(statuses)
    for index, rule in enumerate(rules.rules):
        if rule.when_any and not any(counts[k] >= n for k, n in rule.when_any.items()):
            continue
        reasons: list[VerdictReason] = []
        for group in rule.reasons:
            reasons += [VerdictReason(s.id, status, s.texts[status], s.citations)
                        for s, status in statuses if f"{s.kind}_{status}" == group]
        return rule.verdict, tuple(reasons[: rules.max_reasons]), index
    raise ValueError("the verdict rules end without a rule that always holds")


def find_out_first(findings: Sequence[Finding]) -> tuple[FindOut, ...]:
    """Unknown variables that decide whether findings apply, those deciding most first."""
    by_var: dict[str, list[str]] = {}
    for f in ranked([f for f in findings if f.trigger == "unknown"]):
        for var in f.unknowns:
            by_var.setdefault(var, []).append(f.id)
    order = sorted(by_var, key=lambda v: (-len(by_var[v]), v))
    return tuple(FindOut(v, tuple(by_var[v])) for v in order)


def outlook_sentence(outlook: Outlook, labels: Mapping[str, str]) -> str:
    """The outlook in one sentence with the measured figures of the method in use.

    The wording lives with the outlook (`parley.analysis.outlook.outlook_sentence`), which
    knows how it was calibrated and scored; `labels` is kept for callers that name classes.
    """
    del labels  # the outlook's sentence words the classes itself
    return sentence_of_outlook(outlook)


def summarise(assessment: Assessment, rules: BriefRules, outcome_labels: Mapping[str, str],
              n_risks: int = N_RISKS, n_actions: int = N_ACTIONS, n_similar: int = N_SIMILAR
              ) -> Summary:
    """The front page of an assessment whose findings carry their trigger and strength."""
    verdict, reasons, index = verdict_for(assessment.scenario, rules)
    shown = ranked([f for f in assessment.findings if f.trigger != "unknown"])
    risks = [f.id for f in shown if f.kind == "risk"][:n_risks]
    actions = [f for f in shown if f.kind in ACTION_KINDS][:n_actions]
    actions.sort(key=lambda f: PHASES.index(f.phase))  # in the order they are to be done
    return Summary(
        verdict=verdict,  # type: ignore[arg-type]
        label=rules.labels[verdict],
        meaning=rules.meanings[verdict],
        reasons=reasons,
        rule_citations=rules.rules[index].citations,
        risks=tuple(risks),
        actions=tuple(f.id for f in actions),
        similar=tuple(s.id for s in assessment.similar_cases[:n_similar]),
        outlook_sentence=outlook_sentence(assessment.outlook, outcome_labels),
        find_out=find_out_first(assessment.findings),
    )


def outcome_labels(codes: Sequence[str]) -> dict[str, str]:
    """Outcome class codes as words ("temporary-reduction" -> "temporary reduction")."""
    return {c: c.replace("-", " ") for c in codes}


__all__ = ["find_out_first", "outcome_labels", "outlook_sentence", "rank_key", "ranked",
           "summarise", "support", "triggered", "verdict_for", "warnings_for"]
