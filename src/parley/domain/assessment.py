"""Assessment results: what Parley returns for a scenario, and its JSON shape (docs/interfaces.md).

An assessment holds findings (each citing the paper), the checklist of process-design elements
with what the scenario already covers, the most similar past cases with why they are similar,
and an outlook over the outcome classes that carries a caveat with its measured accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from parley.domain.evidence import Citation
from parley.domain.guideline import Finding
from parley.domain.phrase import Phrase
from parley.domain.scenario import Scenario, scenario_to_dict
from parley.domain.summary import ScenarioWarning, Summary

CheckStatus = Literal["done", "missing", "unknown"]


@dataclass(frozen=True)
class ChecklistEntry:
    """A process-design element and whether the scenario covers it."""

    item: str
    status: CheckStatus
    guideline: str


@dataclass(frozen=True)
class SimilarCase:
    """A past case like the scenario: its outcome and the variables shared and differing."""

    id: str
    title: str
    similarity: float
    outcome_class: str  # a code of outcome_class, or "unknown"
    shared: tuple[str, ...]
    different: tuple[str, ...]
    summary: str = ""


@dataclass(frozen=True)
class Measured:
    """How the outlook's method scored on past cases it had not seen (lower is better).

    Brier score (0 to 2) and ranked probability score (RPS, 0 to 1) by leave-one-out (loo) and
    by leave-one-country-out (loco), beside the uniform guess's.
    """

    method: str
    n_cases: int
    n_countries: int
    brier_loo: float
    rps_loo: float
    brier_loco: float
    rps_loco: float
    uniform_brier: float
    uniform_rps: float

    @property
    def beats_uniform(self) -> bool:
        """Better than the uniform guess on both scores under both evaluations."""
        return (max(self.brier_loo, self.brier_loco) < self.uniform_brier
                and max(self.rps_loo, self.rps_loco) < self.uniform_rps)


MoveKind = Literal["base-rates", "case", "condition", "confidence-limit"]
Abstention = Literal["too-little-known", "no-comparable-case"]


@dataclass(frozen=True)
class Move:
    """How one source moved the outlook from the uniform guess, class by class.

    A past case, one of the paper's conditions, the base rates of past outcomes, or the
    confidence limit. The moves of all sources add up to the outlook minus uniform.
    """

    kind: MoveKind
    id: str
    label: str
    detail: str
    moves: Mapping[str, float]
    # the label and detail as phrases, to say them in another language (domain/phrase.py);
    # None: the text as it is (a case's label is its title, translated as case titles are)
    label_phrase: Phrase | None = None
    detail_phrase: Phrase | None = None

    @property
    def largest(self) -> tuple[str, float]:
        """The class this source moved most, and by how much (signed)."""
        return max(self.moves.items(), key=lambda kv: (abs(kv[1]), kv[0]))


@dataclass(frozen=True)
class Outlook:
    """A distribution over the outcome classes, how it was derived, and how far to trust it."""

    distribution: Mapping[str, float]
    basis: str
    caveat: str
    cases: tuple[str, ...] = ()  # the neighbours it was drawn from
    explanation: tuple[Move, ...] = ()
    measured: Measured | None = None
    # why no past case voted: "too-little-known" (fewer known variables than the outlook needs)
    # or "no-comparable-case"; None when comparable cases voted
    abstained: Abstention | None = None
    # basis and caveat as phrases, to say them in another language; empty: only the text
    basis_phrases: tuple[Phrase, ...] = ()
    caveat_phrases: tuple[Phrase, ...] = ()

    def __post_init__(self) -> None:
        total = sum(self.distribution.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"an outlook's distribution must sum to 1, not {total}")
        if any(not 0.0 < p < 1.0 for p in self.distribution.values()):
            raise ValueError("an outlook never gives a class probability 0 or 1")
        if not self.caveat.strip():
            raise ValueError("an outlook needs a caveat")


@dataclass(frozen=True)
class Assessment:
    """Everything Parley says about one scenario."""

    scenario: Scenario
    outlook: Outlook
    findings: tuple[Finding, ...]
    similar_cases: tuple[SimilarCase, ...]
    checklist: tuple[ChecklistEntry, ...]
    summary: Summary | None = None  # the front page; None only where no rules were given
    warnings: tuple[ScenarioWarning, ...] = ()  # contradictory values in the scenario

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id (summaries reference findings by id)."""
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def cited_cases(self) -> list[str]:
        """Every case the assessment names, in first-mention order."""
        ids = [c for f in self.findings for c in f.cases]
        ids += [s.id for s in self.similar_cases] + list(self.outlook.cases)
        return list(dict.fromkeys(ids))


def measured_to_dict(measured: Measured) -> dict[str, Any]:
    return {"method": measured.method, "n_cases": measured.n_cases,
            "n_countries": measured.n_countries,
            "leave_one_out": {"brier": round(measured.brier_loo, 4),
                              "rps": round(measured.rps_loo, 4)},
            "leave_one_country_out": {"brier": round(measured.brier_loco, 4),
                                      "rps": round(measured.rps_loco, 4)},
            "uniform": {"brier": round(measured.uniform_brier, 4),
                        "rps": round(measured.uniform_rps, 4)}}


def outlook_to_dict(outlook: Outlook) -> dict[str, Any]:
    """The outlook's JSON: distribution, basis and caveat, then what moved it and its scores."""
    return {
        "distribution": dict(outlook.distribution),
        "basis": outlook.basis,
        "caveat": outlook.caveat,
        "abstained": outlook.abstained,
        "explanation": [{"kind": m.kind, "id": m.id, "label": m.label, "detail": m.detail,
                         "moves": {k: round(v, 4) for k, v in m.moves.items()}}
                        for m in outlook.explanation],
        "measured": measured_to_dict(outlook.measured) if outlook.measured else None,
    }


def _citation(c: Citation) -> dict[str, str]:
    return {"source": c.source, "section": c.section, "quote": c.quote}


def summary_to_dict(summary: Summary) -> dict[str, Any]:
    """The `summary` of the assessment JSON (docs/interfaces.md, second round)."""
    return {
        "verdict": summary.verdict,
        "verdict_label": summary.label,
        "verdict_meaning": summary.meaning,
        "verdict_reasons": [r.text for r in summary.reasons],
        "verdict_basis": [{"signal": r.signal, "status": r.status, "text": r.text,
                           "citations": [_citation(c) for c in r.citations]}
                          for r in summary.reasons],
        "verdict_citations": [_citation(c) for c in summary.rule_citations],
        "risks": list(summary.risks),
        "actions": list(summary.actions),
        "similar": list(summary.similar),
        "outlook_sentence": summary.outlook_sentence,
        "find_out_first": [{"variable": f.variable, "findings": list(f.findings)}
                           for f in summary.find_out],
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The assessment in the exact JSON shape of docs/interfaces.md."""
    out: dict[str, Any] = {
        "scenario": scenario_to_dict(assessment.scenario),
        "outlook": outlook_to_dict(assessment.outlook),
        "findings": [
            {
                "id": f.id,
                "guideline": f.guideline,
                "title": f.title,
                "kind": f.kind,
                "severity": f.severity,
                "message": f.message,
                "citations": [_citation(c) for c in f.citations],
                "cases": list(f.cases),
                "phase": f.phase,
                "topic": f.topic,
                "trigger": f.trigger,
                "strength": f.strength,
                "unknowns": list(f.unknowns),
            }
            for f in assessment.findings
        ],
        "similar_cases": [
            {"id": s.id, "similarity": round(s.similarity, 4), "outcome_class": s.outcome_class,
             "shared": list(s.shared), "different": list(s.different)}
            for s in assessment.similar_cases
        ],
        "checklist": [
            {"item": c.item, "status": c.status, "guideline": c.guideline}
            for c in assessment.checklist
        ],
    }
    if assessment.summary is not None:
        out["summary"] = summary_to_dict(assessment.summary)
    out["warnings"] = [{"id": w.id, "message": w.message, "variables": list(w.variables)}
                       for w in assessment.warnings]
    return out
