"""Which scenario variables move the brief most: the basis of the form's short mode.

For each base scenario (every leaf case's own pre-negotiation values, plus the empty scenario)
and each scenario variable, the variable is set in turn to each value it can take (unknown,
each code alone, a few numbers) and the brief is compared with the base scenario's brief. One
point for every finding that appears, disappears or changes why it applies (facts, always,
unknown), one for every checklist item whose status (done, missing, unknown) changes, one for
every change among the front page's top risks and next actions, and three when the verdict
changes. A variable's influence is the mean over all bases and values. Text
variables (country, locality, group names) are not read by any rule, so they score 0.

The similar cases and the outlook are left out: they move with every variable by design (the
similarity weights, `similarity-weights.yaml`), so they would not tell variables apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from parley.analysis.assess import checklist_for, findings_for
from parley.analysis.summary import ACTION_KINDS, N_ACTIONS, N_RISKS, ranked, verdict_for
from parley.domain.codebook import Codebook, Variable, VarType
from parley.domain.evidence import UNKNOWN, Unknown, Value
from parley.domain.guideline import Guideline
from parley.domain.scenario import Scenario
from parley.domain.summary import BriefRules

VERDICT_POINTS = 3
INTEGER_VALUES = (1, 2, 5)


@dataclass(frozen=True)
class Signature:
    """What a reader of the brief sees change."""

    verdict: str
    risks: tuple[str, ...]
    actions: frozenset[str]
    findings: frozenset[tuple[str, str]]  # (finding id, trigger)
    checklist: frozenset[tuple[str, str]]  # (guideline id, done / missing / unknown)


@dataclass(frozen=True)
class Influence:
    variable: str
    score: float
    verdict_changes: float  # share of variations that change the verdict


def signature(scenario: Scenario, guidelines: Sequence[Guideline], rules: BriefRules
              ) -> Signature:
    """The brief's verdict, top risks, next actions and findings (with why they apply)."""
    findings = findings_for(scenario, guidelines, rules)
    shown = ranked([f for f in findings if f.trigger != "unknown"])
    verdict, _, _ = verdict_for(scenario, rules)
    return Signature(verdict, tuple(f.id for f in shown if f.kind == "risk")[:N_RISKS],
                     frozenset([f.id for f in shown if f.kind in ACTION_KINDS][:N_ACTIONS]),
                     frozenset((f.id, f.trigger) for f in findings),
                     frozenset((c.guideline, c.status) for c in checklist_for(scenario, guidelines)))


def _changed(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> int:
    """How many ids appear, disappear or change their value between two (id, value) sets."""
    da, db = dict(a), dict(b)
    return sum(da.get(k) != db.get(k) for k in da.keys() | db.keys())


def distance(a: Signature, b: Signature) -> int:
    """How many things a reader would see change between two briefs."""
    return (_changed(a.findings, b.findings) + _changed(a.checklist, b.checklist)
            + len(set(a.risks) ^ set(b.risks)) + len(a.actions ^ b.actions)
            + VERDICT_POINTS * (a.verdict != b.verdict))


def alternatives(var: Variable) -> list[Value | Unknown]:
    """The values a variable is tried at."""
    if var.type is VarType.CODE:
        return [UNKNOWN, *var.codes]
    if var.type is VarType.CODE_LIST:
        return [UNKNOWN, *((c,) for c in var.codes)]
    if var.type is VarType.INTEGER:
        return [UNKNOWN, *INTEGER_VALUES]
    return []


def influence(bases: Sequence[Scenario], guidelines: Sequence[Guideline], rules: BriefRules,
              codebook: Codebook) -> list[Influence]:
    """Every scenario variable's influence on the brief, highest first (ties by name)."""
    base_signatures = [signature(b, guidelines, rules) for b in bases]
    out: list[Influence] = []
    for var in codebook.scenario_variables:
        values = alternatives(var)
        total = verdicts = trials = 0
        for base, base_sig in zip(bases, base_signatures, strict=True):
            for value in values:
                if base.value(var.name) == value:
                    continue  # not a change
                varied: Mapping[str, Value | Unknown] = {**base.values, var.name: value}
                sig = signature(replace(base, values=varied), guidelines, rules)
                total += distance(base_sig, sig)
                verdicts += sig.verdict != base_sig.verdict
                trials += 1
        out.append(Influence(var.name, total / trials if trials else 0.0,
                             verdicts / trials if trials else 0.0))
    out.sort(key=lambda i: (-round(i.score, 9), i.variable))
    return out


__all__ = ["Influence", "alternatives", "distance", "influence", "signature"]
