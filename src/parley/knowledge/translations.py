"""The knowledge in other languages: Parley's own translations, as data in `i18n/<lang>/`.

`codebook.yaml` (group names; each variable's label and definition; each code's label and
definition), `cases.yaml` (each bundled case's title and summary) and `guidelines.yaml` (each
guideline's title, message, rationale and checklist items). They are Parley's words, never the
paper's: quotes stay verbatim in English. A key that names no variable, code, case or guideline,
an unknown field, or a checklist whose length differs from the English one is an error naming
the file and key; a missing entry falls back to English at run time, and
tests/knowledge/test_translations.py fails on it.

`translate_*` return copies of domain objects with the text replaced; codes, ids and names stay
as they are (they are data), so a translated codebook validates and queries like the original.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parley.analysis.outlook import OutlookWords, outlook_sentence
from parley.analysis.outlook_text import OUTLOOK_TEXTS
from parley.domain.assessment import Assessment, ChecklistEntry, Outlook
from parley.domain.case import Case
from parley.domain.codebook import Codebook, Variable
from parley.domain.errors import ConfigurationError
from parley.domain.guideline import Finding, Guideline
from parley.domain.phrase import (
    ENGLISH_NUMBERS,
    NumberStyle,
    Words,
    check_templates,
    render,
    render_all,
)
from parley.domain.summary import Summary
from parley.knowledge.outlook_conditions import condition_names
from parley.locale import DEFAULT_LANGUAGE, LANGUAGES, number_style


@dataclass(frozen=True)
class VariableText:
    label: str
    definition: str
    codes: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code -> (label, def.)


@dataclass(frozen=True)
class GuidelineText:
    """One guideline in another language. None where a text is not translated, so English
    shows instead of nothing; `checklist` has the English guideline's items, in its order."""

    title: str
    message: str | None = None
    rationale: str | None = None
    checklist: tuple[str, ...] | None = None


GUIDELINE_TEXT_KEYS = ("title", "message", "rationale", "checklist")


def checklist_items(guideline: Guideline) -> tuple[str, ...]:
    """The guideline's checklist items in English (a guideline has at most one today)."""
    return () if guideline.checklist is None else (guideline.checklist.item,)


@dataclass(frozen=True)
class KnowledgeText:
    """One language's rendering of the codebook, the cases and the guidelines."""

    language: str
    groups: Mapping[str, str]
    variables: Mapping[str, VariableText]
    cases: Mapping[str, tuple[str, str]]  # case id -> (title, summary)
    guidelines: Mapping[str, GuidelineText]  # guideline id -> its text


def _read(language: str, name: str) -> tuple[str, dict[str, Any]]:
    path = f"knowledge/i18n/{language}/{name}"
    source = resources.files("parley.knowledge").joinpath("i18n", language, name)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return path, {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top")
    return path, data


def _text(path: str, key: str, entry: Any, name: str, required: bool = True) -> str:
    value = entry.get(name) if isinstance(entry, dict) else None
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{path}: '{key}': '{name}' must be non-empty text")
    return value.strip()


def _checklist(path: str, gid: str, entry: dict[str, Any], english: int
               ) -> tuple[str, ...] | None:
    """The entry's checklist items, which must match the English ones one for one (a shorter
    or longer list would pair a Spanish item with the wrong English test)."""
    value = entry.get("checklist")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(i, str) and i.strip() for i in value):
        raise ConfigurationError(f"{path}: '{gid}': 'checklist' must be a list of non-empty "
                                 "text items")
    if len(value) != english:
        raise ConfigurationError(f"{path}: '{gid}': 'checklist' has {len(value)} item(s); the "
                                 f"English guideline '{gid}' has {english}")
    return tuple(" ".join(i.split()) for i in value)


def _guideline_text(path: str, gid: str, entry: Any, english: int) -> GuidelineText:
    if isinstance(entry, dict):
        extra = sorted(str(k) for k in entry if k not in GUIDELINE_TEXT_KEYS)
        if extra:
            raise ConfigurationError(f"{path}: '{gid}': unknown key(s) {', '.join(extra)} "
                                     f"(allowed: {', '.join(GUIDELINE_TEXT_KEYS)})")
    title = _text(path, gid, entry, "title")
    message = _text(path, gid, entry, "message", required=False) or None
    rationale = _text(path, gid, entry, "rationale", required=False) or None
    return GuidelineText(title, message, rationale, _checklist(path, gid, entry, english))


def parse_knowledge_text(language: str, codebook: Codebook, case_ids: set[str],
                         guidelines: Collection[Guideline]) -> KnowledgeText:
    """Read and check one language's files against the codebook, cases and guidelines (the
    English guidelines, whose checklists fix the length of the translated ones)."""
    path, raw = _read(language, "codebook.yaml")
    known_groups = {v.group for v in codebook}
    groups: dict[str, str] = {}
    for group, label in (raw.get("groups") or {}).items():
        if group not in known_groups:
            raise ConfigurationError(f"{path}: groups: '{group}' is not a codebook group "
                                     f"(allowed: {', '.join(sorted(known_groups))})")
        groups[group] = str(label)
    variables: dict[str, VariableText] = {}
    for name, entry in (raw.get("variables") or {}).items():
        var = codebook.get(name)
        if var is None:
            raise ConfigurationError(f"{path}: variables: '{name}' is not a codebook variable")
        codes: dict[str, tuple[str, str]] = {}
        for code, code_entry in ((entry or {}).get("codes") or {}).items():
            if code not in var.codes:
                raise ConfigurationError(
                    f"{path}: variables: '{name}': '{code}' is not one of its codes "
                    f"(allowed: {var.allowed()})")
            where = f"{name}.{code}"
            codes[code] = (_text(path, where, code_entry, "label"),
                           _text(path, where, code_entry, "definition"))
        variables[name] = VariableText(_text(path, name, entry, "label"),
                                       _text(path, name, entry, "definition"), codes)
    path, raw = _read(language, "cases.yaml")
    cases: dict[str, tuple[str, str]] = {}
    for case_id, entry in raw.items():
        if case_id not in case_ids:
            raise ConfigurationError(f"{path}: '{case_id}' is not a bundled case")
        cases[case_id] = (_text(path, case_id, entry, "title"),
                          _text(path, case_id, entry, "summary"))
    path, raw = _read(language, "guidelines.yaml")
    english = {g.id: len(checklist_items(g)) for g in guidelines}
    texts: dict[str, GuidelineText] = {}
    for gid, entry in raw.items():
        if gid not in english:
            raise ConfigurationError(f"{path}: '{gid}' is not a guideline id")
        texts[gid] = _guideline_text(path, gid, entry, english[gid])
    return KnowledgeText(language, groups, variables, cases, texts)


@cache
def knowledge_text(language: str) -> KnowledgeText | None:
    """The bundled translation of the knowledge for `language` (None for English)."""
    from parley.knowledge.guidelines import load_guidelines
    from parley.knowledge.loader import load_bundled_cases, load_codebook

    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return None
    codebook = load_codebook()
    case_ids = {c.id for c in load_bundled_cases(codebook)}
    return parse_knowledge_text(language, codebook, case_ids, load_guidelines(codebook, {}))


def translate_variable(var: Variable, text: KnowledgeText) -> Variable:
    vt = text.variables.get(var.name)
    group = text.groups.get(var.group, var.group)
    if vt is None:
        return dataclasses.replace(var, group=group)
    codes = {code: vt.codes[code][1] if code in vt.codes else d for code, d in var.codes.items()}
    labels = {code: vt.codes[code][0] for code in var.codes if code in vt.codes}
    return dataclasses.replace(var, label=vt.label, definition=vt.definition, group=group,
                               codes=codes, code_labels=labels)


_translated: dict[tuple[int, str], tuple[Codebook, Codebook]] = {}


def translate_codebook(codebook: Codebook, language: str) -> Codebook:
    """The codebook with labels, definitions, group names and code texts in `language`
    (cached per codebook object and language: codebooks are immutable)."""
    text = knowledge_text(language)
    if text is None:
        return codebook
    key = (id(codebook), language)
    hit = _translated.get(key)
    if hit is None or hit[0] is not codebook:
        hit = (codebook, dataclasses.replace(
            codebook, variables=tuple(translate_variable(v, text) for v in codebook)))
        _translated[key] = hit
    return hit[1]


def translate_case(case: Case, language: str) -> Case:
    text = knowledge_text(language)
    if text is None or case.id not in text.cases:
        return case
    title, summary = text.cases[case.id]
    return dataclasses.replace(case, title=title, summary=summary)


def case_title(case_id: str, english: str, language: str) -> str:
    text = knowledge_text(language)
    return text.cases[case_id][0] if text is not None and case_id in text.cases else english


def case_summary(case_id: str, english: str, language: str) -> str:
    text = knowledge_text(language)
    return text.cases[case_id][1] if text is not None and case_id in text.cases else english


def translate_titles(titles: Mapping[str, str], language: str) -> dict[str, str]:
    """Case id -> title, with bundled cases' titles in `language`."""
    return {cid: case_title(cid, title, language) for cid, title in titles.items()}


def translated_search_text(case_id: str) -> str:
    """Every translation's title and summary of a bundled case, for the search index (so
    "tregua de pandillas" finds the Salvadoran truce); empty for a case without one."""
    parts: list[str] = []
    for language in LANGUAGES:
        text = knowledge_text(language)
        if text is not None and case_id in text.cases:
            parts.extend(text.cases[case_id])
    return "\n".join(parts)


def translate_brief_inputs(assessment: Assessment, codebook: Codebook,
                           titles: Mapping[str, str], language: str
                           ) -> tuple[Assessment, Codebook, dict[str, str]]:
    """What the brief renderers need, in `language`: the assessment (finding and case titles),
    the codebook (labels, code texts) and the case titles."""
    return (translate_assessment(assessment, language), translate_codebook(codebook, language),
            translate_titles(titles, language))


def guideline_text(guideline: str, title: str, message: str, language: str) -> tuple[str, str]:
    """A guideline's title and message in `language` (English where not translated)."""
    text = knowledge_text(language)
    gt = text.guidelines.get(guideline) if text is not None else None
    if gt is None:
        return title, message
    return gt.title, gt.message or message


def translate_finding(finding: Finding, language: str) -> Finding:
    title, message = guideline_text(finding.guideline, finding.title, finding.message, language)
    return dataclasses.replace(finding, title=title, message=message)


def translate_checklist_entry(entry: ChecklistEntry, language: str) -> ChecklistEntry:
    """A checklist entry's item in `language` (one entry per guideline: its only item)."""
    text = knowledge_text(language)
    gt = text.guidelines.get(entry.guideline) if text is not None else None
    if gt is None or not gt.checklist:
        return entry
    return dataclasses.replace(entry, item=gt.checklist[0])


def translate_guideline(guideline: Guideline, language: str) -> Guideline:
    """The guideline with title, message, rationale and checklist item in `language` where
    translated; its condition, citations (verbatim English) and checklist test stay."""
    text = knowledge_text(language)
    gt = text.guidelines.get(guideline.id) if text is not None else None
    if gt is None:
        return guideline
    checklist = guideline.checklist
    if checklist is not None and gt.checklist:
        checklist = dataclasses.replace(checklist, item=gt.checklist[0])
    return dataclasses.replace(guideline, title=gt.title,
                               message=gt.message or guideline.message,
                               rationale=gt.rationale or guideline.rationale,
                               checklist=checklist)


def translate_assessment(assessment: Assessment, language: str) -> Assessment:
    """Finding titles and messages, checklist items and similar cases' titles in `language`
    (each where translated). Findings carry no rationale: the brief does not show it."""
    text = knowledge_text(language)
    if text is None:
        return assessment
    findings = [translate_finding(f, language) for f in assessment.findings]
    checklist = [translate_checklist_entry(c, language) for c in assessment.checklist]
    similar = tuple(dataclasses.replace(s, title=case_title(s.id, s.title, language),
                                        summary=case_summary(s.id, s.summary, language))
                    for s in assessment.similar_cases)
    summary = assessment.summary
    if summary is not None:
        summary = translate_summary(summary, language)
        words = outlook_words(language)
        if words is not None:
            summary = dataclasses.replace(summary, outlook_sentence=outlook_sentence(
                assessment.outlook, words=words))
    return dataclasses.replace(assessment, findings=tuple(findings),
                               checklist=tuple(checklist), similar_cases=similar,
                               summary=summary,
                               outlook=translate_outlook(assessment.outlook, language))


@dataclass(frozen=True)
class VerdictText:
    """The brief's verdict in another language: labels and meanings by verdict, and each
    signal's sentence by status (`i18n/<lang>/verdict.yaml`)."""

    verdicts: Mapping[str, tuple[str, str]]  # verdict -> (label, meaning)
    signals: Mapping[str, Mapping[str, str]]  # signal -> status -> sentence


def parse_verdict_text(path: str, raw: Mapping[str, Any], english: Mapping[str, Any]
                       ) -> VerdictText:
    """One language's verdict file checked against the English one (`knowledge/verdict.yaml`):
    every verdict and signal translated, no key that names nothing; errors name file and key."""
    problems: list[str] = []
    verdicts: dict[str, tuple[str, str]] = {}
    wanted_verdicts = set(english.get("verdicts") or {})
    given = raw.get("verdicts") or {}
    for vid in sorted(set(given) | wanted_verdicts):
        entry = given.get(vid)
        if vid not in wanted_verdicts:
            problems.append(f"verdicts.{vid}: no such verdict")
        elif not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry[k].strip() for k in ("label", "meaning")):
            problems.append(f"verdicts.{vid}: needs a label and a meaning")
        else:
            verdicts[vid] = (entry["label"].strip(), entry["meaning"].strip())
    signals: dict[str, dict[str, str]] = {}
    english_signals = {s["id"]: s for s in english.get("signals") or []}
    given_signals = raw.get("signals") or {}
    for sid in sorted(set(given_signals) | set(english_signals)):
        entry = given_signals.get(sid)
        statuses = [k for k in ("holds", "fails", "unknown") if k in english_signals.get(sid, {})]
        if sid not in english_signals:
            problems.append(f"signals.{sid}: no such signal")
        elif not isinstance(entry, dict) or set(entry) != set(statuses) or not all(
                isinstance(entry[k], str) and entry[k].strip() for k in statuses):
            problems.append(f"signals.{sid}: needs exactly {', '.join(statuses)}")
        else:
            signals[sid] = {k: entry[k].strip() for k in statuses}
    if problems:
        raise ConfigurationError(f"{path}: " + "; ".join(problems))
    return VerdictText(verdicts, signals)


@cache
def verdict_text(language: str) -> VerdictText | None:
    """The bundled translation of the verdict for `language` (None for English)."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return None
    path, raw = _read(language, "verdict.yaml")
    if not raw:
        return None
    source = resources.files("parley.knowledge").joinpath("verdict.yaml")
    return parse_verdict_text(path, raw, yaml.safe_load(source.read_text(encoding="utf-8")))


def translate_summary(summary: Summary, language: str) -> Summary:
    """The verdict's label, meaning and reasons in `language` (quotes stay English)."""
    text = verdict_text(language)
    if text is None:
        return summary
    label, meaning = text.verdicts.get(summary.verdict, (summary.label, summary.meaning))
    reasons = tuple(dataclasses.replace(r, text=text.signals.get(r.signal, {}).get(
        r.status, r.text)) for r in summary.reasons)
    return dataclasses.replace(summary, label=label, meaning=meaning, reasons=reasons)


OUTLOOK_SECTIONS = {"texts", "conditions"}
"""Keys of `outlook.yaml` beside the sentence's templates: the basis, caveat and moves
(`texts`, against `analysis.outlook_text.OUTLOOK_TEXTS`) and the conditions' labels."""


def parse_outlook_words(path: str, raw: Mapping[str, Any],
                        classes: Mapping[str, str],
                        numbers: NumberStyle = ENGLISH_NUMBERS) -> OutlookWords:
    """One language's outlook templates: every template given, each naming only the fields
    the English one is filled with; errors name file and key."""
    english = OutlookWords()
    problems = []
    fields = {f.name for f in dataclasses.fields(OutlookWords)} - {"classes", "numbers"}
    for key in sorted(set(raw) - fields - OUTLOOK_SECTIONS):
        problems.append(f"{key}: no such template; allowed: {', '.join(sorted(fields))}")
    given: dict[str, str] = {}
    for key in sorted(fields):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: missing (text)")
            continue
        wanted = set(re.findall(r"{(\w+)}", getattr(english, key)))
        found = set(re.findall(r"{(\w+)}", value))
        if found != wanted:
            problems.append(f"{key}: names {{{', '.join(sorted(found))}}}; the English names "
                            f"{{{', '.join(sorted(wanted))}}}")
            continue
        given[key] = value
    if problems:
        raise ConfigurationError(f"{path}: " + "; ".join(problems))
    return OutlookWords(**given, classes=dict(classes), numbers=numbers)


@cache
def outlook_words(language: str) -> OutlookWords | None:
    """The outlook sentence's words in `language` (None for English, or no file)."""
    text = knowledge_text(language)
    if text is None:
        return None
    path, raw = _read(language, "outlook.yaml")
    if not raw:
        return None
    outcome = text.variables.get("outcome_class")
    classes = {code: label.lower() if language != DEFAULT_LANGUAGE else label
               for code, (label, _) in (outcome.codes.items() if outcome else ())}
    return parse_outlook_words(path, raw, classes, number_style(language))


def parse_outlook_texts(path: str, raw: Mapping[str, Any], classes: Mapping[str, str],
                        conditions: Collection[str], numbers: NumberStyle) -> Words:
    """One language's basis, caveat and move texts (`texts:`) and condition labels
    (`conditions:`): every English text given, naming the same values; every condition
    labelled, none unknown. Errors name file and key."""
    texts = raw.get("texts")
    labels = raw.get("conditions")
    problems = []
    if not isinstance(texts, Mapping):
        problems.append("texts: missing (a mapping of the texts in analysis/outlook_text.py)")
        texts = {}
    problems += [f"texts: {p}" for p in check_templates(OUTLOOK_TEXTS, texts)]
    if not isinstance(labels, Mapping):
        problems.append("conditions: missing (each condition's label)")
        labels = {}
    for name in sorted(set(labels) - set(conditions)):
        problems.append(f"conditions: {name}: no such condition; allowed: "
                        f"{', '.join(conditions)}")
    for name in conditions:
        if not isinstance(labels.get(name), str) or not str(labels.get(name)).strip():
            problems.append(f"conditions: {name}: missing (text)")
    if problems:
        raise ConfigurationError(f"{path}: " + "; ".join(problems))
    return Words({k: str(v) for k, v in texts.items()}, numbers, dict(classes),
                 {k: str(v) for k, v in labels.items()})


@cache
def outlook_texts(language: str) -> Words | None:
    """The outlook's basis, caveat and move texts in `language` (None for English or none)."""
    words = outlook_words(language)
    if words is None:
        return None
    path, raw = _read(language, "outlook.yaml")
    if "texts" not in raw and "conditions" not in raw:
        return None
    return parse_outlook_texts(path, raw, words.classes, condition_names(), words.numbers)


def translate_outlook(outlook: Outlook, language: str) -> Outlook:
    """The outlook's basis, caveat and what moved it in `language` (each where it was kept
    as phrases), numbers written the language's way; the distribution is untouched."""
    words = outlook_texts(language)
    if words is None:
        return outlook
    moves = []
    for m in outlook.explanation:
        label = (render(m.label_phrase, words) if m.label_phrase is not None
                 else case_title(m.id, m.label, language) if m.kind == "case" else m.label)
        detail = render(m.detail_phrase, words) if m.detail_phrase is not None else m.detail
        moves.append(dataclasses.replace(m, label=label, detail=detail))
    return dataclasses.replace(
        outlook,
        basis=render_all(outlook.basis_phrases, words) if outlook.basis_phrases
        else outlook.basis,
        caveat=render_all(outlook.caveat_phrases, words) if outlook.caveat_phrases
        else outlook.caveat,
        explanation=tuple(moves))
