"""Languages of the interface: gettext catalogs, language negotiation, locale formatting.

The catalogs are `<lang>/LC_MESSAGES/messages.po` beside this file, edited by people and
compiled in memory on first use (no `.mo` is built or committed: a bare clone runs as is, and a
compiled file can never lag behind its source). English is the source language and needs no
catalog. The language of the current request or command lives in a context variable, set by
the web middleware or the CLI's `--lang`; `gettext` reads it, so Python code and templates
translate alike.

Only Babel and the standard library are imported: every layer above may use this one.
"""

from __future__ import annotations

import gettext as gettext_lib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib import resources

from parley.domain.errors import Msg, ParleyError, Problem, QuerySyntaxError, ValidationFailed
from parley.domain.phrase import NumberStyle

DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
"""Supported languages, each named in itself (what the switch shows)."""

_current: ContextVar[str] = ContextVar("parley_language", default=DEFAULT_LANGUAGE)

__all__ = [
    "DEFAULT_LANGUAGE", "LANGUAGES", "UnknownLanguage", "current_language", "format_date",
    "format_decimal", "format_integer", "format_number", "format_percent", "gettext",
    "negotiate", "ngettext", "normalise", "number_style", "say", "say_error", "say_problem",
    "set_language", "translations", "using_language",
]


class UnknownLanguage(ValueError):
    """A language code Parley has no catalog for."""

    def __init__(self, code: str, where: str = "language") -> None:
        allowed = ", ".join(LANGUAGES)
        super().__init__(f"{where}: unknown language '{code}' (allowed: {allowed})")
        self.code = code


def normalise(code: str | None) -> str | None:
    """The supported language a tag names (`es-HN` -> `es`, `ES_mx` -> `es`), else None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def check_language(code: str, where: str = "language") -> str:
    """`code` as a supported language, or UnknownLanguage naming the allowed ones."""
    found = normalise(code)
    if found is None:
        raise UnknownLanguage(code, where)
    return found


def negotiate(accept_language: str | None) -> str | None:
    """The best supported language of an Accept-Language header, or None.

    Tags are tried by descending q (ties keep header order); a region falls back to its
    language (`es-HN` -> `es`); `q=0` excludes a tag; `*` matches nothing in particular.
    """
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        found = normalise(tag)
        if found is not None:
            return found
    return None


@cache
def translations(language: str) -> gettext_lib.NullTranslations:
    """The compiled catalog of a language (English: the identity)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    if language == DEFAULT_LANGUAGE:
        return gettext_lib.NullTranslations()
    check_language(language)
    po = resources.files("parley.locale").joinpath(language, "LC_MESSAGES", "messages.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext_lib.GNUTranslations(compiled)


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    """Make `language` the current one for this context (a request, a command)."""
    _current.set(check_language(language))


@contextmanager
def using_language(language: str) -> Iterator[None]:
    token = _current.set(check_language(language))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def _locale(language: str | None) -> str:
    return language or _current.get()


def format_date(value: date | datetime | str | None, language: str | None = None,
                form: str = "medium") -> str:
    """A date as the locale writes it ('3 Dec 2026' / '3 dic 2026'); ISO strings accepted."""
    from babel.dates import format_date as babel_date

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed: date = date.fromisoformat(value[:10])
        except ValueError:
            return value
        return babel_date(parsed, format=form, locale=_locale(language))
    return babel_date(value, format=form, locale=_locale(language))


def format_datetime(value: datetime | str | None, language: str | None = None) -> str:
    from babel.dates import format_datetime as babel_datetime

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return babel_datetime(moment, format="medium", locale=_locale(language))
    return babel_datetime(value, format="medium", locale=_locale(language))


def format_integer(value: int, language: str | None = None) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language))


def format_decimal(value: float, language: str | None = None, digits: int = 2) -> str:
    from babel.numbers import format_decimal as babel_decimal

    return babel_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                         locale=_locale(language))


def number_style(language: str | None = None) -> NumberStyle:
    """How `language` writes decimals and percentages in prose (Babel's data): for texts
    rendered outside templates, such as the outlook's sentences (domain/phrase.py)."""
    from babel.numbers import format_percent as babel_percent
    from babel.numbers import get_decimal_symbol

    lang = _locale(language)
    pattern = babel_percent(0.5, format="#,##0%", locale=lang).replace("50", "{}", 1)
    return NumberStyle(get_decimal_symbol(lang), pattern)


def format_number(value: float, spec: str, language: str | None = None) -> str:
    """A number in a Python format spec (`.3f`, `.3g`, `+.1f`), with the locale's decimal
    separator: "0.612" / "0,612". For figures that keep a fixed precision (statistics), where
    `format_decimal` would group thousands and round to a pattern."""
    from babel.numbers import get_decimal_symbol

    return format(value, spec).replace(".", get_decimal_symbol(_locale(language)))


def format_percent(fraction: float, language: str | None = None) -> str:
    """A fraction as a whole percentage for the locale ('42%' / '42 %')."""
    from babel.numbers import format_percent as babel_percent

    return babel_percent(fraction, format="#,##0%", locale=_locale(language))


def say(message: Msg | str) -> str:
    """A message in the current language: its template through the catalog, filled with its
    values (a value that is itself a Msg is said too). English: exactly `str(message)`."""
    if not isinstance(message, Msg):
        return message
    values = {k: say(v) if isinstance(v, Msg) else _word(v) for k, v in message.params.items()}
    template = gettext(message.template)
    return template % values if values else template


_WORDS = ("end of query",)
"""Values some messages name as words, not data (marked in locale/vocabulary.py)."""


def _word(value: object) -> object:
    return gettext(value) if isinstance(value, str) and value in _WORDS else value


def say_problem(problem: Problem) -> str:
    """A located problem as `Problem.__str__` writes it, in the current language."""
    where = ""
    if problem.file:
        where = problem.file + (f":{problem.line}" if problem.line else "") + ": "
    elif problem.line:
        where = gettext("line %(line)s: ") % {"line": problem.line}
    parts = []
    if problem.case:
        parts.append(gettext("case '%(case)s'") % {"case": problem.case})
    if problem.field:
        parts.append(gettext("field '%(field)s'") % {"field": problem.field})
    prefix = ", ".join(parts)
    text = say(problem.msg) if problem.msg is not None else problem.message
    return f"{where}{prefix + ': ' if prefix else ''}{text}"


def say_error(exc: ParleyError) -> str:
    """An error's whole text as `str(exc)` writes it, in the current language: a query
    error's reason and pointer, every problem of a validation (at most 50, then a count)."""
    if isinstance(exc, QuerySyntaxError):
        reason = say(exc.msg) if exc.msg is not None else exc.reason
        return f"{reason}\n  {exc.query}\n  {' ' * exc.position}^"
    if isinstance(exc, ValidationFailed):
        shown = "\n".join(say_problem(p) for p in exc.problems[:50])
        more = len(exc.problems) - 50
        if more > 0:
            shown += "\n" + gettext("... and %(more)s more problem(s)") % {"more": more}
        return shown
    return str(exc)
