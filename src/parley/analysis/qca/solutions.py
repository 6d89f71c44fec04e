"""From a truth table to the minimal models of one solution, with R's chart options.

One code path for crisp/fuzzy and multi-value terms: :class:`Space` holds what differs (how
terms are built, spelled and matched against rows); the rest follows R QCA's ``minimize()``:

* ``pi_cons`` (R's ``pi.cons``) acts on the parsimonious solution only: R's CCubes search
  replaces "covers no negative row" by "inclusion at least ``pi_cons``": the implicants are
  the terms through a positive row, found by increasing number of literals, that reach it and
  contain no implicant found earlier; like CCubes, the search stops once the positive rows
  are covered and two further depths added nothing. (R's chart solver for the conservative
  and intermediate solutions has a ``pi.cons`` filter too, but ``minimize()`` never passes
  the value to it, so R's results there do not depend on ``pi.cons``; Parley's neither.)
* ``row_dom`` (R's ``row.dom``): implicants strictly dominated in the chart are dropped
  before the models are sought (:func:`~parley.analysis.qca.minimise.row_dominance`).
* ``sol_cons`` (R's ``sol.cons``) with ``sol_cov`` (R's ``sol.cov``, default 1): without
  remainders, minimal models whose inclusion is below ``sol_cons`` are dropped. With
  remainders, R's ``find_consistent_models``: the models are the disjunctions of prime
  implicants, by increasing size, that reach both cuts and contain no model found before
  (they need not cover every positive row).

When nothing survives a cut, :class:`NoSolutionError` says so, as R does ("There are no
solutions, given these constraints").
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import numpy.typing as npt

from parley.analysis.qca.dataset import SetData
from parley.analysis.qca.errors import NoSolutionError, OptionError
from parley.analysis.qca.minimise import (
    CoverSearch,
    SearchLimits,
    _chart_rows,
    cover_chart,
    prime_implicants,
    row_dominance,
)
from parley.analysis.qca.multivalue import (
    MVImplicant,
    mv_chart_rows,
    mv_prime_implicants,
    through,
)
from parley.analysis.qca.parameters import Term, membership
from parley.analysis.qca.terms import Implicant, decode_config, radix_weights
from parley.analysis.qca.truthtable import TOLERANCE

__all__ = [
    "ChartOptions",
    "SolvedChart",
    "Space",
    "consistent_models",
    "consistent_primes",
    "solve_chart",
]

FloatArray = npt.NDArray[np.float64]

#: Above this many conditions the pi.cons search (every term through every positive row) is
#: refused rather than left to run for hours.
PI_CONS_MAX_CONDITIONS = 16


@dataclass(frozen=True)
class ChartOptions:
    """R's ``row.dom``, ``pi.cons``, ``sol.cons`` and ``sol.cov`` (defaults as R)."""

    row_dom: bool = False
    pi_cons: float = 0.0
    sol_cons: float = 0.0
    sol_cov: float = 1.0


@dataclass(frozen=True)
class Space:
    """The terms of one analysis: crisp/fuzzy bit patterns, or multi-value codes."""

    levels: tuple[int, ...]
    multivalue: bool = field(default=False)

    @classmethod
    def of(cls, data: SetData) -> Space:
        return cls(data.noflevels, data.is_multivalue)

    @property
    def k(self) -> int:
        return len(self.levels)

    def primes(self, positives: Sequence[int], negatives: Sequence[int], *, remainders: bool,
               limits: SearchLimits) -> tuple[list[Term], bool]:
        if self.multivalue:
            mv, done = mv_prime_implicants(positives, negatives, self.levels,
                                           remainders=remainders, limits=limits)
            return list(mv), done
        crisp, done = prime_implicants(positives, negatives, self.k, remainders=remainders,
                                       limits=limits)
        return list(crisp), done

    def conservative_primes(self, configs: Sequence[int], limits: SearchLimits) -> list[Term]:
        """Prime implicants of exactly these configurations (no remainders)."""
        return self.primes(configs, (), remainders=False, limits=limits)[0]

    def chart(self, primes: Sequence[Term], positives: Sequence[int]) -> list[int]:
        if self.multivalue:
            return mv_chart_rows([p for p in primes if isinstance(p, MVImplicant)], positives,
                                 self.levels)
        return _chart_rows([p for p in primes if isinstance(p, Implicant)], list(positives))

    def through(self, config: int, mask: int) -> Term:
        """The term through ``config`` keeping the conditions in ``mask``."""
        if self.multivalue:
            return through(decode_config(config, self.levels), mask)
        return Implicant(mask, config & mask)

    def minterms(self, term: Term) -> list[int]:
        if isinstance(term, MVImplicant):
            return term.minterms(self.levels)
        return term.minterms(self.k)

    def n_minterms(self, term: Term) -> int:
        out = 1
        for j, n in enumerate(self.levels):
            if not term.mask & (1 << (self.k - 1 - j)):
                out *= n
        return out

    def value(self, term: Term, j: int) -> int:
        """The value term fixes condition ``j`` to (only meaningful when it fixes it)."""
        if isinstance(term, MVImplicant):
            return term.values[j]
        return 1 if term.value & (1 << (self.k - 1 - j)) else 0

    def relax(self, term: Term, keep: int) -> Term:
        """The term with only the literals in ``keep``."""
        if isinstance(term, MVImplicant):
            return MVImplicant(keep, tuple(v if keep & (1 << (self.k - 1 - j)) else 0
                                           for j, v in enumerate(term.values)))
        return Implicant(keep, term.value & keep)

    def contains(self, outer: Term, inner: Term) -> bool:
        if isinstance(outer, MVImplicant) and isinstance(inner, MVImplicant):
            return outer.contains(inner)
        if isinstance(outer, Implicant) and isinstance(inner, Implicant):
            return outer.contains(inner)
        return False

    @property
    def size(self) -> int:
        """Number of configurations (2^k for crisp sets)."""
        return radix_weights(self.levels)[0] * self.levels[0] if self.levels else 1


@dataclass(frozen=True)
class SolvedChart:
    """The minimal models (indices into ``primes``) and what a cap left out."""

    primes: tuple[Term, ...]
    models: tuple[tuple[int, ...], ...]
    complete: bool
    left_out: str | None


def _incl_cov(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    xy = float(np.minimum(x, y).sum())
    sx, sy = float(x.sum()), float(y.sum())
    return (xy / sx if sx > 0 else 0.0), (xy / sy if sy > 0 else 0.0)


def _reaches(value: float, cut: float) -> bool:
    return bool(value >= cut - TOLERANCE)  # R's agteb()


def consistent_primes(space: Space, data: SetData, positives: Sequence[int],
                      pi_cons: float, limits: SearchLimits) -> list[Term]:
    """R's CCubes with ``pi.cons``: minimal terms through positive rows reaching ``pi_cons``."""
    y = data.y
    if space.k > PI_CONS_MAX_CONDITIONS:
        raise OptionError(
            f"pi_cons with remainders searches every term through the positive rows, up to "
            f"{PI_CONS_MAX_CONDITIONS} conditions; this analysis has {space.k}")
    found: list[Term] = []
    covered = 0
    everything = (1 << len(positives)) - 1
    idle = 0
    k = space.k
    for size in range(1, k + 1):
        limits.check()
        new = False
        seen: set[Term] = set()
        for n, combo in enumerate(combinations(range(k), size)):
            mask = sum(1 << (k - 1 - j) for j in combo)
            if not n % 256:
                limits.check()
            for p in positives:
                term = space.through(p, mask)
                if term in seen or any(space.contains(f, term) for f in found):
                    continue
                seen.add(term)
                incl, _ = _incl_cov(membership(term, data), y)
                if _reaches(incl, pi_cons):
                    found.append(term)
                    new = True
                    for row in space.chart([term], positives):
                        covered |= row
        if covered == everything and positives:
            idle = 0 if new else idle + 1
            if idle > 1:
                break
    return sorted(found, key=lambda t: (t.mask, str(t)))


def consistent_models(primes: Sequence[Term], data: SetData, n_positives: int,
                      options: ChartOptions, limits: SearchLimits) -> tuple[
                          list[tuple[int, ...]], bool, str | None]:
    """R's ``find_consistent_models``: disjunctions reaching ``sol_cons`` and ``sol_cov``."""
    y = data.y
    mems = [membership(t, data) for t in primes]
    found: list[tuple[int, ...]] = []
    found_sets: list[frozenset[int]] = []
    deadline = time.monotonic() + limits.seconds_left(limits.max_seconds)
    visited = 0
    for size in range(1, min(n_positives, len(primes)) + 1):
        for combo in combinations(range(len(primes)), size):
            visited += 1
            if visited % 1024 == 0:
                limits.check()
                if time.monotonic() > deadline or visited > limits.max_nodes:
                    return found, False, (
                        f"the search for consistent models stopped after {visited} "
                        f"combinations (max_seconds = {limits.max_seconds:g} or max_nodes); "
                        "larger models may exist")
            chosen = frozenset(combo)
            if any(f <= chosen for f in found_sets):
                continue
            x = np.maximum.reduce([mems[i] for i in combo])
            incl, cov = _incl_cov(x, y)
            if _reaches(incl, options.sol_cons) and _reaches(cov, options.sol_cov):
                found.append(combo)
                found_sets.append(chosen)
                if len(found) >= limits.max_models:
                    return found, False, (
                        f"listing stopped at max_models = {limits.max_models}: more "
                        "consistent models may exist")
    return found, True, None


def solve_chart(space: Space, data: SetData, positives: Sequence[int],
                primes: Sequence[Term], options: ChartOptions, limits: SearchLimits, *,
                remainders: bool) -> SolvedChart:
    """The models of one solution from its prime implicants (see the module docstring).

    Raises:
        NoSolutionError: a cut leaves a positive row uncovered, or no model reaches sol_cons.
    """
    y = data.y
    primes = list(primes)
    rows = space.chart(primes, positives)
    keep = [i for i, r in enumerate(rows) if r]
    primes, rows = [primes[i] for i in keep], [rows[i] for i in keep]
    union = 0
    for r in rows:
        union |= r
    if union != (1 << len(positives)) - 1:
        raise NoSolutionError(
            "there are no solutions, given these constraints: with pi_cons = "
            f"{options.pi_cons:g} some positive row is covered by no prime implicant "
            "reaching it")
    if options.row_dom:
        keep = row_dominance(rows)
        primes, rows = [primes[i] for i in keep], [rows[i] for i in keep]
    if options.sol_cons > 0 and remainders:
        models, complete, left_out = consistent_models(primes, data, len(positives), options,
                                                       limits)
        if not models:
            raise NoSolutionError(
                f"there are no solutions, given these constraints: no disjunction of prime "
                f"implicants reaches sol_cons = {options.sol_cons:g} with sol_cov = "
                f"{options.sol_cov:g}")
        return SolvedChart(tuple(primes), tuple(models), complete, left_out)
    search: CoverSearch = cover_chart(rows, len(positives), limits)
    models_list = list(search.models)
    if options.sol_cons > 0:
        models_list = [
            m for m in models_list
            if _reaches(_incl_cov(np.maximum.reduce([membership(primes[i], data) for i in m]),
                                  y)[0], options.sol_cons)
        ]
        if not models_list:
            raise NoSolutionError(
                "there are no solutions, given these constraints: no minimal model reaches "
                f"sol_cons = {options.sol_cons:g}")
    return SolvedChart(tuple(primes), tuple(models_list), search.complete, search.left_out)

