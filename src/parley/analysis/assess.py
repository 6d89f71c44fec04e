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
from parley.analysis.outlook import Evidence, OutlookModel, base_rates, explain
from parley.analysis.outlook_text import english
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
    Abstention,
    Assessment,
    ChecklistEntry,
    CheckStatus,
    Move,
    MoveKind,
    Outlook,
    SimilarCase,
)
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.evidence import UNKNOWN
from parley.domain.guideline import PHASES, SEVERITIES, Finding, Guideline
from parley.domain.phrase import Phrase
from parley.domain.query import evaluate, variables_of
from parley.domain.scenario import Scenario, scenario_from_case
from parley.domain.summary import BriefRules

BoolArray = npt.NDArray[np.bool_]
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

    def rank(self, scenario: Scenario, visible: BoolArray | None = None
             ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Similarities to every pooled case, and the eligible cases, most similar first (ties
        in pool order, which `build` makes id order). `visible` (a mask over the pool) leaves
        out the cases a reader may not see: the pool is built once per case base, the mask
        per reader."""
        sims, compared = self.index.similarities(scenario.values)
        ok = compared >= self.weights.min_compared
        eligible = np.flatnonzero(ok if visible is None else ok & visible)
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
                model: OutlookModel, caveat: str | Sequence[Phrase],
                scenario: Scenario | None = None,
                visible: BoolArray | None = None) -> Outlook:
    """The calibrated outlook for a scenario, explained source by source (docs/assessment.md).

    `order` is the pooled cases compared on enough variables, most similar first. A scenario
    with fewer than `min_known` known variables gets the base rates and a sentence saying why;
    with no comparable past case the vote abstains.
    """
    classes = list(pool.codebook[OUTCOME].codes)
    settings, params = model.settings, model.params
    labels = pool.labels
    known = labels >= 0 if visible is None else (labels >= 0) & visible
    n_known = int(known.sum())
    base = base_rates(labels[known].tolist(), len(classes))
    known_vars = len(scenario.known()) if scenario is not None else settings.min_known
    informative = known_vars >= settings.min_known
    weights = np.array(model.condition_weights, dtype=np.float64)
    codes = (settings.features([scenario.values])[0] if scenario is not None and informative
             else np.zeros(len(settings.conditions)))
    threshold = max(settings.min_similarity, params.min_similarity)
    keep = (labels[order] >= 0) & (sims[order] >= threshold)
    comparable = order[keep][: params.k].tolist() if informative else []
    neighbours = tuple((j, float(sims[j]), int(labels[j])) for j in comparable)
    result = explain(Evidence(base, neighbours, codes, weights), params)
    voters = result.voters

    def moves(row: npt.NDArray[np.float64]) -> dict[str, float]:
        return dict(zip(classes, (float(x) for x in row), strict=True))

    labels_of = {c.name: c.label for c in settings.conditions}

    def move(kind: MoveKind, key: str, label: Phrase | str, detail: Phrase,
             row: npt.NDArray[np.float64]) -> Move:
        said = label if isinstance(label, str) else english(label, conditions=labels_of)
        return Move(kind, key, said, english(detail), moves(row),
                    None if isinstance(label, str) else label, detail)

    shrinkage = {"n_known": n_known, "shrinkage": params.shrinkage}
    explanation: list[Move] = [move("base-rates", "base-rates",
                                    Phrase("move_base_label", shrinkage),
                                    Phrase("move_base_detail", shrinkage), result.prior)]
    for (j, sim, label), row in zip(voters, result.cases, strict=True):
        explanation.append(move("case", pool.ids[j], pool.titles[j], Phrase(
            "move_case_detail", {"similarity": sim, "outcome": classes[label]}), row))
    for cond, code, row in zip(settings.conditions, codes.tolist(), result.conditions,
                               strict=True):
        if code != 0 and np.any(row):
            explanation.append(move("condition", cond.name, Phrase(
                "condition_label", {"name": (cond.name,)}), Phrase(
                "move_condition_present" if code > 0 else "move_condition_absent"), row))
    capped = bool(np.any(np.abs(result.cap) > 1e-12))
    if capped:
        explanation.append(move("confidence-limit", "confidence-limit",
                                Phrase("move_cap_label", {"cap": params.cap}),
                                Phrase("move_cap_detail"), result.cap))
    cited = tuple(pool.ids[j] for j, _, _ in voters)
    prior = Phrase("prior", shrinkage)
    fitted = Phrase("fitted")
    conditions_known = tuple(c.name for c, code in zip(settings.conditions, codes.tolist(),
                                                       strict=True) if code != 0)
    cond_text: Phrase | str = (
        Phrase("conditions_known", {"conditions": conditions_known, "beta": params.beta})
        if conditions_known and params.beta > 0 else "")
    if not informative:
        basis = [Phrase("basis_too_little", {"known": known_vars, "needed": settings.min_known,
                                             "prior": prior})]
    elif not voters:
        basis = [Phrase("basis_no_comparable", {
            "min_compared": pool.weights.min_compared, "threshold": threshold, "prior": prior,
            "conditions": cond_text, "fitted": fitted})]
    else:
        basis = [Phrase("basis_drawn", {
            "n": len(voters), "cases": cited, "total": sum(s for _, s, _ in voters),
            "spread": Phrase("basis_spread") if params.spread > 0 else "",
            "weight": params.alpha * len(classes), "prior": prior, "conditions": cond_text,
            "fitted": fitted})]
    if capped:
        basis.append(Phrase("basis_cap", {"cap": params.cap}))
    abstained: Abstention | None = (None if voters else "no-comparable-case" if informative
                                    else "too-little-known")
    caveat_text = caveat if isinstance(caveat, str) else english(*caveat)
    return Outlook(dict(zip(classes, (float(p) for p in result.probs), strict=True)),
                   english(*basis, conditions=labels_of), caveat_text, cited,
                   tuple(explanation), model.measured, abstained, tuple(basis),
                   () if isinstance(caveat, str) else tuple(caveat))


def assess(scenario: Scenario, guidelines: Sequence[Guideline], pool: CasePool,
           model: OutlookModel, caveat: str | Sequence[Phrase], n_similar: int = N_SIMILAR, *,
           rules: BriefRules | None = None, visible: BoolArray | None = None) -> Assessment:
    """Assess a scenario.

    Args:
        scenario: the described situation.
        guidelines: the paper's lessons as rules.
        pool: the past cases, prepared with `CasePool.build`.
        model: the outlook in use, fitted on the case base (`evaluate.fit_outlook`).
        caveat: the outlook's measured accuracy, from `parley.analysis.evaluate.caveat`, or
            as phrases (`caveat_phrases`), which a brief can then say in any language.
        n_similar: how many similar cases to list.
        rules: the verdict, ranking and contradiction rules; with them the assessment gets
            its front-page `summary` and its `warnings`.
        visible: the pooled cases the reader may see (all when None).
    """
    sims, order = pool.rank(scenario, visible)
    assessment = Assessment(
        scenario=scenario,
        outlook=outlook_for(pool, order, sims, model, caveat, scenario, visible),
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
