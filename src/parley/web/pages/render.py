"""Jinja environment and helpers shared by the pages."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from parley import __version__, locale
from parley.bootstrap import Parley
from parley.domain.case import Case, value_to_json
from parley.domain.codebook import Codebook, Variable
from parley.domain.evidence import CodedValue
from parley.domain.listing import marked_html
from parley.domain.workspace import Item, ItemKind, item_title
from parley.services import texts


def highlight(text: str | None) -> Markup:
    """Escape text, then turn search-match markers into <mark> (the only markup allowed)."""
    return Markup(marked_html(text or ""))  # noqa: S704 (escaped by marked_html)


def show_value(coded: CodedValue) -> str:
    value = value_to_json(coded.value)
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def var_label(var: Variable) -> str:
    """How lists and facets name a variable: its codebook name in English (what the query
    language uses), its translated label in any other language."""
    return var.name if locale.current_language() == locale.DEFAULT_LANGUAGE else var.human


def code_label(var: Variable, code: str) -> str:
    """A code as a form shows it: the humanised code in English, else the translated label
    the knowledge gives it (see parley.knowledge.i18n), else the humanised code."""
    return var.code_labels.get(code) or code.replace("-", " ").capitalize()


def localized_item_title(item: Item, names: Mapping[str, str] | None = None) -> str:
    """An item's list label in the current language (generated titles are English in the
    domain: 'Session 2026-01-02 Tegucigalpa', 'Breach 2026-02-03'); a relationship names its
    parties from `names` (id -> title of the items the reader sees), never their ids."""
    fields = item.fields
    if fields.get("name") or fields.get("title") \
            or locale.current_language() == locale.DEFAULT_LANGUAGE:
        return item_title(item.kind, fields, names)
    _ = locale.gettext
    if item.kind is ItemKind.SESSION:
        date = locale.format_date(fields.get("date")) if fields.get("date") else ""
        return _("Session %(date)s %(place)s") % {
            "date": date, "place": fields.get("place") or ""}
    if item.kind is ItemKind.RELATIONSHIP:
        known = names or {}
        return (f"{known.get(str(fields.get('source')), '?')} — {_(str(fields.get('type')))} — "
                f"{known.get(str(fields.get('target')), '?')}")
    if item.kind is ItemKind.BREACH:
        date = locale.format_date(fields.get("date")) if fields.get("date") else ""
        return f"{_('Breach')} {date}".strip()
    if item.kind is ItemKind.LENIENCY_CONDITION:
        return _("Leniency: %(group)s") % {"group": fields.get("beneficiaries") or ""}
    if item.kind in (ItemKind.PROCESS_DESIGN, ItemKind.VICTIMS_JUSTICE):
        return _(item_title(item.kind, fields))
    if item.kind is ItemKind.INCIDENT:
        kind = _(str(fields.get("type") or "incident")).capitalize()
        date = locale.format_date(fields.get("date")) if fields.get("date") else ""
        return f"{kind} {date}".strip()
    return item_title(item.kind, fields)


def shown_codebook(parley: Parley) -> Codebook:
    """The codebook as pages show it: labels and definitions in the request's language."""
    return texts.translate_codebook(parley.codebook, locale.current_language())


def shown_case(case: Case) -> Case:
    """A case with its title and summary in the request's language (Parley's translation)."""
    return texts.translate_case(case, locale.current_language())


def shown_case_title(case_id: str, english: str) -> str:
    return texts.case_title(case_id, english, locale.current_language())


def install_i18n(env: Any) -> None:
    """gettext, dates and numbers in the current request's language (see parley.locale)."""
    env.policies["ext.i18n.trimmed"] = True  # multi-line {% trans %} blocks: one msgid line
    env.install_gettext_callables(locale.gettext, locale.ngettext, newstyle=True)
    env.globals["current_language"] = locale.current_language
    env.globals["languages"] = locale.LANGUAGES
    env.globals["var_label"] = var_label
    env.globals["code_label"] = code_label
    env.globals["item_title"] = localized_item_title
    env.globals["case_title"] = shown_case_title
    env.filters["date"] = lambda v, form="medium": locale.format_date(v, form=form)
    env.filters["datetime"] = lambda v: f"{locale.format_date(v)} {v:%H:%M}"
    env.filters["integer"] = lambda v: locale.format_integer(v)
    env.filters["decimal"] = lambda v, digits=2: locale.format_decimal(v, digits=digits)
    env.filters["percent"] = lambda v: locale.format_percent(v)
    env.filters["num"] = lambda v, spec=".2f": locale.format_number(v, spec)


@cache
def templates() -> Jinja2Templates:
    folder = str(resources.files("parley.web").joinpath("templates"))
    t = Jinja2Templates(directory=folder)
    t.env.add_extension("jinja2.ext.i18n")
    install_i18n(t.env)
    t.env.filters["highlight"] = highlight
    t.env.filters["show_value"] = show_value
    t.env.globals["version"] = __version__
    return t


def render(request: Request, name: str, context: dict[str, Any], status: int = 200
           ) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status)
