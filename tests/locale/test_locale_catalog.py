"""Guards of the interface's translations (issue 13).

1. Extraction: Babel extracts every marked string of the templates and the Python code exactly
   as `scripts/messages` does; each must be in every catalog with a non-empty, non-fuzzy
   translation carrying the same %(name)s placeholders.
2. Nothing user-visible escapes marking: the literal text left in a template once its Jinja
   constructs, styles and scripts are taken out must be empty but for a short list of words
   that are the same in every language (names, formats, statistics).
3. Every value the domain shows through `_(value)` is in `parley.locale.vocabulary`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from parley.domain import access, guideline, workspace
from parley.locale import LANGUAGES, gettext, translations, using_language
from parley.locale.vocabulary import VOCABULARY

SRC = Path(__file__).resolve().parents[2] / "src" / "parley"
LOCALE = SRC / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "msg": (2,)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


def _mapping() -> list[tuple[str, str]]:
    return [("**.py", "python"), ("web/templates/**.html", "jinja2"),
            ("render/templates/**.j2", "jinja2")]


def extracted() -> set[str]:
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"},
               "render/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SRC), _mapping(), options, KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_babel_cfg_matches_this_extraction() -> None:
    """The test extracts with the mapping that scripts/messages uses."""
    cfg = (LOCALE / "babel.cfg").read_text()
    for pattern, method in _mapping():
        assert f"[{method}: {pattern}]" in cfg


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_marked_string_is_translated(language: str) -> None:
    messages = extracted()
    assert len(messages) > 300  # the templates are marked, not empty
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing = sorted(m for m in messages if m not in catalog)
    assert not missing, f"run scripts/messages, then translate: {missing[:10]}"
    problems = []
    for message in catalog:
        if not message.id or message.id not in messages:
            continue
        text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
        if not text.strip() or message.fuzzy:
            problems.append(f"empty or fuzzy: {message.id!r}")
        elif set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(message.id)):
            problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_catalog_holds_no_stale_entries(language: str) -> None:
    messages = extracted()
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    stale = sorted(m.id for m in catalog if m.id and m.id not in messages)
    assert not stale, f"run scripts/messages to drop them: {stale[:10]}"


SAME_IN_EVERY_LANGUAGE = {
    "Parley", "API", "CSV", "JSON", "PDF", "QCA", "UTC", "inclS", "PRI", "covS", "covU", "inclN",
    "RoN", "covN", "incl", "n", "A4", "Letter",
}
JINJA = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}"  # marked: in the catalog
                   r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
BLOCKS = re.compile(r"<(style|script|pre|code)\b.*?</\1>|<!--.*?-->", re.S | re.I)
"""Styles, scripts and code (query-language examples are code: never translated)."""
PATHS = re.compile(r"(?<![\w\x00])/[\w/\x00.-]*")
VISIBLE_ATTRIBUTE = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
TEMPLATES = sorted([*SRC.glob("web/templates/**/*.html"), *SRC.glob("render/templates/*.j2")])


def unmarked_words(source: str) -> set[str]:
    """The words of a template that reach the reader without passing through gettext."""
    text = PATHS.sub(" ", BLOCKS.sub(" ", JINJA.sub("\x00", source)))
    words: set[str] = set()
    for value in VISIBLE_ATTRIBUTE.findall(text):
        words |= set(re.findall(r"[^\W\d_]{2,}", value.replace("\x00", " ")))
    text = re.sub(r"<[^>]*>", " ", text)  # tags and their (invisible) attributes
    text = re.sub(r"&\w+;", " ", text)
    words |= set(re.findall(r"[^\W\d_]{2,}", text.replace("\x00", " ")))
    return words - SAME_IN_EVERY_LANGUAGE


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_text_escapes_the_catalog(template: Path) -> None:
    if template.name == "api_docs.html":  # Swagger UI's own page, no words of ours
        return
    assert unmarked_words(template.read_text()) == set()


def test_the_guard_sees_unmarked_text() -> None:
    assert unmarked_words('<p class="x">Hello {{ name }}</p>') == {"Hello"}
    assert unmarked_words('<input placeholder="e.g. riots">') == {"riots"}
    assert unmarked_words('<p>{{ _("Hello") }}</p><style>p { color: red }</style>') == set()
    assert unmarked_words("<p>{% trans n=n %}{{ n }} cases{% endtrans %} left</p>") == {"left"}
    assert unmarked_words('<a href="/x">/assess/saved/{{ i }}</a> <code>has any</code>') == set()


def _values(*enums: type) -> set[str]:
    return {str(member.value) for enum in enums for member in enum}  # type: ignore[attr-defined]


def test_every_domain_value_shown_through_gettext_is_marked() -> None:
    shown = _values(access.Visibility, access.Classification, access.Role, access.Scope,
                    workspace.ItemKind)
    for specs in workspace.KINDS.values():
        for spec in specs:
            shown.add(spec.label)
            shown.update(spec.choices)
    shown.update(guideline.KINDS, guideline.SEVERITIES, guideline.PHASES)
    shown.update(p.capitalize() for p in guideline.PHASES)
    shown.update({"active", "expired", "revoked"})  # TokenInfo.status
    missing = sorted(shown - set(VOCABULARY))
    assert not missing, f"add to parley/locale/vocabulary.py: {missing}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_compiled_catalog_translates(language: str) -> None:
    translations.cache_clear()
    with using_language(language):
        assert gettext("Cases") != "Cases"
        assert gettext("no such message, returned as is") == "no such message, returned as is"
    assert gettext("Cases") == "Cases"  # English outside the block
