"""One error hierarchy for all of Parley.

    ParleyError
    ├── InvalidInput            bad input: CLI exit 2, HTTP 400/422
    │   ├── ValidationFailed    one or more located problems (file, line, case, field)
    │   ├── QuerySyntaxError    a --where expression, with the offending token's position
    │   └── TooLarge            an upload over the size limit: HTTP 413
    ├── NotFound                CLI exit 2, HTTP 404
    ├── Conflict                a stale or duplicate write: CLI exit 2, HTTP 409
    ├── NotAuthenticated        no valid session, token or password: CLI exit 1, HTTP 401
    ├── Forbidden               authenticated, but the role does not permit it: CLI exit 1, HTTP 403
    └── ConfigurationError      a broken installation (e.g. codebook): CLI exit 1, HTTP 500
        └── KeyUnavailable      the master key ring cannot open the data: CLI exit 1, HTTP 503

The CLI and the web app each map these to exit codes and status codes in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Msg:
    """A user-facing message: a stable `code`, an English `template` with `%(name)s` fields
    (also its msgid in the gettext catalogs) and the values. `str()` is the English text; the
    web and the CLI say it in the reader's language (`parley.locale.say`)."""

    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.params) if self.params else self.template


def msg(code: str, template: str, **params: Any) -> Msg:
    """A message (`scripts/messages` extracts `template`, the second argument, into the
    catalogs). Example: `msg("query.empty", "empty query")`."""
    return Msg(code, template, params)


class ParleyError(Exception):
    """Base of every error Parley raises on purpose."""


class InvalidInput(ParleyError):
    """The user's input is wrong; nothing was changed."""


@dataclass(frozen=True)
class Problem:
    """One located problem in user input, rendered as `file:line: case 'x', field 'y': message`."""

    message: str
    file: str | None = None
    line: int | None = None
    case: str | None = None
    field: str | None = None
    msg: Msg | None = None  # the message with its code and values, to say in any language

    @classmethod
    def of(cls, message: Msg | str, file: str | None = None, line: int | None = None,
           case: str | None = None, field: str | None = None) -> Problem:
        """A problem from a message (English `message`; `msg` kept when it is a Msg)."""
        return cls(str(message), file, line, case, field,
                   message if isinstance(message, Msg) else None)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        parts = []
        if self.case:
            parts.append(f"case '{self.case}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        prefix = ", ".join(parts)
        return f"{where}{prefix + ': ' if prefix else ''}{self.message}"


class ValidationFailed(InvalidInput):
    """Input failed validation; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n... and {more} more problem(s)"
        super().__init__(shown)


class QuerySyntaxError(InvalidInput):
    """A query expression is malformed or names unknown variables or codes."""

    def __init__(self, message: Msg | str, query: str, position: int) -> None:
        self.query = query
        self.position = position
        self.msg = message if isinstance(message, Msg) else None
        self.reason = str(message)
        pointer = " " * position + "^"
        super().__init__(f"{message}\n  {query}\n  {pointer}")


class TooLarge(InvalidInput):
    """An upload is larger than the configured limit."""


class NotFound(ParleyError):
    """The named thing does not exist."""


class Conflict(ParleyError):
    """The write would overwrite something it should not (stale version, duplicate id)."""


class NotAuthenticated(ParleyError):
    """No valid credentials (or the account is locked); says nothing about what exists."""


class Forbidden(ParleyError):
    """The actor's role or token scope does not permit the action on this classification."""


class ConfigurationError(ParleyError):
    """Parley's own installation or data is broken; raised at start-up, not at use."""


class KeyUnavailable(ConfigurationError):
    """The master key ring lacks (or mismatches) a key version the data needs; the operator
    must restore or import the ring. Nothing is written under another key meanwhile."""
