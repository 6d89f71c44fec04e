"""Weighted similarity between a scenario and cases over mixed-type codebook variables.

Per variable, a similarity in [0, 1]:

- single code: 1 if equal, else 0; on an `ordered` scale, 1 - |rank difference| / (levels - 1);
- code list and text list: Jaccard overlap |A & B| / |A | B|;
- text: 1 if equal ignoring case, else 0;
- integer: max(0, 1 - |a - b| / scale), with the scale from the weights file.

The overall similarity is the weighted mean over the variables known on *both* sides: a pair with
`unknown` on either side is skipped and the weights renormalised, so `unknown` never counts as a
match (nor as a mismatch). Two descriptions with nothing known in common have similarity 0.

`compare` explains one pair (what is shared and what differs); `CaseIndex` encodes many cases
as numpy arrays once, so ranking 10,000 cases against a scenario takes milliseconds. Both compute
the same number (a test holds them to it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from parley.domain.codebook import Codebook, Variable, VarType
from parley.domain.evidence import UNKNOWN, Unknown, Value

Row = Mapping[str, Value | Unknown]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class VariableWeight:
    """How much one variable counts, and why (integers also carry the scale of a difference)."""

    weight: float
    reason: str
    scale: float | None = None


@dataclass(frozen=True)
class SimilarityWeights:
    """Weights of every scenario variable, and the least overlap a neighbour must have."""

    variables: Mapping[str, VariableWeight]
    min_compared: int = 1

    def weight(self, name: str) -> float:
        entry = self.variables.get(name)
        return entry.weight if entry is not None else 0.0

    def equal(self) -> SimilarityWeights:
        """The same variables, all weighted 1 (a sensitivity check against the chosen weights)."""
        return SimilarityWeights(
            {k: VariableWeight(1.0 if v.weight > 0 else 0.0, "equal weights", v.scale)
             for k, v in self.variables.items()},
            self.min_compared,
        )


@dataclass(frozen=True)
class Comparison:
    """One scenario-case pair: the similarity and which variables are shared or differ."""

    similarity: float
    shared: tuple[str, ...]
    different: tuple[str, ...]

    @property
    def compared(self) -> int:
        return len(self.shared) + len(self.different)


def variable_similarity(var: Variable, a: Value, b: Value, scale: float | None = None) -> float:
    """Similarity of two known values of one variable, in [0, 1]."""
    if var.type is VarType.CODE:
        if var.ordered and len(var.codes) > 1:
            assert isinstance(a, str) and isinstance(b, str)
            return 1.0 - abs(var.rank(a) - var.rank(b)) / (len(var.codes) - 1)
        return 1.0 if a == b else 0.0
    if var.type.is_list:
        sa = {str(x).casefold() for x in (a if isinstance(a, tuple) else (a,))}
        sb = {str(x).casefold() for x in (b if isinstance(b, tuple) else (b,))}
        union = sa | sb
        return len(sa & sb) / len(union) if union else 0.0
    if var.type is VarType.INTEGER:
        assert isinstance(a, int) and isinstance(b, int)
        return max(0.0, 1.0 - abs(a - b) / (scale or 1.0))
    return 1.0 if str(a).casefold() == str(b).casefold() else 0.0


def _shared(var: Variable, s: float) -> bool:
    # A single code or text is shared only when equal; lists and numbers when at least half alike.
    if var.type in (VarType.CODE, VarType.TEXT, VarType.SLUG):
        return s >= 1.0
    return s >= 0.5


def compared_variables(codebook: Codebook, weights: SimilarityWeights) -> list[Variable]:
    """Scenario variables with a positive weight, heaviest first (codebook order within ties)."""
    ranked = [v for v in codebook.scenario_variables if weights.weight(v.name) > 0]
    return sorted(ranked, key=lambda v: -weights.weight(v.name))


def compare(a: Row, b: Row, codebook: Codebook, weights: SimilarityWeights) -> Comparison:
    """Weighted similarity of two descriptions, with the shared and differing variables.

    Example:
        >>> compare({"cohesion": "high"}, {"cohesion": "high", "secrecy": "public"}, cb, w)
        Comparison(similarity=1.0, shared=('cohesion',), different=())
    """
    total = weight_sum = 0.0
    shared: list[str] = []
    different: list[str] = []
    for var in compared_variables(codebook, weights):
        va, vb = a.get(var.name, UNKNOWN), b.get(var.name, UNKNOWN)
        if va is UNKNOWN or vb is UNKNOWN:
            continue
        entry = weights.variables[var.name]
        s = variable_similarity(var, va, vb, entry.scale)
        total += entry.weight * s
        weight_sum += entry.weight
        (shared if _shared(var, s) else different).append(var.name)
    similarity = total / weight_sum if weight_sum else 0.0
    return Comparison(min(1.0, max(0.0, similarity)), tuple(shared), tuple(different))


# ----- vectorised index -------------------------------------------------------------------------


@dataclass
class _Column:
    var: Variable
    weight: float
    kind: str  # "code", "ordinal", "bits", "text", "textlist", "int"
    data: npt.NDArray[np.int64] | FloatArray
    vocab: dict[str, int] = field(default_factory=dict)
    postings: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    sizes: npt.NDArray[np.int64] | None = None
    scale: float = 1.0


def _bits(var: Variable, value: Value) -> int:
    order = list(var.codes)
    items = value if isinstance(value, tuple) else (value,)
    out = 0
    for item in items:
        out |= 1 << order.index(str(item))
    return out


class CaseIndex:
    """Many descriptions encoded as arrays, for fast ranking against one scenario."""

    def __init__(self, rows: Sequence[Row], codebook: Codebook, weights: SimilarityWeights) -> None:
        self.size = len(rows)
        self.codebook = codebook
        self.weights = weights
        self.columns = [self._encode(var, rows) for var in compared_variables(codebook, weights)]

    def _encode(self, var: Variable, rows: Sequence[Row]) -> _Column:
        entry = self.weights.variables[var.name]
        values = [r.get(var.name, UNKNOWN) for r in rows]
        if var.type is VarType.CODE:
            ordinal = var.ordered and len(var.codes) > 1
            order = list(var.codes)
            codes = np.array([-1 if v is UNKNOWN else order.index(str(v)) for v in values],
                             dtype=np.int64)
            return _Column(var, entry.weight, "ordinal" if ordinal else "code", codes)
        if var.type is VarType.CODE_LIST:
            bits = np.array([-1 if v is UNKNOWN else _bits(var, v) for v in values], dtype=np.int64)
            return _Column(var, entry.weight, "bits", bits)
        if var.type is VarType.INTEGER:
            nums = np.array([np.nan if v is UNKNOWN else float(v) for v in values],  # type: ignore[arg-type]
                            dtype=np.float64)
            return _Column(var, entry.weight, "int", nums, scale=entry.scale or 1.0)
        if var.type is VarType.TEXT_LIST:
            postings: dict[str, list[int]] = {}
            sizes = np.full(len(values), -1, dtype=np.int64)
            for i, v in enumerate(values):
                if v is UNKNOWN:
                    continue
                items = {str(x).casefold() for x in (v if isinstance(v, tuple) else (v,))}
                sizes[i] = len(items)
                for item in items:
                    postings.setdefault(item, []).append(i)
            col = _Column(var, entry.weight, "textlist", sizes)
            col.postings = {k: np.array(ix, dtype=np.int64) for k, ix in postings.items()}
            col.sizes = sizes
            return col
        vocab: dict[str, int] = {}
        ids = np.array([-1 if v is UNKNOWN else vocab.setdefault(str(v).casefold(), len(vocab))
                        for v in values], dtype=np.int64)
        return _Column(var, entry.weight, "text", ids, vocab=vocab)

    def similarities(self, query: Row) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Similarity of every indexed row to `query`, and how many variables each compared."""
        total = np.zeros(self.size)
        weight_sum = np.zeros(self.size)
        compared = np.zeros(self.size, dtype=np.int64)
        for col in self.columns:
            q = query.get(col.var.name, UNKNOWN)
            if q is UNKNOWN:
                continue
            known, s = self._column_similarity(col, q)
            total += np.where(known, s, 0.0) * col.weight
            weight_sum += known * col.weight
            compared += known
        with np.errstate(invalid="ignore", divide="ignore"):
            sim = np.where(weight_sum > 0, total / np.where(weight_sum > 0, weight_sum, 1), 0.0)
        return np.clip(sim, 0.0, 1.0), compared

    def _column_similarity(
        self, col: _Column, q: Value
    ) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        data = col.data
        if col.kind == "code":
            code = list(col.var.codes).index(str(q))
            return data >= 0, (data == code).astype(np.float64)
        if col.kind == "ordinal":
            rank = col.var.rank(str(q))
            return data >= 0, 1.0 - np.abs(data - rank) / (len(col.var.codes) - 1)
        if col.kind == "bits":
            qb = _bits(col.var, q)
            ints = data.astype(np.int64)
            inter = np.bitwise_count(ints & qb).astype(np.float64)
            union = np.bitwise_count(ints | qb).astype(np.float64)
            return ints >= 0, np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        if col.kind == "int":
            assert isinstance(q, int)
            known = ~np.isnan(data)
            diff = np.abs(np.where(known, data, 0.0) - q)
            return known, np.maximum(0.0, 1.0 - diff / col.scale)
        if col.kind == "textlist":
            assert col.sizes is not None
            items = {str(x).casefold() for x in (q if isinstance(q, tuple) else (q,))}
            inter = np.zeros(self.size)
            for item in items:
                ix = col.postings.get(item)
                if ix is not None:
                    inter[ix] += 1
            union = col.sizes + len(items) - inter
            known = col.sizes >= 0
            return known, np.where(known & (union > 0), inter / np.maximum(union, 1), 0.0)
        code = col.vocab.get(str(q).casefold(), -2)
        return data >= 0, (data == code).astype(np.float64)
