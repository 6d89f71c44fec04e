"""Multi-value QCA (mvQCA): terms over conditions coded 0..m, and their minimisation.

A multi-value literal fixes one condition to one value, written ``NAME[v]`` as R QCA 3.x
does (once any condition has more than two values, R writes every literal that way, binary
ones included: ``IND[0]``). Configurations are the mixed-radix integers of
:func:`~parley.analysis.qca.terms.radix_weights` (R's row numbers minus one).

The crisp argument carries over unchanged: a term through positive row ``p`` that fixes the
conditions ``S`` to ``p``'s values excludes negative row ``n`` iff ``S`` meets the set of
conditions where ``p`` and ``n`` differ; so the prime implicants with remainders are the
minimal hitting sets of those difference sets, as in :mod:`.minimise`. Without remainders,
cubes are merged when every value of one condition is present (the multi-value
Quine-McCluskey step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from parley.analysis.qca.minimise import (
    DENSE_MAX_CONDITIONS,
    SearchLimits,
    dense_minimal_hitting_sets,
    minimal_transversals,
)
from parley.analysis.qca.terms import bit_of, decode_config, radix_weights

__all__ = [
    "MVImplicant",
    "mv_chart_rows",
    "mv_prime_implicants",
]


@dataclass(frozen=True, order=True)
class MVImplicant:
    """A conjunction of multi-value literals.

    Attributes:
        mask: the conditions the term fixes (bit ``k - 1 - j`` for condition j).
        values: the value of every condition, 0 where the term does not fix it.
    """

    mask: int
    values: tuple[int, ...]

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.values)

    def fixes(self, j: int) -> bool:
        """Whether the term has a literal for condition ``j``."""
        return bool(self.mask & bit_of(j, self.k))

    def covers_values(self, config: Sequence[int]) -> bool:
        """Whether the decoded configuration lies inside this term."""
        return all(config[j] == v for j, v in enumerate(self.values) if self.fixes(j))

    def contains(self, other: MVImplicant) -> bool:
        """Whether ``other`` lies inside this term (this one is more general)."""
        return self.mask & other.mask == self.mask and all(
            other.values[j] == self.values[j] for j in range(self.k) if self.fixes(j)
        )

    @property
    def size(self) -> int:
        """Number of literals."""
        return self.mask.bit_count()

    def literals(self, conditions: Sequence[str]) -> list[str]:
        """``NAME[v]`` for each fixed condition, in conditions order."""
        return [f"{name}[{self.values[j]}]" for j, name in enumerate(conditions) if self.fixes(j)]

    def format(self, conditions: Sequence[str]) -> str:
        """R QCA's spelling; the empty term is ``1``."""
        lits = self.literals(conditions)
        return "*".join(lits) if lits else "1"

    def minterms(self, levels: Sequence[int]) -> list[int]:
        """Every configuration inside the term, as mixed-radix integers."""
        weights = radix_weights(levels)
        choices = [
            (self.values[j],) if self.fixes(j) else tuple(range(n)) for j, n in enumerate(levels)
        ]
        return [sum(v * w for v, w in zip(c, weights, strict=True)) for c in product(*choices)]


def through(values: Sequence[int], mask: int) -> MVImplicant:
    """The term through a configuration that keeps the conditions in ``mask``."""
    k = len(values)
    return MVImplicant(mask, tuple(v if mask & bit_of(j, k) else 0 for j, v in enumerate(values)))


def _diff_mask(a: Sequence[int], b: Sequence[int]) -> int:
    k = len(a)
    out = 0
    for j in range(k):
        if a[j] != b[j]:
            out |= bit_of(j, k)
    return out


def _conservative(positives: Sequence[int], levels: Sequence[int],
                  limits: SearchLimits) -> list[MVImplicant]:
    k = len(levels)
    full = (1 << k) - 1
    level = {MVImplicant(full, decode_config(p, levels)) for p in positives}
    primes: list[MVImplicant] = []
    while level:
        limits.check()
        groups: dict[tuple[int, int, tuple[int, ...]], set[MVImplicant]] = {}
        for term in level:
            for j in range(k):
                if term.fixes(j):
                    bit = bit_of(j, k)
                    key = list(term.values)
                    key[j] = 0
                    groups.setdefault((j, term.mask ^ bit, tuple(key)), set()).add(term)
        merged: set[MVImplicant] = set()
        nxt: set[MVImplicant] = set()
        for (j, mask, values), members in groups.items():
            if len(members) == levels[j]:  # every value of condition j is present
                nxt.add(MVImplicant(mask, values))
                merged |= members
        primes.extend(level - merged)
        level = nxt
    return sorted(primes)


def mv_prime_implicants(
    positives: Sequence[int],
    negatives: Sequence[int],
    levels: Sequence[int],
    *,
    remainders: bool,
    limits: SearchLimits | None = None,
) -> tuple[list[MVImplicant], bool]:
    """Prime implicants of the positive rows (conservative or with remainders).

    Returns:
        The implicants, sorted, and whether the list is complete (False when
        ``limits.max_primes`` stopped the search).
    """
    limits = limits or SearchLimits()
    if not remainders:
        return _conservative(positives, levels, limits), True
    k = len(levels)
    negs = [decode_config(n, levels) for n in sorted(set(negatives))]
    found: set[MVImplicant] = set()
    for p in sorted(set(positives)):
        limits.check()
        pv = decode_config(p, levels)
        edges = [_diff_mask(pv, n) for n in negs]
        if k <= DENSE_MAX_CONDITIONS:
            masks: Sequence[int] = [int(m) for m in dense_minimal_hitting_sets(edges, k)]
        else:
            masks = list(minimal_transversals(edges))
        found.update(through(pv, m) for m in masks)
        if len(found) > limits.max_primes:
            return sorted(found), False
    return sorted(found), True


def mv_chart_rows(primes: Sequence[MVImplicant], positives: Sequence[int],
                  levels: Sequence[int]) -> list[int]:
    """For each implicant, the bit set of the positive rows (by index) it covers."""
    decoded = [decode_config(p, levels) for p in positives]
    out = []
    for term in primes:
        row = 0
        for i, config in enumerate(decoded):
            if term.covers_values(config):
                row |= 1 << i
        out.append(row)
    return out
