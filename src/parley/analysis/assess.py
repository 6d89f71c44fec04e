"""The assessment engine: from a scenario to findings, checklist, similar cases and an outlook.

Pure: it receives the guidelines, a prepared pool of cases and the outlook's fitted parameters
and caveat, and touches no file or database. `CasePool` is built once per case base (the
service caches it), so one assessment against 10,000 cases takes milliseconds.

Findings come from the guidelines whose `applies_when` holds for the scenario (an empty
condition always holds). A finding carries its guideline's citations, so every statement in an
assessment cites the paper; similar cases and the outlook cite the cases they come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from parley.analysis.evaluate import OUTCOME, leaf_cases
from parley.analysis.outlook import OutlookParams, base_rates, distribution
from parley.analysis.similarity import CaseIndex, Row, SimilarityWeights, compare
from parley.analysis.summary import (
    DEFAULT_CAP,
    DEFAULT_POINTS,
    outcome_labels,
    summarise,
    triggered,
    warnings_for,
)
from parley.domain.assessment import (
    Assessment,
    ChecklistEntry,
    CheckStatus,
    Outlook,
    SimilarCase,
)
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import UNKNOWN
from parley.domain.guideline import PHASES, SEVERITIES, Finding, Guideline
from parley.domain.query import evaluate, variables_of
from parley.domain.scenario import Scenario, scenario_from_case
from parley.domain.summary import BriefRules

N_SIMILAR = 5
# Risks first, then readiness, then recommendations; within a kind by severity, then phase.
KIND_ORDER = ("risk", "readiness", "recommendation")


@dataclass(frozen=True)
class CasePool:
    """The leaf cases an assessment compares against, encoded for fast ranking."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    summaries: tuple[str, ...]
    outcomes: tuple[str, ...]  # outcome_class code or "unknown", per case
    rows: tuple[Row, ...]  # each case's scenario variables
    index: CaseIndex
    codebook: Codebook
    weights: SimilarityWeights

    @classmethod
    def build(cls, cases: Sequence[Case], codebook: Codebook, weights: SimilarityWeights
              ) -> CasePool:
        """Pool the leaf cases (a parent summarises its sub-cases, so it would count twice)."""
        leaves = sorted(leaf_cases(cases), key=lambda c: c.id)
        return cls.from_rows(
            [(c.id, c.title, c.summary, str(c.value(OUTCOME)),
              scenario_from_case(c, codebook).values) for c in leaves],
            codebook, weights)

    @cached_property
    def labels(self) -> npt.NDArray[np.int64]:
        """Outcome class index of every pooled case, -1 where unknown."""
        classes = list(self.codebook[OUTCOME].codes)
        return np.array([classes.index(o) if o in classes else -1 for o in self.outcomes],
                        dtype=np.int64)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, str, str, Row]], codebook: Codebook,
                  weights: SimilarityWeights) -> CasePool:
        """Pool plain (id, title, summary, outcome_class, scenario values) rows, e.g. synthetic
        cases for a benchmark."""
        values = tuple(r[4] for r in rows)
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                   tuple(r[2] for r in rows), tuple(r[3] for r in rows), values,
                   CaseIndex(values, codebook, weights), codebook, weights)

    def rank(self, scenario: Scenario) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Similarities to every pooled case, and the eligible cases, most similar first (ties
        in pool order, which `build` makes id order)."""
        sims, compared = self.index.similarities(scenario.values)
        eligible = np.flatnonzero(compared >= self.weights.min_compared)
        order = eligible[np.argsort(-sims[eligible], kind="stable")]
        return sims, order.astype(np.int64)


def findings_for(scenario: Scenario, guidelines: Sequence[Guideline],
                 rules: BriefRules | None = None) -> list[Finding]:
    """The findings of every guideline that applies, key risks first, each with why it applies
    (the scenario's facts, always, or only an unknown value) and how strongly."""
    points = rules.severity_points if rules is not None else DEFAULT_POINTS
    cap = rules.support_cap if rules is not None else DEFAULT_CAP
    found = [f for f in (triggered(g, scenario, points, cap) for g in guidelines)
             if f is not None]
    found.sort(key=lambda f: (KIND_ORDER.index(f.kind), SEVERITIES.index(f.severity),
                              PHASES.index(f.phase)))
    return found


def checklist_for(scenario: Scenario, guidelines: Sequence[Guideline]) -> list[ChecklistEntry]:
    """Checklist items of the applying guidelines: done, missing, or unknown.

    `missing` needs every variable the item's condition reads to be known; otherwise the
    scenario cannot tell, and the item is `unknown`.
    """
    out: list[ChecklistEntry] = []
    for g in guidelines:
        if g.checklist is None:
            continue
        if g.applies_when is not None and not evaluate(g.applies_when, scenario.values):
            continue
        node = g.checklist.done_when
        status: CheckStatus
        if evaluate(node, scenario.values):
            status = "done"
        elif all(scenario.value(v) is not UNKNOWN for v in variables_of(node)):
            status = "missing"
        else:
            status = "unknown"
        out.append(ChecklistEntry(g.checklist.item, status, g.id))
    out.sort(key=lambda e: ("missing", "unknown", "done").index(e.status))
    return out


def similar_cases(scenario: Scenario, pool: CasePool, order: npt.NDArray[np.int64],
                  sims: npt.NDArray[np.float64], n: int = N_SIMILAR) -> list[SimilarCase]:
    """The n most similar pooled cases, each with what it shares with the scenario."""
    out: list[SimilarCase] = []
    for j in order[:n].tolist():
        detail = compare(scenario.values, pool.rows[j], pool.codebook, pool.weights)
        out.append(SimilarCase(pool.ids[j], pool.titles[j], float(sims[j]), pool.outcomes[j],
                               detail.shared, detail.different, pool.summaries[j]))
    return out


def outlook_for(pool: CasePool, order: npt.NDArray[np.int64], sims: npt.NDArray[np.float64],
                params: OutlookParams, caveat: str) -> Outlook:
    """The outlook from the k most similar cases with a known outcome."""
    classes = list(pool.codebook[OUTCOME].codes)
    labels = pool.labels
    known = order[labels[order] >= 0]
    top = known[: params.k].tolist()
    base = base_rates(labels[labels >= 0].tolist(), len(classes))
    probs = distribution([(float(sims[j]), int(labels[j])) for j in top], base, params.alpha)
    cited = tuple(pool.ids[j] for j in top)
    if top:
        basis = (f"Drawn from the {len(top)} most similar past case(s) with a known outcome "
                 f"({', '.join(cited)}): each votes for its outcome class with its similarity "
                 f"(total {sum(float(sims[j]) for j in top):.2f}), and the votes are smoothed "
                 f"towards the base rates of all {int((labels >= 0).sum())} such case(s) "
                 f"(k={params.k}, alpha={params.alpha:g}, both fitted by leave-one-out).")
    else:
        basis = ("No past case with a known outcome is comparable on enough variables, so the "
                 "outlook is the base rate of outcomes across the case base.")
    return Outlook(dict(zip(classes, (float(p) for p in probs), strict=True)), basis, caveat,
                   cited)


def assess(scenario: Scenario, guidelines: Sequence[Guideline], pool: CasePool,
           params: OutlookParams, caveat: str, n_similar: int = N_SIMILAR, *,
           rules: BriefRules | None = None) -> Assessment:
    """Assess a scenario.

    Args:
        scenario: the described situation.
        guidelines: the paper's lessons as rules.
        pool: the past cases, prepared with `CasePool.build`.
        params: k and alpha of the outlook, fitted on the case base.
        caveat: the outlook's measured accuracy, from `parley.analysis.evaluate.caveat`.
        n_similar: how many similar cases to list.
        rules: the verdict, ranking and contradiction rules; with them the assessment gets
            its front-page `summary` and its `warnings`.
    """
    sims, order = pool.rank(scenario)
    assessment = Assessment(
        scenario=scenario,
        outlook=outlook_for(pool, order, sims, params, caveat),
        findings=tuple(findings_for(scenario, guidelines, rules)),
        similar_cases=tuple(similar_cases(scenario, pool, order, sims, n_similar)),
        checklist=tuple(checklist_for(scenario, guidelines)),
    )
    if rules is None:
        return assessment
    labels = outcome_labels(list(pool.codebook[OUTCOME].codes))
    return replace(assessment, summary=summarise(assessment, rules, labels),
                   warnings=warnings_for(scenario, rules))


__all__ = ["CasePool", "assess", "checklist_for", "findings_for", "outlook_for",
           "similar_cases"]
