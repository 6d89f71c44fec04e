"""Load the bundled guidelines (`guidelines/*.yaml`) and validate them strictly."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, Problem, ValidationFailed
from parley.domain.guideline import Guideline, check_unique, parse_guidelines
from parley.domain.source import QuoteChecker
from parley.interchange.documents import parse_document
from parley.knowledge.loader import _package_file, bundled_case_files


def bundled_case_ids() -> set[str]:
    """Ids of the bundled cases (the loader enforces that a case's id is its file name)."""
    return {ref.name.removesuffix(".yaml") for ref in bundled_case_files()}


def guideline_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every bundled guideline file, in name order."""
    folder = _package_file("guidelines")
    refs = sorted((f for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))),
                  key=lambda f: f.name)
    return [(f"guidelines/{ref.name}", ref.read_bytes()) for ref in refs]


def load_guidelines(
    codebook: Codebook,
    sources: Mapping[str, QuoteChecker] | None = None,
    *,
    case_ids: Collection[str] | None = None,
) -> list[Guideline]:
    """Every bundled guideline, validated, in file order.

    Args:
        codebook: conditions may use only its scenario variables.
        sources: a source's text or quote manifest; every citation of it must pass its check.
        case_ids: the cases guidelines may name (default: the bundled cases).

    Raises:
        ConfigurationError: naming file, line and guideline id of every problem.
    """
    ids = bundled_case_ids() if case_ids is None else case_ids
    problems: list[Problem] = []
    loaded: list[tuple[str, Guideline]] = []
    for name, data in guideline_files():
        try:
            raw, locate = parse_document(data, name)
            loaded.extend((name, g) for g in parse_guidelines(
                raw, codebook, file=name, locate=locate, sources=sources, case_ids=ids))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    problems.extend(check_unique(loaded))
    if problems:
        raise ConfigurationError("bundled guidelines are invalid:\n"
                                 + str(ValidationFailed(problems)))
    return [g for _, g in loaded]
