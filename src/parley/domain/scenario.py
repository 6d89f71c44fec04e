"""Scenarios: a situation described before or at the start of talks, the input of an assessment.

A scenario sets any of the codebook's scenario variables (those knowable before the outcome),
plus a `title`, free-text `notes` and a `classification` (public, restricted or secret: how its
documents are marked). Every variable it omits is UNKNOWN. Outcome variables are
never inputs, so an assessment cannot be fed what it is meant to anticipate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parley.domain.access import Classification
from parley.domain.case import Case, Locator, parse_value, value_to_json
from parley.domain.codebook import Codebook
from parley.domain.errors import Msg, Problem, ValidationFailed, msg
from parley.domain.evidence import UNKNOWN, Unknown, Value
from parley.domain.problems import close_matches

MAX_TITLE = 300
MAX_NOTES = 5000
EXTRA_KEYS = ("title", "notes", "classification")
UNTITLED = "Untitled scenario"


@dataclass(frozen=True)
class Scenario:
    """A described situation: every scenario variable, UNKNOWN where not given."""

    values: Mapping[str, Value | Unknown]
    title: str = UNTITLED
    notes: str = ""
    classification: Classification = Classification.PUBLIC

    def value(self, name: str) -> Value | Unknown:
        return self.values.get(name, UNKNOWN)

    def known(self) -> dict[str, Value]:
        """The variables the scenario sets (not UNKNOWN)."""
        return {k: v for k, v in self.values.items() if v is not UNKNOWN}


@dataclass(frozen=True)
class SavedScenario:
    """A scenario stored so its assessment can be reopened; it belongs to its author."""

    id: str
    scenario: Scenario
    created_at: datetime
    author: str = ""
    workspace: str | None = None  # the workspace it is shared with, if any


def _suggest(word: str, options: list[str]) -> Msg | str:
    """`problems.suggest` in the reader's language."""
    close = close_matches(word, options)
    return msg("scenario.did-you-mean", " (did you mean %(close)s?)",
               close=", ".join(close)) if close else ""


def parse_scenario(
    raw: object, codebook: Codebook, *, file: str | None = None, locate: Locator | None = None
) -> Scenario:
    """Validate a raw scenario mapping (from YAML or JSON) and build a Scenario.

    YAML booleans are accepted for yes/no codes; a list variable also accepts a single code.

    Raises:
        ValidationFailed: every problem, each naming file, line, key, the value and the allowed
            codes.

    Example:
        >>> parse_scenario({"cohesion": "high", "deterrence_credible": True}, codebook)
        Scenario(values={..., 'cohesion': 'high', 'deterrence_credible': 'yes', ...}, ...)
    """
    problems: list[Problem] = []

    def add(key: str | None, message: Msg | str) -> None:
        line = locate((key,) if key is not None else ()) if locate else None
        problems.append(Problem.of(message, file, line, None, key))

    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        add(None, msg("scenario.mapping", "a scenario must be a mapping of codebook variables "
                      "to values"))
        raise ValidationFailed(problems)
    variables = {v.name: v for v in codebook.scenario_variables}
    allowed_keys = [*EXTRA_KEYS, *variables]
    title, notes = UNTITLED, ""
    classification: Classification | None = None
    values: dict[str, Value | Unknown] = dict.fromkeys(variables, UNKNOWN)
    for key, entry in raw.items():
        name = str(key)
        if name == "title":
            if not isinstance(entry, str) or not entry.strip() or len(entry) > MAX_TITLE:
                add(name, msg("scenario.title", "title must be text of 1 to %(limit)s "
                              "characters", limit=MAX_TITLE))
            else:
                title = " ".join(entry.split())
            continue
        if name == "notes":
            if entry is not None and (not isinstance(entry, str) or len(entry) > MAX_NOTES):
                add(name, msg("scenario.notes", "notes must be text of at most %(limit)s "
                              "characters", limit=MAX_NOTES))
            else:
                notes = (entry or "").strip()
            continue
        if name == "classification":
            allowed = ", ".join(c.value for c in Classification)
            try:
                classification = Classification(str(entry).strip().lower())
            except ValueError:
                add(name, msg("scenario.classification", "classification %(value)s is not "
                              "one of %(allowed)s", value=repr(str(entry)[:40]),
                              allowed=allowed))
            continue
        var = variables.get(name)
        if var is None:
            known = codebook.get(name)
            if known is not None and known.coded:
                add(name, msg("scenario.outcome", "'%(name)s' is an outcome, not a scenario "
                              "variable: it cannot be known before the talks", name=name))
            else:
                add(name, msg("scenario.unknown-key", "unknown key '%(name)s'%(suggestion)s; "
                              "allowed keys: %(allowed)s", name=name,
                              suggestion=_suggest(name, allowed_keys),
                              allowed=", ".join(allowed_keys)))
            continue
        if entry is None:
            continue  # an empty YAML value: treated as omitted, i.e. unknown
        value, error = parse_value(var, entry)
        if error or value is None:
            add(name, error or "invalid value")
            continue
        values[name] = value
    if problems:
        raise ValidationFailed(problems)
    if classification is None:  # secret talks are not described in an unmarked document
        classification = (Classification.RESTRICTED if values.get("secrecy") == "secret"
                          else Classification.PUBLIC)
    return Scenario(values, title, notes, classification)


def scenario_from_case(case: Case, codebook: Codebook) -> Scenario:
    """The scenario a case's pre-negotiation values describe (for evaluation and tests)."""
    values = {v.name: case.values[v.name].value for v in codebook.scenario_variables}
    return Scenario(values, case.title, f"Built from the coded values of case {case.id}.")


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The normalised scenario: title, notes, classification, then every scenario variable
    ("unknown" if unset)."""
    return {"title": scenario.title, "notes": scenario.notes,
            "classification": scenario.classification.value,
            **{k: value_to_json(v) for k, v in scenario.values.items()}}
