"""Exact Boolean minimisation: prime implicants, then every minimum cover of the positive rows.

Prime implicants
    *Conservative* (no remainders): the cubes lying wholly inside the positive rows. They are
    at most as large as the set of positive rows, so merging cubes that differ in one
    condition (the Quine-McCluskey step, but only over the few observed positives) is cheap.

    *With remainders* (parsimonious): a term covering positive row ``p`` is an implicant iff
    it keeps, for every negative row ``n``, at least one condition on which ``p`` and ``n``
    differ. So the implicants through ``p`` are the hitting sets of the family
    ``{p XOR n}``, and its *prime* implicants are the minimal hitting sets. Remainders never
    have to be listed (there may be 2**k of them). For k <= 20 the minimal hitting sets of
    each positive row are found with a dense bit-set sweep over the 2**k condition subsets
    (a zeta transform in numpy); above that, with a depth-first minimal-transversal search.

Minimum covers
    The prime-implicant chart is solved exactly: essential implicants first, dominated
    columns dropped (which keeps every cover), then iterative deepening on the number of
    implicants with a branch-and-bound search (branch on the column with the fewest
    candidates, bound by a packing of columns that share no candidate). The first depth at
    which covers exist is the minimum; all covers of that size are enumerated, each once.
    As in R QCA (``row.dom = FALSE``), models are all disjunctions of the minimal *number* of
    prime implicants that cover every positive row.

Limits
    :class:`SearchLimits` caps the number of models listed and the search nodes visited.
    When a cap stops the search, the result says so (``complete = False``) and what was left
    out, and still returns what it found: never a crash, never a hang.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from parley.analysis.qca.terms import Implicant

__all__ = [
    "CoverSearch",
    "SearchLimits",
    "minimum_covers",
    "prime_implicants",
    "prime_implicants_conservative",
    "prime_implicants_with_remainders",
]

DENSE_MAX_CONDITIONS = 20


@dataclass(frozen=True)
class SearchLimits:
    """Caps that keep the minimisation bounded.

    Attributes:
        max_models: stop listing minimal models after this many.
        max_nodes: stop the cover search after visiting this many branch-and-bound nodes.
        max_primes: stop generating prime implicants after this many (the chart would be
            unmanageable anyway).
    """

    max_models: int = 1000
    max_nodes: int = 2_000_000
    max_primes: int = 200_000


@dataclass(frozen=True)
class CoverSearch:
    """Outcome of the minimum-cover search.

    Attributes:
        models: each model is a tuple of indices into ``primes``; every model has the same
            (minimal) number of implicants, unless ``proven_minimal`` is False.
        essential: indices of implicants in every model.
        complete: False when a cap stopped the search; ``left_out`` says what is missing.
        proven_minimal: False when the node cap struck before the minimum was proven; the
            models are then the best covers found, not necessarily minimal.
        nodes: search nodes visited.
    """

    models: tuple[tuple[int, ...], ...]
    essential: tuple[int, ...]
    complete: bool
    proven_minimal: bool
    left_out: str | None
    nodes: int


# ----------------------------------------------------------------------------------------
# Prime implicants


def prime_implicants_conservative(positives: Sequence[int], k: int) -> list[Implicant]:
    """Prime implicants of the function true exactly on ``positives`` (no remainders)."""
    full = (1 << k) - 1
    level = {(full, p) for p in positives}
    primes: list[Implicant] = []
    while level:
        merged_from: set[tuple[int, int]] = set()
        nxt: set[tuple[int, int]] = set()
        for mask, value in level:
            m = mask
            while m:
                bit = m & -m
                m ^= bit
                partner = (mask, value ^ bit)
                if partner in level:
                    nxt.add((mask ^ bit, value & ~bit))
                    merged_from.add((mask, value))
        primes.extend(Implicant(m, v) for m, v in level - merged_from)
        level = nxt
    return sorted(primes)


def _dense_minimal_hitting_sets(p: int, negatives: Sequence[int], k: int) -> np.ndarray:
    """Condition subsets S (as masks) minimal such that S meets every ``p ^ n``."""
    size = 1 << k
    full = size - 1
    bad = np.zeros(size, dtype=bool)
    if negatives:
        bad[np.bitwise_xor(full, np.bitwise_xor(np.asarray(negatives, dtype=np.int64), p))] = True
    # bad[S]: S misses some p ^ n, i.e. S is inside some complement; close downwards.
    for i in range(k):
        view = bad.reshape(-1, 2, 1 << i)
        view[:, 0, :] |= view[:, 1, :]
    prime = ~bad
    for i in range(k):
        pv = prime.reshape(-1, 2, 1 << i)
        bv = bad.reshape(-1, 2, 1 << i)
        pv[:, 1, :] &= bv[:, 0, :]
    return np.flatnonzero(prime)


def _minimal_transversals(edges: Sequence[int]) -> Iterator[int]:
    """Minimal hitting sets of a family of bit sets (depth-first, each produced once)."""
    family = sorted(set(edges), key=int.bit_count)
    minimal: list[int] = []
    for e in family:  # supersets of another edge are implied by it
        if not any(f & e == f for f in minimal):
            minimal.append(e)

    def private_ok(chosen: int) -> bool:
        # Every chosen element must be the only chosen element of some edge.
        needed = chosen
        for e in minimal:
            hit = e & chosen
            if hit and hit & (hit - 1) == 0:
                needed &= ~hit
        return needed == 0

    def rec(chosen: int, excluded: int) -> Iterator[int]:
        uncovered = [e for e in minimal if not e & chosen]
        if not uncovered:
            yield chosen
            return
        edge = min(uncovered, key=lambda e: (e & ~excluded).bit_count())
        cand = edge & ~excluded
        while cand:
            v = cand & -cand
            cand ^= v
            nxt = chosen | v
            if private_ok(nxt):
                yield from rec(nxt, excluded)
            excluded |= v

    yield from rec(0, 0)


def prime_implicants_with_remainders(
    positives: Sequence[int],
    negatives: Sequence[int],
    k: int,
    limits: SearchLimits | None = None,
) -> tuple[list[Implicant], bool]:
    """Prime implicants covering some positive and no negative; remainders are free.

    Returns:
        The prime implicants (sorted) and whether the list is complete (False when
        ``limits.max_primes`` stopped the search).
    """
    limits = limits or SearchLimits()
    negs = sorted(set(negatives))
    found: set[tuple[int, int]] = set()
    for p in sorted(set(positives)):
        if k <= DENSE_MAX_CONDITIONS:
            masks: Sequence[int] = [int(m) for m in _dense_minimal_hitting_sets(p, negs, k)]
        else:
            masks = list(_minimal_transversals([p ^ n for n in negs]))
        for m in masks:
            found.add((m, p & m))
        if len(found) > limits.max_primes:
            return sorted(Implicant(m, v) for m, v in found), False
    return sorted(Implicant(m, v) for m, v in found), True


def prime_implicants(
    positives: Sequence[int],
    negatives: Sequence[int],
    k: int,
    *,
    remainders: bool,
    limits: SearchLimits | None = None,
) -> tuple[list[Implicant], bool]:
    """Prime implicants for the conservative (``remainders=False``) or parsimonious case."""
    if not remainders:
        return prime_implicants_conservative(positives, k), True
    return prime_implicants_with_remainders(positives, negatives, k, limits)


# ----------------------------------------------------------------------------------------
# Minimum covers


class _CapReachedError(Exception):
    """Raised inside the search when a cap is reached."""


def _bits(value: int) -> Iterator[int]:
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def minimum_covers(
    primes: Sequence[Implicant],
    positives: Sequence[int],
    limits: SearchLimits | None = None,
) -> CoverSearch:
    """Every cover of ``positives`` by the fewest ``primes`` (see the module docstring)."""
    limits = limits or SearchLimits()
    pos = list(positives)
    ncol = len(pos)
    rows = [sum(1 << c for c, p in enumerate(pos) if imp.covers(p)) for imp in primes]
    col_rows = [0] * ncol
    for r, cov in enumerate(rows):
        for c in _bits(cov):
            col_rows[c] |= 1 << r
    if ncol == 0:
        return CoverSearch((), (), True, True, None, 0)
    if any(cr == 0 for cr in col_rows):
        missing = [c for c, cr in enumerate(col_rows) if cr == 0]
        raise ValueError(f"positive configuration(s) {missing} covered by no prime implicant")

    essential_rows = sorted({next(_bits(cr)) for cr in col_rows if cr & (cr - 1) == 0})
    covered = 0
    for r in essential_rows:
        covered |= rows[r]
    remaining = [c for c in range(ncol) if not covered >> c & 1]
    # Drop dominated columns: covering a column with a subset of candidates suffices.
    remaining.sort(key=lambda c: (col_rows[c].bit_count(), c))
    kept: list[int] = []
    for c in remaining:
        if not any(col_rows[d] & col_rows[c] == col_rows[d] for d in kept):
            kept.append(c)
    # Re-index the reduced chart: columns 0..m-1, candidate rows with their coverage.
    cand = sorted({r for c in kept for r in _bits(col_rows[c])} - set(essential_rows))
    col_index = {c: i for i, c in enumerate(kept)}
    sub_rows = []
    for r in cand:
        cov = 0
        for c in _bits(rows[r]):
            if c in col_index:
                cov |= 1 << col_index[c]
        sub_rows.append(cov)
    order = sorted(range(len(cand)), key=lambda i: -sub_rows[i].bit_count())
    cand = [cand[i] for i in order]
    sub_rows = [sub_rows[i] for i in order]
    m = len(kept)
    sub_cols = [0] * m
    for i, cov in enumerate(sub_rows):
        for c in _bits(cov):
            sub_cols[c] |= 1 << i
    everything = (1 << m) - 1

    def lower_bound(uncovered: int, allowed: int) -> int:
        used = 0
        count = 0
        for c in _bits(uncovered):
            avail = sub_cols[c] & allowed
            if not avail:
                return 1 << 30
            if not avail & used:
                used |= avail
                count += 1
        return count

    nodes = 0
    found: list[tuple[int, ...]] = []

    def search(uncovered: int, chosen: list[int], allowed: int, budget: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > limits.max_nodes:
            raise _CapReachedError("nodes")
        if not uncovered:
            found.append(tuple(chosen))
            if len(found) >= limits.max_models:
                raise _CapReachedError("models")
            return
        if budget == 0 or lower_bound(uncovered, allowed) > budget:
            return
        best_c, best_n = -1, 1 << 30
        for c in _bits(uncovered):
            n = (sub_cols[c] & allowed).bit_count()
            if n < best_n:
                best_c, best_n = c, n
                if n <= 1:
                    break
        options = sub_cols[best_c] & allowed
        for i in _bits(options):
            chosen.append(i)
            search(uncovered & ~sub_rows[i], chosen, allowed, budget - 1)
            chosen.pop()
            allowed &= ~(1 << i)  # later branches exclude earlier choices: no duplicates

    # Greedy upper bound, used only if the node cap strikes before the minimum is proven.
    greedy: list[int] = []
    left = everything
    while left:
        i = max(range(len(cand)), key=lambda j: (sub_rows[j] & left).bit_count())
        greedy.append(i)
        left &= ~sub_rows[i]
    all_rows = (1 << len(cand)) - 1
    depth = lower_bound(everything, all_rows) if m else 0
    stop: str | None = None
    try:
        while True:
            search(everything, [], all_rows, depth)
            if found or depth >= len(greedy):
                break
            depth += 1
    except _CapReachedError as why:
        stop = str(why)

    essential = tuple(essential_rows)
    if not found:  # the node cap struck before any cover of size `depth` was seen
        model = tuple(sorted([*essential_rows, *(cand[i] for i in greedy)]))
        return CoverSearch(
            (model,),
            essential,
            complete=False,
            proven_minimal=False,
            left_out=(
                f"search stopped after {limits.max_nodes} nodes: no cover with "
                f"{len(essential_rows) + depth} implicants was found yet, so the minimum "
                f"(between {len(essential_rows) + depth} and {len(model)}) is not proven; "
                f"one greedy cover of {len(model)} implicants is shown"
            ),
            nodes=nodes,
        )
    models = tuple(
        sorted(tuple(sorted([*essential_rows, *(cand[i] for i in f)])) for f in found)
    )
    left_out = None
    if stop == "models":
        left_out = (
            f"listing stopped at max_models = {limits.max_models}: more minimal models "
            f"with {len(models[0])} implicants may exist"
        )
    elif stop == "nodes":
        left_out = (
            f"search stopped after {limits.max_nodes} nodes: {len(models)} minimal model(s) "
            f"with {len(models[0])} implicants listed, others may exist"
        )
    return CoverSearch(models, essential, stop is None, True, left_out, nodes)
