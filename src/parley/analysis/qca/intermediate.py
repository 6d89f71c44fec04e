"""Intermediate solutions from directional expectations (Ragin and Sonnett; R QCA's method).

For a pair (conservative model C, parsimonious model P), every conservative term ``c`` that
lies inside a parsimonious term ``p`` is relaxed: a literal of ``c`` that ``p`` does not keep
is dropped when the expectation for its condition is "don't care" or points the other way
(``~A`` in ``c`` while A is expected to contribute); a literal agreeing with the expectation
stays, since dropping it would rest on a difficult counterfactual. The remainders inside the
relaxed terms are the *easy counterfactuals*. The intermediate models are the minimal covers
of the positive rows by the prime implicants of (positive rows + easy counterfactuals), as R
QCA does, pooled over all (C, P) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from parley.analysis.qca.errors import OptionError
from parley.analysis.qca.minimise import (
    CoverSearch,
    SearchLimits,
    minimum_covers,
    prime_implicants_conservative,
)
from parley.analysis.qca.terms import Implicant, bit_of

__all__ = [
    "MAX_COUNTERFACTUALS",
    "IntermediateModel",
    "easy_counterfactuals",
    "intermediate_models",
    "parse_directions",
]

#: Enumerating more easy counterfactuals than this is refused (reported, not attempted).
MAX_COUNTERFACTUALS = 1 << 18

Directions = Mapping[str, int | None]


def parse_directions(text: str, conditions: Sequence[str]) -> dict[str, int | None]:
    """Parse ``A=1,B=0,C=-`` into ``{"A": 1, "B": 0, "C": None}``.

    Conditions left out are "don't care", as in R QCA.

    Raises:
        OptionError: unknown condition, repeated condition or a value other than 1, 0, -.
    """
    out: dict[str, int | None] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = (s.strip() for s in part.partition("="))
        if not sep:
            raise OptionError(f"--dir-exp: {part!r} should look like NAME=1, NAME=0 or NAME=-")
        if name not in conditions:
            raise OptionError(
                f"--dir-exp: {name!r} is not a condition (conditions: {', '.join(conditions)})"
            )
        if name in out:
            raise OptionError(f"--dir-exp: {name!r} is given more than once")
        if value not in ("1", "0", "-"):
            raise OptionError(f"--dir-exp: {name}={value!r}; use 1, 0 or -")
        out[name] = None if value == "-" else int(value)
    return out


def _relax(c: Implicant, p: Implicant, directions: Directions, conditions: Sequence[str]) -> (
    Implicant
):
    k = len(conditions)
    keep = 0
    for j, name in enumerate(conditions):
        bit = bit_of(j, k)
        if not c.mask & bit:
            continue
        expected = directions.get(name)
        if p.mask & bit or (expected is not None and (c.value & bit != 0) == (expected == 1)):
            keep |= bit
    return Implicant(keep, c.value & keep)


def easy_counterfactuals(
    conservative: Iterable[Implicant],
    parsimonious: Iterable[Implicant],
    directions: Directions,
    conditions: Sequence[str],
    observed: set[int],
) -> set[int]:
    """Remainders made available by the expectations for one (C, P) pair of models.

    Raises:
        OptionError: more than :data:`MAX_COUNTERFACTUALS` would have to be listed.
    """
    k = len(conditions)
    pars = list(parsimonious)
    out: set[int] = set()
    for c in conservative:
        for p in pars:
            if not p.contains(c):
                continue
            relaxed = _relax(c, p, directions, conditions)
            if 1 << (k - relaxed.size) > MAX_COUNTERFACTUALS:
                raise OptionError(
                    f"the intermediate solution would need over {MAX_COUNTERFACTUALS} easy "
                    f"counterfactuals (limit); give more directional expectations"
                )
            out.update(m for m in relaxed.minterms(k) if m not in observed)
    return out


@dataclass(frozen=True)
class IntermediateModel:
    """An intermediate model and the easy counterfactuals behind it."""

    terms: tuple[Implicant, ...]
    easy_counterfactuals: tuple[int, ...]


def intermediate_models(
    conservative_models: Sequence[Sequence[Implicant]],
    parsimonious_models: Sequence[Sequence[Implicant]],
    positives: Sequence[int],
    observed: set[int],
    directions: Directions,
    conditions: Sequence[str],
    limits: SearchLimits,
) -> tuple[list[IntermediateModel], bool, str | None]:
    """All intermediate models over every (conservative, parsimonious) pair, deduplicated.

    Returns:
        The models, whether the search was complete, and what was left out if not.
    """
    k = len(conditions)
    models: dict[tuple[Implicant, ...], set[int]] = {}
    complete = True
    left_out: str | None = None
    for cm in conservative_models:
        for pm in parsimonious_models:
            ec = easy_counterfactuals(cm, pm, directions, conditions, observed)
            limits.check()
            primes = prime_implicants_conservative(sorted(set(positives) | ec), k, limits)
            search: CoverSearch = minimum_covers(primes, positives, limits)
            if not search.complete:
                complete, left_out = False, search.left_out
            for model in search.models:
                key = tuple(sorted(primes[i] for i in model))
                models.setdefault(key, set()).update(ec)
    out = [IntermediateModel(terms, tuple(sorted(ec))) for terms, ec in models.items()]
    return out, complete, left_out
