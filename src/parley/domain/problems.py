"""Collecting every problem of one input before refusing it, each with file, line and field.

Case files, guideline files and scenarios are checked the same way: all problems are found in
one pass (so a user fixes a file once, not once per error), each located by the parser's line
map, and unknown words get "did you mean" suggestions from the allowed ones.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from parley.domain.errors import Problem

KeyPath = tuple[str | int, ...]
"""Where in a parsed document: keys and list indexes from the root."""
Locator = Callable[[KeyPath], int | None]
"""The line of a key path in its file, from the parser (None when not known)."""


@dataclass
class ProblemCollector:
    file: str | None
    locate: Locator | None
    case: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: KeyPath, message: str, fieldname: str | None = None, *,
            subject: str | None = None) -> None:
        """Record `message` at `path`; `subject` (e.g. "guideline 'x'") leads the message."""
        line = self.locate(path) if self.locate else None
        text = f"{subject}: {message}" if subject else message
        self.problems.append(Problem(text, self.file, line, self.case, fieldname))


def close_matches(word: str, options: Sequence[str]) -> list[str]:
    """The (at most three) allowed words closest to `word`."""
    return difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)


def suggest(word: str, options: Sequence[str]) -> str:
    """` (did you mean a, b?)` for the allowed words closest to `word`, or nothing."""
    close = close_matches(word, options)
    return f" (did you mean {', '.join(close)}?)" if close else ""
