"""Load `verdict.yaml` and `contradictions.yaml`: the rules behind the brief's front page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, ValidationFailed
from parley.domain.source import QuoteChecker
from parley.domain.summary import BriefRules, parse_contradictions, parse_verdict_rules
from parley.interchange.documents import parse_document
from parley.knowledge.loader import _package_file

VERDICT_FILE = "verdict.yaml"
CONTRADICTIONS_FILE = "contradictions.yaml"


def load_brief_rules(codebook: Codebook, sources: Mapping[str, QuoteChecker] | None = None
                     ) -> BriefRules:
    """The bundled verdict, ranking and contradiction rules, validated.

    Args:
        codebook: conditions may use only its scenario variables.
        sources: when the paper's text is given, every citation must be verbatim in it.

    Raises:
        ConfigurationError: naming file, line and key of every problem.
    """
    try:
        raw, locate = parse_document(_package_file(VERDICT_FILE).read_bytes(), VERDICT_FILE)
        rules = parse_verdict_rules(raw, codebook, file=VERDICT_FILE, locate=locate,
                                    sources=sources)
        raw, locate = parse_document(_package_file(CONTRADICTIONS_FILE).read_bytes(),
                                     CONTRADICTIONS_FILE)
        contradictions = parse_contradictions(raw, codebook, file=CONTRADICTIONS_FILE,
                                              locate=locate)
    except ValidationFailed as exc:
        raise ConfigurationError(f"bundled brief rules are invalid:\n{exc}") from exc
    return replace(rules, contradictions=contradictions)
