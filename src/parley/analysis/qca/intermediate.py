"""Intermediate solutions from directional expectations (Ragin and Sonnett; R QCA's method).

For a pair (conservative model C, parsimonious model P), every conservative term ``c`` that
lies inside a parsimonious term ``p`` is relaxed as R's ``getEC`` does: a literal of ``c``
that ``p`` does not keep is dropped only when its condition has an expectation and the
literal's value is not among the expected values (``~A`` in ``c`` while A is expected
present). A literal that agrees with the expectation stays (dropping it would rest on a
difficult counterfactual), and so does a literal of a condition without an expectation
("don't care", ``-``): R makes no easy counterfactual about it, so with no expectation at all
the intermediate solution is the conservative one. The rows inside the relaxed terms other than
the positive ones are the *easy counterfactuals*: remainders, and (only with ``pi_cons``, whose
implicants may cover them) negative rows, as in R. The intermediate models are the minimal covers of the
positive rows by the prime implicants of (positive rows + easy counterfactuals), as R QCA
does; R lists them per pair (C1P1, C1P2, ...), Parley pools them over all pairs, each model
once.

Expectations may name several values (``A=0;1``: both directions, so the literal stays; for a
multi-value condition ``DEV=1;2``, R's ``DEV[1,2]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.errors import OptionError
from parley.analysis.qca.minimise import SearchLimits
from parley.analysis.qca.parameters import Term
from parley.analysis.qca.solutions import ChartOptions, Space, solve_chart
from parley.analysis.qca.terms import bit_of

__all__ = [
    "MAX_COUNTERFACTUALS",
    "IntermediateModel",
    "easy_counterfactuals",
    "expected_values",
    "intermediate_models",
    "parse_directions",
]

#: Enumerating more easy counterfactuals than this is refused (reported, not attempted).
MAX_COUNTERFACTUALS = 1 << 18

#: Expected values by condition; a condition left out (or with no values) is "don't care".
Directions = Mapping[str, "frozenset[int] | int | None"]


def expected_values(directions: Directions, name: str) -> frozenset[int]:
    """The values expected for ``name`` (empty: don't care); ints and None are accepted too."""
    value = directions.get(name)
    if value is None:
        return frozenset()
    if isinstance(value, int):
        return frozenset({value})
    return frozenset(value)


def parse_directions(text: str, conditions: Sequence[str],
                     levels: Sequence[int] | None = None) -> dict[str, frozenset[int]]:
    """Parse ``A=1,B=0,C=-,DEV=1;2`` into ``{"A": {1}, "B": {0}, "C": {}, "DEV": {1, 2}}``.

    Conditions left out are "don't care", as in R QCA. ``levels`` (values per condition,
    2 for sets) bounds the values a multi-value condition may be given.

    Raises:
        OptionError: unknown or repeated condition, or a value the condition cannot take.
    """
    levels = list(levels) if levels is not None else [2] * len(conditions)
    out: dict[str, frozenset[int]] = {}
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
        top = levels[list(conditions).index(name)] - 1
        allowed = "1, 0 or - (0;1 for both)" if top == 1 else f"values 0 to {top} separated by ; or -"
        if value == "-":
            out[name] = frozenset()
            continue
        values: set[int] = set()
        for v in value.split(";"):
            v = v.strip()
            if not v.isdigit() or int(v) > top:
                raise OptionError(f"--dir-exp: {name}={value!r}; use {allowed}")
            values.add(int(v))
        out[name] = frozenset(values)
    return out


def _relax(space: Space, c: Term, p: Term, directions: Directions,
           conditions: Sequence[str]) -> Term:
    k = len(conditions)
    keep = 0
    for j, name in enumerate(conditions):
        bit = bit_of(j, k)
        if not c.mask & bit:
            continue
        expected = expected_values(directions, name)
        if p.mask & bit or not expected or space.value(c, j) in expected:
            keep |= bit
    return space.relax(c, keep)


def easy_counterfactuals(
    space: Space,
    conservative: Iterable[Term],
    parsimonious: Iterable[Term],
    directions: Directions,
    conditions: Sequence[str],
    observed: set[int],
) -> set[int]:
    """Remainders made available by the expectations for one (C, P) pair of models.

    Raises:
        OptionError: more than :data:`MAX_COUNTERFACTUALS` would have to be listed.
    """
    pars = list(parsimonious)
    out: set[int] = set()
    for c in conservative:
        for p in pars:
            if not space.contains(p, c):
                continue
            relaxed = _relax(space, c, p, directions, conditions)
            if space.n_minterms(relaxed) > MAX_COUNTERFACTUALS:
                raise OptionError(
                    f"the intermediate solution would need over {MAX_COUNTERFACTUALS} easy "
                    f"counterfactuals (limit); give more directional expectations"
                )
            out.update(m for m in space.minterms(relaxed) if m not in observed)
    return out


@dataclass(frozen=True)
class IntermediateModel:
    """An intermediate model and the easy counterfactuals behind it."""

    terms: tuple[Term, ...]
    easy_counterfactuals: tuple[int, ...]


def intermediate_models(
    conservative_models: Sequence[Sequence[Term]],
    parsimonious_models: Sequence[Sequence[Term]],
    positives: Sequence[int],
    observed: set[int],
    directions: Directions,
    data: SetData,
    limits: SearchLimits,
    chart_options: ChartOptions | None = None,
) -> tuple[list[IntermediateModel], bool, str | None]:
    """All intermediate models over every (conservative, parsimonious) pair, deduplicated.

    ``chart_options``: R applies ``row.dom`` to each pair's chart too.

    Returns:
        The models, whether the search was complete, and what was left out if not.
    """
    space = Space.of(data)
    conditions = data.conditions
    opts = ChartOptions(row_dom=chart_options.row_dom) if chart_options else ChartOptions()
    models: dict[tuple[str, ...], tuple[tuple[Term, ...], set[int]]] = {}
    complete = True
    left_out: str | None = None
    for cm in conservative_models:
        for pm in parsimonious_models:
            ec = easy_counterfactuals(space, cm, pm, directions, conditions, observed)
            limits.check()
            primes = space.conservative_primes(sorted(set(positives) | ec), limits)
            solved = solve_chart(space, data, positives, primes, opts, limits, remainders=False)
            if not solved.complete:
                complete, left_out = False, solved.left_out
            for model in solved.models:
                terms = tuple(solved.primes[i] for i in model)
                key = tuple(sorted(t.format(conditions) for t in terms))
                models.setdefault(key, (terms, set()))[1].update(ec)
    out = [IntermediateModel(terms, tuple(sorted(ec))) for terms, ec in models.values()]
    return out, complete, left_out
