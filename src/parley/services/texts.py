"""What the reader reads, in the reader's language: the front ends' one door to Parley's own
translations of the knowledge (cases, codebook, guidelines, findings, checklist, the brief).

Quotes stay verbatim in English everywhere; a translation is Parley's text, never a quote.
Light on purpose: the cold `parley assess` imports it only for a brief in another language.
"""

from __future__ import annotations

from parley.knowledge.translations import (
    case_title,
    guideline_text,
    translate_assessment,
    translate_brief_inputs,
    translate_case,
    translate_checklist_entry,
    translate_codebook,
    translate_finding,
)

__all__ = [
    "case_title",
    "guideline_text",
    "translate_assessment",
    "translate_brief_inputs",
    "translate_case",
    "translate_checklist_entry",
    "translate_codebook",
    "translate_finding",
]
