"""Prose that can be said again in another language: a template key and its values.

Parley computes sentences with figures in them (the outlook's basis and caveat, what moved it).
Rather than an English string that no catalog could translate, the computation keeps each
sentence as a `Phrase` (a key and the values it needs) and renders it with the templates of the
reader's language (English in the code that computes it, others as data in
`knowledge/i18n/<lang>/`), numbers written as the language writes them (`NumberStyle`).

Template fields name a value and, after a colon, how to write it:

    {n}             as is (text, whole numbers)
    {x:pct}         a share as a whole percentage: 0.4 -> "40%"
    {x:.2f}, {x:g}  a decimal in Python's format, then the language's decimal separator
                    ("0.61" in English, "0,61" in Spanish: `parley.locale.number_style`)
    {xs:list}       texts joined with ", "
    {c:class}       an outcome class code, by its name in the language (`Words.classes`)
    {cs:conditions} condition names, each by its label in the language, joined with ", "
    {p}             a nested Phrase (or "" for none), rendered with the same words
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PhraseValue = Any  # str | int | float | tuple[str, ...] | Phrase


@dataclass(frozen=True)
class Phrase:
    """One sentence (or part of one) to render: the template's key and its values."""

    key: str
    values: Mapping[str, PhraseValue] = field(default_factory=dict)


@dataclass(frozen=True)
class NumberStyle:
    """How a language writes decimals and percentages."""

    decimal: str = "."
    percent: str = "{}%"


ENGLISH_NUMBERS = NumberStyle()


@dataclass(frozen=True)
class Words:
    """A language's templates by key, its number style, and names of classes and conditions."""

    templates: Mapping[str, str]
    numbers: NumberStyle = ENGLISH_NUMBERS
    classes: Mapping[str, str] = field(default_factory=dict)
    conditions: Mapping[str, str] = field(default_factory=dict)

    def percent(self, share: float) -> str:
        return self.numbers.percent.format(f"{100 * share:.0f}")

    def number(self, value: float, spec: str = "") -> str:
        return format(value, spec).replace(".", self.numbers.decimal)


class _Formatter(string.Formatter):
    def __init__(self, words: Words) -> None:
        self.words = words

    def format_field(self, value: Any, format_spec: str) -> str:
        w = self.words
        if isinstance(value, Phrase):
            return render(value, w)
        if format_spec == "pct":
            return w.percent(float(value))
        if format_spec == "list":
            return ", ".join(str(v) for v in value)
        if format_spec == "class":
            return w.classes.get(str(value), str(value))
        if format_spec == "conditions":
            return ", ".join(w.conditions.get(str(v), str(v)) for v in value)
        if format_spec and isinstance(value, int | float) and not isinstance(value, bool):
            return w.number(value, format_spec)
        return format(value, format_spec)


def render(phrase: Phrase, words: Words) -> str:
    """The phrase in the words' language (KeyError: a template the words lack)."""
    return _Formatter(words).vformat(words.templates[phrase.key], (), dict(phrase.values))


def render_all(phrases: Sequence[Phrase], words: Words) -> str:
    """Phrases one after another (each template carries its own spacing)."""
    return "".join(render(p, words) for p in phrases)


def fields_of(template: str) -> set[str]:
    """The value names a template uses ("{n} of {x:pct}" -> {"n", "x"})."""
    return {m for m in re.findall(r"{(\w+)(?::[^}]*)?}", template)}


def check_templates(english: Mapping[str, str], other: Mapping[str, Any]) -> list[str]:
    """Problems of another language's templates against the English ones: a key missing or
    unknown, an empty text, different value names. Empty: they match."""
    problems = []
    for key in sorted(set(other) - set(english)):
        problems.append(f"{key}: no such text; allowed: {', '.join(sorted(english))}")
    for key in sorted(english):
        value = other.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: missing (text)")
        elif fields_of(value) != fields_of(english[key]):
            problems.append(f"{key}: names {{{', '.join(sorted(fields_of(value)))}}}; the "
                            f"English names {{{', '.join(sorted(fields_of(english[key])))}}}")
    return problems
