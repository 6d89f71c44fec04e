"""Guards of the knowledge's translations (issue 13): every codebook group, variable and code,
every bundled case and every guideline (title, message, rationale, checklist) has its text in
every language Parley offers; a key that names nothing, or a malformed entry, is refused naming
the file and the key; translated objects keep their codes, ids, conditions and quotes (they are
data, and the paper is quoted only in English)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from parley.analysis.outlook import OutlookWords
from parley.domain.assessment import Assessment, ChecklistEntry, Outlook
from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.domain.guideline import Finding, Guideline
from parley.domain.scenario import parse_scenario
from parley.knowledge import translations
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.translations import (
    checklist_items,
    knowledge_text,
    parse_knowledge_text,
    translate_assessment,
    translate_case,
    translate_codebook,
    translate_guideline,
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
    no_message = [g.id for g in guidelines if not text.guidelines[g.id].message]
    assert not no_message, f"knowledge/i18n/{language}/guidelines.yaml: no message for {no_message}"
    same = [g.id for g in guidelines if text.guidelines[g.id].message == g.message]
    assert not same, f"messages left in English: {same}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_guideline_has_its_rationale_and_checklist(language: str,
                                                         codebook: Codebook) -> None:
    text = knowledge_text(language)
    assert text is not None
    guidelines = load_guidelines(codebook, {})
    file = f"knowledge/i18n/{language}/guidelines.yaml"
    no_rationale = [g.id for g in guidelines if not text.guidelines[g.id].rationale]
    assert not no_rationale, f"{file}: no rationale for {no_rationale}"
    same = [g.id for g in guidelines if text.guidelines[g.id].rationale == g.rationale]
    assert not same, f"rationales left in English: {same}"
    assert sum(1 for g in guidelines if g.checklist is not None) == 15
    for g in guidelines:
        english, translated = checklist_items(g), text.guidelines[g.id].checklist or ()
        assert len(translated) == len(english), f"{file}: '{g.id}': checklist {translated}"
        assert not set(translated) & set(english), f"{file}: '{g.id}': checklist in English"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_phrases_a_rationale_quotes_from_the_paper_stay_verbatim(language: str,
                                                                 codebook: Codebook) -> None:
    """A rationale may quote a few of the paper's words; they are never translated."""
    text = knowledge_text(language)
    assert text is not None
    quoted = 0
    for g in load_guidelines(codebook, {}):
        for phrase in re.findall(r"'([^']{4,})'", g.rationale):
            if any(phrase in c.quote for c in g.citations):
                quoted += 1
                assert phrase in (text.guidelines[g.id].rationale or ""), (g.id, phrase)
    assert quoted >= 1  # 'manage the problem' (accord-or-dialogue-format)


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


def _with_guideline_entry(monkeypatch: pytest.MonkeyPatch, gid: str, entry: object) -> None:
    """Make the Spanish guidelines file read as if `gid`'s entry were `entry`."""
    real = translations._read

    def malformed(language: str, name: str) -> tuple[str, dict[str, object]]:
        path, data = real(language, name)
        return (path, {**data, gid: entry}) if name == "guidelines.yaml" else (path, data)

    monkeypatch.setattr(translations, "_read", malformed)


@pytest.mark.parametrize(("gid", "change", "error"), [
    ("clear-objective", {"checklist": ["uno", "dos"]},
     r"'clear-objective': 'checklist' has 2 item\(s\); the English guideline "
     r"'clear-objective' has 1"),
    ("mediator-choice", {"checklist": ["uno"]},
     r"'mediator-choice': 'checklist' has 1 item\(s\); the English guideline "
     r"'mediator-choice' has 0"),
    ("monitoring", {"checklist": "Establecer un sistema de monitoreo"},
     r"'monitoring': 'checklist' must be a list of non-empty text items"),
    ("monitoring", {"checklist": [""]},
     r"'monitoring': 'checklist' must be a list of non-empty text items"),
    ("monitoring", {"rationale": "  "}, r"'monitoring': 'rationale' must be non-empty text"),
    ("monitoring", {"rationale": ["a list"]},
     r"'monitoring': 'rationale' must be non-empty text"),
    ("monitoring", {"rational": "typo"},
     r"'monitoring': unknown key\(s\) rational \(allowed: title, message, rationale, "
     r"checklist\)"),
])
def test_a_malformed_guideline_entry_is_refused_naming_file_and_key(
        gid: str, change: dict[str, object], error: str, codebook: Codebook,
        bundled_cases: list[Case], monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {"title": "t", "message": "m", "rationale": "r", **change}
    _with_guideline_entry(monkeypatch, gid, entry)
    with pytest.raises(ConfigurationError,
                       match=r"^knowledge/i18n/es/guidelines\.yaml: " + error):
        parse_knowledge_text("es", codebook, {c.id for c in bundled_cases},
                             load_guidelines(codebook, {}))


def test_a_guideline_without_rationale_or_checklist_falls_back_to_english(
        codebook: Codebook, bundled_cases: list[Case], monkeypatch: pytest.MonkeyPatch) -> None:
    _with_guideline_entry(monkeypatch, "monitoring", {"title": "Monitoreo"})
    text = parse_knowledge_text("es", codebook, {c.id for c in bundled_cases},
                                load_guidelines(codebook, {}))
    entry = text.guidelines["monitoring"]
    assert (entry.title, entry.message, entry.rationale, entry.checklist) == \
        ("Monitoreo", None, None, None)


def _guideline(guidelines: list[Guideline], gid: str) -> Guideline:
    return next(g for g in guidelines if g.id == gid)


def test_translated_guidelines_keep_conditions_quotes_and_checklist_tests(
        codebook: Codebook) -> None:
    guidelines = load_guidelines(codebook, {})
    english = _guideline(guidelines, "leniency-retention-conditions")
    spanish = translate_guideline(english, "es")
    assert spanish.title == "Hacer revocable el beneficio judicial ante un incumplimiento"
    assert spanish.rationale.startswith("Los beneficios revocables reducen el riesgo")
    assert english.checklist is not None and spanish.checklist is not None
    assert spanish.checklist.item == ("Fijar condiciones de permanencia, de modo que el "
                                      "incumplimiento revoque el beneficio judicial")
    assert spanish.checklist.done_when == english.checklist.done_when
    assert spanish.citations == english.citations  # the paper stays verbatim, in English
    assert spanish.applies_when == english.applies_when
    assert translate_guideline(english, "en") is english
    no_checklist = translate_guideline(_guideline(guidelines, "mediator-choice"), "es")
    assert no_checklist.checklist is None and "mediadores" in no_checklist.rationale


def test_a_translated_assessment_carries_spanish_checklist_items(codebook: Codebook) -> None:
    guidelines = load_guidelines(codebook, {})
    clear = _guideline(guidelines, "clear-objective")
    assessment = Assessment(
        parse_scenario({"title": "T"}, codebook),
        Outlook({"no-deal": 0.5, "collapsed": 0.5}, "basis", "caveat"),
        (Finding.of(clear),),
        (),
        (ChecklistEntry(checklist_items(clear)[0], "missing", clear.id),
         ChecklistEntry("An item of no bundled guideline", "done", "not-a-guideline")),
    )
    spanish = translate_assessment(assessment, "es")
    assert [c.item for c in spanish.checklist] == [
        "Establecer con claridad el objetivo último de la negociación",
        "An item of no bundled guideline"]
    assert [(c.status, c.guideline) for c in spanish.checklist] == \
        [(c.status, c.guideline) for c in assessment.checklist]
    assert spanish.findings[0].title == "Establecer con claridad el objetivo último de la negociación"
    assert translate_assessment(replace(assessment), "en") == assessment


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


VERDICT_FILE = Path(translations.__file__).with_name("verdict.yaml")


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_verdict_and_signal_has_its_text(language: str) -> None:
    english = yaml.safe_load(VERDICT_FILE.read_text(encoding="utf-8"))
    text = translations.verdict_text(language)
    assert text is not None
    assert set(text.verdicts) == set(english["verdicts"])
    for signal in english["signals"]:
        statuses = {k for k in ("holds", "fails", "unknown") if k in signal}
        assert set(text.signals[signal["id"]]) == statuses
        for status in statuses:  # Parley's Spanish, not the English left in place
            assert text.signals[signal["id"]][status] != signal[status]


@pytest.mark.parametrize(("raw", "named"), [
    ({"verdicts": {"wait": {"label": "Esperar"}}}, "verdicts.wait: needs a label and a meaning"),
    ({"verdicts": {"later": {"label": "x", "meaning": "y"}}}, "verdicts.later: no such verdict"),
    ({"signals": {"armed-spoilers": {"holds": "x"}}}, "signals.armed-spoilers: needs exactly"),
    ({"signals": {"typo": {"holds": "x"}}}, "signals.typo: no such signal"),
])
def test_a_malformed_verdict_file_is_refused_naming_file_and_key(raw: dict[str, Any],
                                                                 named: str) -> None:
    english = yaml.safe_load(VERDICT_FILE.read_text(encoding="utf-8"))
    with pytest.raises(ConfigurationError) as err:
        translations.parse_verdict_text("knowledge/i18n/es/verdict.yaml", raw, english)
    assert "knowledge/i18n/es/verdict.yaml" in str(err.value) and named in str(err.value)


def test_a_spanish_summary_has_a_spanish_verdict_and_reasons() -> None:
    from parley.domain.summary import Summary, VerdictReason

    english = Summary("wait", "Wait", "The moment is not ripe.", (
        VerdictReason("armed-spoilers", "holds", "Rival groups ...", ()),), (), (), (), (), "")
    spanish = translations.translate_summary(english, "es")
    assert (spanish.label, spanish.reasons[0].text) == (
        "Esperar", "Grupos rivales o facciones internas son saboteadores conocidos capaces de "
        "romper una tregua por la fuerza.")
    assert translations.translate_summary(english, "en") == english


def test_the_outlook_sentence_in_spanish_keeps_the_figures() -> None:
    from parley.analysis.outlook import outlook_sentence
    from parley.domain.assessment import Measured

    words = translations.outlook_words("es")
    assert words is not None and words.name("no-deal") == "sin acuerdo"
    measured = Measured("knn", n_cases=24, n_countries=15, brier_loo=0.71, rps_loo=0.15,
                        brier_loco=0.72, rps_loco=0.151, uniform_brier=0.8, uniform_rps=0.164)
    outlook = Outlook({"no-deal": 0.4, "collapsed": 0.15, "temporary-reduction": 0.15,
                       "lasting-reduction": 0.15, "transformation": 0.15}, "basis", "caveat",
                      measured=measured)
    spanish, english = outlook_sentence(outlook, words=words), outlook_sentence(outlook)
    assert spanish.startswith("Lo más probable: sin acuerdo (40%; acuerdo fallido, ")
    assert "15% cada uno" in spanish and "evidencia débil" in spanish
    # the same figures, written with the Spanish decimal comma (issue 13, item 5)
    assert "de 0,71 y un puntaje" in spanish and "0.71" not in spanish
    numbers = re.compile(r"\d+(?:\.\d+)?%?")
    assert numbers.findall(re.sub(r"(\d),(\d)", r"\1.\2", spanish)) == numbers.findall(english)


@pytest.mark.parametrize(("raw", "named"), [
    ({"weak": "x"}, "too_little: missing"),
    ({"typo": "x"}, "typo: no such template"),
])
def test_a_malformed_outlook_file_is_refused_naming_file_and_key(raw: dict[str, Any],
                                                                 named: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        translations.parse_outlook_words("knowledge/i18n/es/outlook.yaml", raw, {})
    assert "knowledge/i18n/es/outlook.yaml" in str(err.value) and named in str(err.value)


def test_an_outlook_template_naming_the_wrong_fields_is_refused() -> None:
    english = {f.name: getattr(OutlookWords(), f.name)
               for f in dataclasses.fields(OutlookWords)
               if f.name not in ("classes", "numbers")}
    with pytest.raises(ConfigurationError, match="most_likely: names"):
        translations.parse_outlook_words("f.yaml", {**english, "most_likely": "{top} {oops}"},
                                         {})


def test_every_outlook_text_and_condition_has_its_spanish() -> None:
    from parley.analysis.outlook_text import OUTLOOK_TEXTS
    from parley.knowledge.outlook_conditions import condition_names

    words = translations.outlook_texts("es")
    assert words is not None
    assert set(words.templates) == set(OUTLOOK_TEXTS)
    assert set(words.conditions) == set(condition_names())
    untranslated = [k for k, v in words.templates.items()
                    if v == OUTLOOK_TEXTS[k] and k != "condition_label"]
    assert untranslated == []
    from parley.domain.phrase import Phrase, render

    assert render(Phrase("condition_label", {"name": ("cohesion",)}), words) == \
        "grupo cohesionado"
    assert render(Phrase("move_cap_label", {"cap": 0.6}), words) == \
        "ninguna clase por encima del 60%"


@pytest.mark.parametrize(("change", "named"), [
    (lambda r: r["texts"].pop("caveat"), "texts: caveat: missing"),
    (lambda r: r["texts"].update(prior="{n_known} {oops:pct}"), "texts: prior: names {n_known, oops}"),
    (lambda r: r["texts"].update(typo="x"), "texts: typo: no such text"),
    (lambda r: r["conditions"].update(luck="suerte"), "conditions: luck: no such condition"),
    (lambda r: r["conditions"].pop("cohesion"), "conditions: cohesion: missing"),
])
def test_a_malformed_outlook_texts_section_is_refused_naming_file_and_key(
        change: Any, named: str) -> None:
    from parley.knowledge.outlook_conditions import condition_names
    from parley.locale import number_style

    raw = yaml.safe_load(Path(translations.__file__).with_name("i18n").joinpath(
        "es", "outlook.yaml").read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(ConfigurationError) as err:
        translations.parse_outlook_texts("knowledge/i18n/es/outlook.yaml", raw, {},
                                         condition_names(), number_style("es"))
    assert str(err.value).startswith("knowledge/i18n/es/outlook.yaml: ")
    assert named in str(err.value)


def test_a_spanish_outlook_says_its_basis_caveat_and_moves_in_spanish(
        codebook: Codebook) -> None:
    from parley.api import open_case_base

    scenario = {"title": "Tegucigalpa", "country": "Honduras", "group_type": ["gang"],
                "cohesion": "high", "government_role": "direct", "deterrence_credible": "yes"}
    with open_case_base() as cases:
        english = cases.assess(scenario)
    spanish = translations.translate_assessment(english, "es").outlook
    assert spanish.distribution == english.outlook.distribution
    assert spanish.basis.startswith(("Basado en", "Ningún caso", "Solo se conocen"))
    assert "Cada parámetro se ajustó" in spanish.basis
    assert spanish.caveat.startswith("Medida dejando uno fuera sobre ")
    assert re.search(r"Puntaje de Brier \d,\d\d ", spanish.caveat)
    assert not re.search(r"\d\.\d", spanish.basis + spanish.caveat)  # decimal commas only
    english_words = {"outcomes", "similarity", "present", "absent", "shrunk"}
    for move in spanish.explanation:
        assert not english_words & set(re.findall(r"\w+", move.label + " " + move.detail))
    assert {m.kind for m in spanish.explanation} >= {"base-rates", "case"}
