"""Errors of the QCA engine, all under one base so callers can map them in one place.

    ParleyError                          (parley.domain.errors)
    └── QCAError                         anything the engine refuses on purpose
        ├── QCATimeout                   the caller's deadline (SearchLimits.deadline) passed
        └── QCAInputError  (InvalidInput) bad data or options: CLI exit 2, HTTP 4xx
            ├── MissingColumnError       a named column is not in the data
            ├── DuplicateColumnError     a column name appears twice, or twice in a list
            ├── InvalidValueError        non-numeric, missing or out-of-range membership
            ├── ConstantConditionError   a condition that never varies cannot discriminate
            ├── NoConfigurationsError    every truth-table row is a remainder (n.cut too high)
            ├── TooManyConditionsError   the requested analysis would not fit the limits
            ├── OptionError              an option out of range or malformed (cuts, dir.exp)
            └── NoSolutionError          pi_cons / sol_cons leave no model (R: "no solutions")

Every message names the file, column, row or limit involved, because the person reading it
has to find and fix the problem in their own spreadsheet.
"""

from __future__ import annotations

from parley.domain.errors import InvalidInput, ParleyError

__all__ = [
    "ConstantConditionError",
    "DuplicateColumnError",
    "InvalidValueError",
    "MissingColumnError",
    "NoConfigurationsError",
    "NoSolutionError",
    "OptionError",
    "QCAError",
    "QCAInputError",
    "QCATimeout",
    "TooManyConditionsError",
]


class QCAError(ParleyError):
    """Base of every error the QCA engine raises on purpose."""


class QCATimeout(QCAError):
    """The caller's deadline passed: the engine stopped between two steps, nothing returned.

    Not an input error: the same analysis succeeds with more time (the CLI sets no deadline).
    """


class QCAInputError(QCAError, InvalidInput):
    """The data or the options given to the QCA engine are wrong."""


class MissingColumnError(QCAInputError):
    """A column named as outcome, condition or case id is not in the data."""


class DuplicateColumnError(QCAInputError):
    """A column name appears twice in the data, or a condition is listed twice."""


class InvalidValueError(QCAInputError):
    """A cell is empty, not a number, or outside [0, 1]."""


class ConstantConditionError(QCAInputError):
    """A condition has the same membership class for every case."""


class NoConfigurationsError(QCAInputError):
    """No truth-table row has enough cases: all rows would be remainders."""


class TooManyConditionsError(QCAInputError):
    """More conditions than the engine's memory and time limits allow."""


class OptionError(QCAInputError):
    """An option is malformed or out of range (inclusion cuts, directional expectations...)."""


class NoSolutionError(QCAInputError):
    """The consistency cuts (pi_cons, sol_cons) leave no model, as R's "no solutions"."""
