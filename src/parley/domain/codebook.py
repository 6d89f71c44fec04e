"""The codebook: the variables every case carries and the codes each may take."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from parley.domain.errors import ConfigurationError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class VarType(StrEnum):
    SLUG = "slug"
    TEXT = "text"
    TEXT_LIST = "text-list"
    CODE = "code"
    CODE_LIST = "code-list"
    INTEGER = "integer"

    @property
    def is_list(self) -> bool:
        return self in (VarType.TEXT_LIST, VarType.CODE_LIST)

    @property
    def has_codes(self) -> bool:
        return self in (VarType.CODE, VarType.CODE_LIST)


@dataclass(frozen=True)
class Variable:
    """One codebook variable."""

    name: str
    type: VarType
    definition: str
    group: str
    codes: Mapping[str, str] = field(default_factory=dict)
    ordered: bool = False
    scenario: bool = False
    coded: bool = True
    label: str = ""  # a short human name for forms and briefs; the name humanised if unset
    code_labels: Mapping[str, str] = field(default_factory=dict)  # short names of codes
    # (a translation gives them; English shows the code itself, humanised)

    @property
    def human(self) -> str:
        """The variable's human label (forms and briefs show this, never the snake_case name)."""
        return self.label or self.name.replace("_", " ").capitalize()

    def allowed(self) -> str:
        """The allowed codes as a comma-separated list, for error messages."""
        if self.type.has_codes:
            return ", ".join(self.codes)
        return {
            VarType.INTEGER: "a whole number",
            VarType.TEXT: "text",
            VarType.TEXT_LIST: "a list of text",
            VarType.SLUG: "a slug (lowercase words joined by hyphens)",
        }.get(self.type, self.type.value)

    def rank(self, code: str) -> int:
        """Position of a code on an ordered scale (0 = lowest)."""
        return list(self.codes).index(code)


@dataclass(frozen=True)
class Codebook:
    """All variables, in codebook order, with their groups."""

    version: int
    source: str
    variables: tuple[Variable, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for var in self.variables:
            if var.name in seen:
                raise ConfigurationError(f"codebook: variable '{var.name}' is defined twice")
            seen.add(var.name)
            if var.type.has_codes and not var.codes:
                raise ConfigurationError(f"codebook: variable '{var.name}' has no codes")
            if not var.type.has_codes and var.codes:
                raise ConfigurationError(
                    f"codebook: variable '{var.name}' of type {var.type.value} cannot have codes"
                )
            if var.ordered and var.type is not VarType.CODE:
                raise ConfigurationError(f"codebook: only code variables can be ordered ({var.name})")
            for code, definition in var.codes.items():
                if code == "unknown" or not SLUG_RE.match(code):
                    raise ConfigurationError(
                        f"codebook: variable '{var.name}': '{code}' is not a valid code"
                    )
                if not definition.strip():
                    raise ConfigurationError(
                        f"codebook: variable '{var.name}': code '{code}' has no definition"
                    )
            if not var.definition.strip():
                raise ConfigurationError(f"codebook: variable '{var.name}' has no definition")
        for required in ("id", "title", "outcome_class"):
            if required not in seen:
                raise ConfigurationError(f"codebook: required variable '{required}' is missing")

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self.variables)

    def get(self, name: str) -> Variable | None:
        return self._index.get(name)

    def __getitem__(self, name: str) -> Variable:
        return self._index[name]

    @property
    def _index(self) -> dict[str, Variable]:
        cached: dict[str, Variable] | None = self.__dict__.get("_cached_index")
        if cached is None:
            cached = {v.name: v for v in self.variables}
            object.__setattr__(self, "_cached_index", cached)
        return cached

    @property
    def coded(self) -> tuple[Variable, ...]:
        """Variables carried in a case's `values` (all but id and title)."""
        return tuple(v for v in self.variables if v.coded)

    @property
    def scenario_variables(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.scenario and v.coded)

    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def groups(self) -> list[tuple[str, list[Variable]]]:
        out: dict[str, list[Variable]] = {}
        for v in self.variables:
            out.setdefault(v.group, []).append(v)
        return list(out.items())
