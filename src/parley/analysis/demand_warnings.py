"""The paper's warnings that apply to a demand a group makes (extradition, weakening anti-crime
laws, legal leniency, legalisation, ...), taken from the cited guidelines, never written here.

A guideline warns about a demand when it applies to a situation known only by that demand and
does not apply to a situation known by nothing: so only the rules the demand itself triggers
are named, each with its citations.
"""

from __future__ import annotations

from collections.abc import Sequence

from parley.domain.codebook import Codebook
from parley.domain.guideline import Guideline
from parley.domain.query import evaluate
from parley.domain.scenario import parse_scenario


def demand_warnings(code: str, guidelines: Sequence[Guideline], codebook: Codebook
                    ) -> list[Guideline]:
    """The guidelines a `group_demands` code triggers by itself, in their files' order."""
    if code not in codebook["group_demands"].codes:
        return []
    empty = parse_scenario({"title": "demand"}, codebook).values
    known = parse_scenario({"title": "demand", "group_demands": [code]}, codebook).values
    return [g for g in guidelines if g.applies_when is not None
            and evaluate(g.applies_when, known) and not evaluate(g.applies_when, empty)]
