"""Boolean terms as bit patterns, and their normal-form spelling.

A configuration of k conditions is an int whose bit ``k - 1 - j`` holds condition j, so that
sorting ints sorts configurations exactly like their 0/1 strings (and like R's row numbers).
An implicant is a pair of ints ``(mask, value)``: ``mask`` marks the conditions the term
fixes and ``value`` (a subset of ``mask``) their required values. Keeping terms as two ints
makes coverage tests a single ``&`` and lets sets of terms be hashed cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "Implicant",
    "bit_of",
    "decode_config",
    "format_config",
    "format_model",
    "parse_config",
    "radix_weights",
]


def bit_of(index: int, k: int) -> int:
    """Return the bit that holds condition ``index`` among ``k`` conditions."""
    return 1 << (k - 1 - index)


@dataclass(frozen=True, order=True)
class Implicant:
    """A conjunction of literals: the conditions in ``mask`` must equal their bit in ``value``."""

    mask: int
    value: int

    def covers(self, config: int) -> bool:
        """Whether the configuration lies inside this term's cube."""
        return config & self.mask == self.value

    def contains(self, other: Implicant) -> bool:
        """Whether ``other``'s cube lies inside this one (this term is more general)."""
        return self.mask & other.mask == self.mask and other.value & self.mask == self.value

    @property
    def size(self) -> int:
        """Number of literals."""
        return self.mask.bit_count()

    def literals(self, conditions: Sequence[str]) -> list[str]:
        """The literals in ``conditions`` order: ``COND`` or ``~COND``."""
        k = len(conditions)
        out = []
        for j, name in enumerate(conditions):
            bit = bit_of(j, k)
            if self.mask & bit:
                out.append(name if self.value & bit else f"~{name}")
        return out

    def format(self, conditions: Sequence[str]) -> str:
        """The normal-form spelling; the empty term (always true) is ``1`` as in R QCA."""
        lits = self.literals(conditions)
        return "*".join(lits) if lits else "1"

    def minterms(self, k: int) -> list[int]:
        """Every configuration inside the cube (2 ** free conditions of them)."""
        free = [bit_of(j, k) for j in range(k) if not self.mask & bit_of(j, k)]
        out = [self.value]
        for bit in free:
            out += [m | bit for m in out]
        return out


def radix_weights(levels: Sequence[int]) -> list[int]:
    """R's row numbering (``mbase``): condition j counts ``prod(levels[j+1:])``.

    With every condition binary this is :func:`bit_of`, so crisp and multi-value
    configurations share one integer encoding and sort like R's truth-table rows.
    """
    out = [1] * len(levels)
    for j in range(len(levels) - 2, -1, -1):
        out[j] = out[j + 1] * levels[j + 1]
    return out


def decode_config(config: int, levels: Sequence[int]) -> tuple[int, ...]:
    """The value of each condition in a (mixed-radix) configuration."""
    out = []
    for w, n in zip(radix_weights(levels), levels, strict=True):
        out.append(config // w % n)
    return tuple(out)


def format_config(config: int, k: int, levels: Sequence[int] | None = None) -> str:
    """The configuration as one digit per condition (0/1 for crisp sets), as R prints it."""
    if levels is None or all(n == 2 for n in levels):
        return format(config, f"0{k}b") if k else ""
    return "".join(str(v) for v in decode_config(config, levels))


def parse_config(text: str) -> int:
    """Inverse of :func:`format_config`."""
    return int(text, 2) if text else 0


class Spelled(Protocol):
    """A term that can spell itself (crisp or multi-value)."""

    def format(self, conditions: Sequence[str]) -> str: ...


def format_model(terms: Iterable[Spelled], conditions: Sequence[str]) -> str:
    """A model's normal form: terms sorted in byte order and joined with `` + ``."""
    return " + ".join(sorted(t.format(conditions) for t in terms))
