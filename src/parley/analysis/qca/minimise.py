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
    ``SearchLimits.deadline`` is different: a caller's hard budget (the web's per-request
    time budget), checked cooperatively in the loops; past it the engine raises
    :class:`QCATimeout` instead of answering (no thread is killed, nothing is left running).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from parley.analysis.qca.errors import QCATimeout
from parley.analysis.qca.terms import Implicant

__all__ = [
    "CoverSearch",
    "SearchLimits",
    "cover_chart",
    "minimum_covers",
    "prime_implicants",
    "prime_implicants_conservative",
    "prime_implicants_with_remainders",
    "row_dominance",
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
        max_seconds: time allowed to the exact minimum-size solver, and to the listing.
        deadline: a ``time.monotonic()`` value after which the caller wants no answer at all:
            the loops check it and raise QCATimeout (None: no deadline, as in the CLI).
    """

    max_models: int = 1000
    max_nodes: int = 2_000_000
    max_primes: int = 200_000
    max_seconds: float = 60.0
    deadline: float | None = None

    def check(self) -> None:
        """Raise QCATimeout once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QCATimeout("the analysis ran past its time budget and was stopped")

    def seconds_left(self, seconds: float) -> float:
        """`seconds`, cut to what is left before the deadline."""
        if self.deadline is None:
            return seconds
        return min(seconds, self.deadline - time.monotonic())


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


def prime_implicants_conservative(positives: Sequence[int], k: int,
                                  limits: SearchLimits | None = None) -> list[Implicant]:
    """Prime implicants of the function true exactly on ``positives`` (no remainders)."""
    full = (1 << k) - 1
    level = {(full, p) for p in positives}
    primes: list[Implicant] = []
    while level:
        if limits is not None:
            limits.check()
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
    return dense_minimal_hitting_sets(
        [p ^ int(n) for n in negatives], k)


def dense_minimal_hitting_sets(edges: Sequence[int], k: int) -> np.ndarray:
    """Condition subsets S (as masks) minimal such that S meets every edge (a mask)."""
    size = 1 << k
    full = size - 1
    bad = np.zeros(size, dtype=bool)
    if edges:
        bad[np.bitwise_xor(full, np.asarray(edges, dtype=np.int64))] = True
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


def minimal_transversals(edges: Sequence[int]) -> Iterator[int]:
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
        limits.check()
        if k <= DENSE_MAX_CONDITIONS:
            masks: Sequence[int] = [int(m) for m in _dense_minimal_hitting_sets(p, negs, k)]
        else:
            masks = list(minimal_transversals([p ^ n for n in negs]))
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
        return prime_implicants_conservative(positives, k, limits), True
    return prime_implicants_with_remainders(positives, negatives, k, limits)


# ----------------------------------------------------------------------------------------
# Minimum covers


_QUICK_NODES = 20_000


def _ilp_minimum(rows: Sequence[int], ncol: int, seconds: float) -> list[int] | None:
    """Indices of a minimum set of ``rows`` covering all ``ncol`` columns, or None on timeout.

    Solved as a 0-1 integer programme with HiGHS (scipy): its LP bounds prove optimality on
    charts where a plain branch and bound would wander for hours.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped, unused-ignore]
    from scipy.sparse import coo_array  # type: ignore[import-untyped, unused-ignore]

    if seconds <= 0:
        return None
    ri, ci = [], []
    for i, cov in enumerate(rows):
        for c in _bits(cov):
            ri.append(c)
            ci.append(i)
    nv = len(rows)
    a = coo_array((np.ones(len(ri)), (ri, ci)), shape=(ncol, nv)).tocsr()
    res = milp(
        c=np.ones(nv),
        constraints=LinearConstraint(a, lb=np.ones(ncol), ub=np.full(ncol, np.inf)),
        integrality=np.ones(nv),
        bounds=Bounds(0, 1),
        options={"time_limit": seconds},
    )
    if res.status != 0 or res.x is None:
        return None
    return [i for i in range(nv) if res.x[i] > 0.5]


_ENUM_NODES = 300_000


def _ilp_enumerate(
    rows: Sequence[int],
    ncol: int,
    size: int,
    known: set[frozenset[int]],
    deadline: float,
    max_models: int,
) -> tuple[list[frozenset[int]], bool]:
    """All covers of ``size`` rows, by MILP with a cut excluding each one already known.

    Returns the covers and True when the solver proved there are no others.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped, unused-ignore]
    from scipy.sparse import coo_array, vstack  # type: ignore[import-untyped, unused-ignore]

    nv = len(rows)
    ri, ci = [], []
    for i, cov in enumerate(rows):
        for c in _bits(cov):
            ri.append(c)
            ci.append(i)
    cover = coo_array((np.ones(len(ri)), (ri, ci)), shape=(ncol, nv)).tocsr()
    out = list(known)
    while len(out) < max_models:
        seconds = deadline - time.monotonic()
        if seconds <= 0:
            return out, False
        cuts = [
            coo_array((np.ones(len(f)), ([0] * len(f), sorted(f))), shape=(1, nv)) for f in out
        ]
        a = vstack([cover, coo_array(np.ones((1, nv))), *cuts]).tocsr()
        lb = np.concatenate([np.ones(ncol), [size], np.full(len(out), -np.inf)])
        ub = np.concatenate([np.full(ncol, np.inf), [size], np.full(len(out), size - 1.0)])
        res = milp(
            c=np.zeros(nv),
            constraints=LinearConstraint(a, lb=lb, ub=ub),
            integrality=np.ones(nv),
            bounds=Bounds(0, 1),
            options={"time_limit": seconds},
        )
        if res.status == 2:  # infeasible: every cover of this size is known
            return out, True
        if res.status != 0 or res.x is None:
            return out, False
        out.append(frozenset(i for i in range(nv) if res.x[i] > 0.5))
    return out, False


class _CapReachedError(Exception):
    """Raised inside the search when a cap is reached."""


def _bits(value: int) -> Iterator[int]:
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def _chart_rows(primes: Sequence[Implicant], positives: Sequence[int]) -> list[int]:
    """For each implicant, the bit set of the positive rows (by index) it covers."""
    if not primes or not positives:
        return [0] * len(primes)
    pos = np.asarray(positives, dtype=np.int64)
    masks = np.fromiter((p.mask for p in primes), dtype=np.int64, count=len(primes))
    values = np.fromiter((p.value for p in primes), dtype=np.int64, count=len(primes))
    out: list[int] = []
    for start in range(0, len(primes), 4096):  # blocks keep memory flat
        block = slice(start, start + 4096)
        cov = (pos[None, :] & masks[block, None]) == values[block, None]
        packed = np.packbits(cov, axis=1, bitorder="little")
        out.extend(int.from_bytes(row.tobytes(), "little") for row in packed)
    return out


def row_dominance(rows: Sequence[int]) -> list[int]:
    """R's ``row.dom``: the chart rows no other row strictly dominates, in order.

    A prime implicant whose positive rows are a proper subset of another's is dropped;
    implicants covering exactly the same rows are all kept, as in R QCA's ``rowDominance``.
    """
    return [
        i for i, r in enumerate(rows)
        if not any(o != r and o & r == r for o in rows)
    ]


def minimum_covers(
    primes: Sequence[Implicant],
    positives: Sequence[int],
    limits: SearchLimits | None = None,
) -> CoverSearch:
    """Every cover of ``positives`` by the fewest ``primes`` (see the module docstring)."""
    return cover_chart(_chart_rows(primes, list(positives)), len(positives), limits)


def cover_chart(rows: Sequence[int], ncol: int, limits: SearchLimits | None = None) -> (
    CoverSearch
):
    """Every cover of the ``ncol`` chart columns by the fewest ``rows`` (bit sets of columns).

    The chart form serves crisp and multi-value implicants alike.
    """
    limits = limits or SearchLimits()
    rows = list(rows)
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
        # Columns that share no candidate each need their own implicant; taking the
        # columns with the fewest candidates first makes the packing larger.
        avail = sorted(
            ((sub_cols[c] & allowed).bit_count(), sub_cols[c] & allowed)
            for c in _bits(uncovered)
        )
        if avail and avail[0][0] == 0:
            return 1 << 30
        used = 0
        count = 0
        for _, a in avail:
            if not a & used:
                used |= a
                count += 1
        return count

    nodes = 0
    found: list[tuple[int, ...]] = []
    limits.check()
    deadline = time.monotonic() + limits.seconds_left(limits.max_seconds)
    node_cap = limits.max_nodes

    def tick() -> None:
        nonlocal nodes
        nodes += 1
        if nodes > node_cap:
            raise _CapReachedError("nodes")
        if not nodes & 1023 and time.monotonic() > deadline:
            raise _CapReachedError("time")

    def pick_column(uncovered: int, allowed: int) -> int:
        best_c, best_n = -1, 1 << 30
        for c in _bits(uncovered):
            n = (sub_cols[c] & allowed).bit_count()
            if n < best_n:
                best_c, best_n = c, n
                if n <= 1:
                    break
        return best_c

    # Phase 1: the minimum size, by branch and bound on a chart reduced by row dominance
    # (dropping an implicant whose columns another one also covers never raises the
    # minimum, though it may hide some minimum covers, hence phase 2).
    by_cover: dict[int, int] = {}
    for i, cov in enumerate(sub_rows):
        by_cover.setdefault(cov, i)
    dominant: list[int] = []
    for cov, i in sorted(by_cover.items(), key=lambda item: -item[0].bit_count()):
        if not any(sub_rows[d] & cov == cov for d in dominant):
            dominant.append(i)
    dominant_mask = sum(1 << i for i in dominant)
    best: list[int] = []
    left = everything
    while left:  # greedy cover: the first upper bound
        i = max(dominant, key=lambda j: (sub_rows[j] & left).bit_count())
        best.append(i)
        left &= ~sub_rows[i]

    def shrink(uncovered: int, chosen: list[int], allowed: int) -> None:
        tick()
        if not uncovered:
            if len(chosen) < len(best):
                best[:] = chosen
            return
        if len(chosen) + lower_bound(uncovered, allowed) >= len(best):
            return
        options = sub_cols[pick_column(uncovered, allowed)] & allowed
        for i in sorted(_bits(options), key=lambda j: -(sub_rows[j] & uncovered).bit_count()):
            chosen.append(i)
            shrink(uncovered & ~sub_rows[i], chosen, allowed)
            chosen.pop()
            allowed &= ~(1 << i)

    # Phase 2: every cover of that size over the full chart, each found once.
    def search(uncovered: int, chosen: list[int], allowed: int, budget: int) -> None:
        tick()
        if not uncovered:
            found.append(tuple(chosen))
            if len(found) >= limits.max_models:
                raise _CapReachedError("models")
            return
        if budget == 0 or lower_bound(uncovered, allowed) > budget:
            return
        options = sub_cols[pick_column(uncovered, allowed)] & allowed
        for i in _bits(options):
            chosen.append(i)
            search(uncovered & ~sub_rows[i], chosen, allowed, budget - 1)
            chosen.pop()
            allowed &= ~(1 << i)  # later branches exclude earlier choices: no duplicates

    all_rows = (1 << len(cand)) - 1
    stop: str | None = None
    proven = False
    if m:
        # A short branch and bound settles small charts without loading the MILP solver.
        node_cap = min(limits.max_nodes, _QUICK_NODES)
        try:
            shrink(everything, [], dominant_mask)
            proven = True
        except _CapReachedError:
            limits.check()
            node_cap = limits.max_nodes
            ilp = _ilp_minimum([sub_rows[i] for i in dominant], m, deadline - time.monotonic())
            if ilp is not None:
                best[:] = [dominant[i] for i in ilp]
                proven = True
    else:
        proven = True
    if proven:
        # Enumerate by branch and bound while solutions come easily; if that stalls, let
        # the MILP solver list the rest with one "no-good" cut per model found. The MILP
        # becoming infeasible proves the list complete.
        node_cap = min(limits.max_nodes, _ENUM_NODES)
        try:
            if limits.max_models > 1 or not best:
                search(everything, [], all_rows, len(best))
        except _CapReachedError as why:
            stop = str(why)
            if stop == "nodes" and len(found) < limits.max_models:
                found_sets = {frozenset(f) for f in found} | {frozenset(best)}
                more, done = _ilp_enumerate(
                    sub_rows, m, len(best), found_sets, deadline, limits.max_models
                )
                found[:] = [tuple(sorted(f)) for f in more]
                stop = None if done else ("models" if len(found) >= limits.max_models else "time")
        if not found:
            found.append(tuple(best))
    greedy = best
    limits.check()  # a search cut short by the caller's deadline is no answer

    essential = tuple(essential_rows)
    if not proven:  # the solvers ran out of time before the minimum was proven
        model = tuple(sorted([*essential_rows, *(cand[i] for i in greedy)]))
        return CoverSearch(
            (model,),
            essential,
            complete=False,
            proven_minimal=False,
            left_out=(
                f"search stopped after {limits.max_seconds:g} s before proving the minimum: "
                f"the best cover found ({len(model)} implicants) is shown, and smaller ones "
                f"may exist"
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
    elif stop in ("nodes", "time"):
        cap = f"{limits.max_nodes} nodes" if stop == "nodes" else f"{limits.max_seconds:g} s"
        left_out = (
            f"listing stopped after {cap}: {len(models)} minimal model(s) with "
            f"{len(models[0])} implicants listed, others may exist"
        )
    return CoverSearch(models, essential, stop is None, True, left_out, nodes)
