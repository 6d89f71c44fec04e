"""Guards of the knowledge's translations (issue 13): every codebook group, variable and code,
every bundled case and every guideline has its text in every language Parley offers; a key
that names nothing is refused naming the file and the key; translated objects keep their
codes and ids (they are data)."""

from __future__ import annotations

import pytest

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.knowledge import translations
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.translations import (
    knowledge_text,
    parse_knowledge_text,
    translate_case,
    translate_codebook,
    translated_search_text,
)
from parley.locale import LANGUAGES

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_codebook_variable_and_code_has_its_text(language: str,
                                                       codebook: Codebook) -> None:
    text = knowledge_text(language)
    assert text is not None
    assert {v.group for v in codebook} <= set(text.groups)
    missing = [v.name for v in codebook if v.name not in text.variables]
    assert not missing, f"knowledge/i18n/{language}/codebook.yaml lacks variables {missing}"
    codes = [f"{v.name}.{c}" for v in codebook for c in v.codes
             if c not in text.variables[v.name].codes]
    assert not codes, f"knowledge/i18n/{language}/codebook.yaml lacks codes {codes}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_bundled_case_has_its_title_and_summary(language: str,
                                                      bundled_cases: list[Case]) -> None:
    text = knowledge_text(language)
    assert text is not None
    missing = [c.id for c in bundled_cases if c.id not in text.cases]
    assert not missing, f"knowledge/i18n/{language}/cases.yaml lacks {missing}"
    for case in bundled_cases:
        title, summary = text.cases[case.id]
        assert title != case.title or case.title.startswith("Trattativa"), case.id
        assert summary != case.summary and len(summary) > 0.6 * len(case.summary), case.id


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_guideline_has_its_title_and_message(language: str, codebook: Codebook) -> None:
    text = knowledge_text(language)
    assert text is not None
    guidelines = load_guidelines(codebook, {})
    assert len(guidelines) == 81
    missing = [g.id for g in guidelines if g.id not in text.guidelines]
    assert not missing, f"knowledge/i18n/{language}/guidelines.yaml lacks {missing}"
    no_message = [g.id for g in guidelines if not text.guidelines[g.id][1]]
    assert not no_message, f"knowledge/i18n/{language}/guidelines.yaml: no message for {no_message}"
    same = [g.id for g in guidelines if text.guidelines[g.id][1] == g.message]
    assert not same, f"messages left in English: {same}"


def test_a_key_that_names_nothing_is_refused(codebook: Codebook, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    real = translations._read

    def typo(language: str, name: str) -> tuple[str, dict[str, object]]:
        path, data = real(language, name)
        if name == "codebook.yaml":
            data = {**data, "variables": {**data["variables"],
                                          "grop_size": {"label": "x", "definition": "y"}}}
        return path, data

    monkeypatch.setattr(translations, "_read", typo)
    with pytest.raises(ConfigurationError,
                       match=r"knowledge/i18n/es/codebook.yaml: variables: 'grop_size' is not "
                             r"a codebook variable"):
        parse_knowledge_text("es", codebook, set(), set())


def test_a_code_that_is_not_the_variables_is_refused(codebook: Codebook,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = translations._read

    def typo(language: str, name: str) -> tuple[str, dict[str, object]]:
        path, data = real(language, name)
        if name == "codebook.yaml":
            entry = {"label": "x", "definition": "y",
                     "codes": {"huge": {"label": "a", "definition": "b"}}}
            data = {**data, "variables": {**data["variables"], "group_size": entry}}
        return path, data

    monkeypatch.setattr(translations, "_read", typo)
    with pytest.raises(ConfigurationError, match=r"'group_size': 'huge' is not one of its "
                                                 r"codes \(allowed: small, medium, large\)"):
        parse_knowledge_text("es", codebook, set(), set())


def test_translation_keeps_codes_names_and_ids(codebook: Codebook,
                                               bundled_cases: list[Case]) -> None:
    spanish = translate_codebook(codebook, "es")
    assert spanish.names() == codebook.names()
    for original, translated in zip(codebook, spanish, strict=True):
        assert list(translated.codes) == list(original.codes)
        assert translated.type is original.type
    assert spanish["group_type"].code_labels["gang"] == "Pandilla"
    assert translate_codebook(codebook, "en") is codebook
    salvador = next(c for c in bundled_cases if c.id == "el-salvador-mara-truce-2012")
    translated_case = translate_case(salvador, "es")
    assert translated_case.title == "El Salvador – Tregua entre maras"
    assert translated_case.values == salvador.values  # quotes stay verbatim, in English
    assert "tregua" in translated_search_text(salvador.id)
    assert translated_search_text("no-such-case") == ""
