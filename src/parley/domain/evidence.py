"""Evidence: the UNKNOWN sentinel, citations, and coded values that cannot exist uncited."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal

DEFAULT_SOURCE: Final = "ifit-2021"
MAX_QUOTE_WORDS: Final = 40


class _Unknown(Enum):
    """`unknown`: the honest answer where the source is silent. A type of its own, never None."""

    UNKNOWN = "unknown"

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __str__(self) -> str:
        return "unknown"


UNKNOWN: Final = _Unknown.UNKNOWN
Unknown = Literal[_Unknown.UNKNOWN]

Scalar = str | int
Value = str | int | tuple[str, ...]


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from a section of a source."""

    source: str
    section: str
    quote: str

    def __post_init__(self) -> None:
        if not self.quote.strip():
            raise ValueError("a citation needs a quote")
        if not self.section.strip():
            raise ValueError("a citation needs a section")


@dataclass(frozen=True)
class CodedValue:
    """A variable's value with the evidence behind it.

    A value other than UNKNOWN cannot be built without at least one citation.
    """

    value: Value | Unknown
    evidence: tuple[Citation, ...] = ()
    note: str | None = None

    def __post_init__(self) -> None:
        if self.value is not UNKNOWN and not self.evidence:
            raise ValueError("a coded value other than unknown needs evidence")

    @property
    def is_unknown(self) -> bool:
        return self.value is UNKNOWN


UNKNOWN_VALUE: Final = CodedValue(UNKNOWN)
