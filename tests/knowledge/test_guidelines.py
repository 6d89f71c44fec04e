"""The guidelines as data: verbatim citations, existing cases, strict validation, generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.guideline import Finding, Guideline, check_unique, parse_guidelines
from parley.domain.source import QuoteChecker
from parley.interchange.documents import parse_document
from parley.knowledge.guidelines import bundled_case_ids, load_guidelines

BAD = Path(__file__).resolve().parents[1] / "data" / "guidelines" / "bad"


@pytest.fixture(scope="module")
def guidelines(codebook: Codebook, sources: dict[str, QuoteChecker]) -> list[Guideline]:
    return load_guidelines(codebook, sources)


def test_every_citation_is_verbatim_in_the_paper(guidelines: list[Guideline],
                                                 sources: dict[str, QuoteChecker]) -> None:
    # load_guidelines already refuses a quote not found; this states it once more, per citation,
    # so a failure names the guideline. `sources` is the text (full mode) or the manifest.
    assert guidelines, "no guidelines are bundled"
    for g in guidelines:
        for c in g.citations:
            assert c.source in sources, f"{g.id}: unknown source {c.source}"
            assert sources[c.source].problem(c) is None, f"{g.id}: {sources[c.source].problem(c)}"


def test_every_case_named_exists(guidelines: list[Guideline], bundled_cases: list[Case]) -> None:
    ids = {c.id for c in bundled_cases}
    assert bundled_case_ids() == ids
    for g in guidelines:
        assert set(g.cases) <= ids, f"{g.id} names unknown cases {set(g.cases) - ids}"


def test_ids_are_unique_and_every_kind_and_phase_is_covered(guidelines: list[Guideline]) -> None:
    ids = [g.id for g in guidelines]
    assert len(ids) == len(set(ids))
    assert {g.kind for g in guidelines} == {"readiness", "risk", "recommendation"}
    assert len({g.phase for g in guidelines}) >= 4


def test_guidelines_going_beyond_the_paper_name_their_source(guidelines: list[Guideline]) -> None:
    for g in guidelines:
        if g.beyond_paper is not None:
            assert g.beyond_paper.source.strip() and g.beyond_paper.note.strip()


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.name)
def test_bad_guideline_files_give_their_exact_error(
        path: Path, codebook: Codebook,
        quote_checks: list[tuple[str, dict[str, QuoteChecker]]]) -> None:
    """Each bad file in tests/data/guidelines/bad is paired with the error text it must produce
    (`.manifest-error`, where it differs, when quotes are checked against the manifest)."""
    name = f"bad/{path.name}"
    for mode, sources in quote_checks:
        paired = path.with_name(path.name + ".manifest-error")
        expected = (paired if mode == "manifest" and paired.exists()
                    else path.with_name(path.name + ".error")).read_text(encoding="utf-8").strip()
        with pytest.raises(ValidationFailed) as info:
            raw, locate = parse_document(path.read_bytes(), name)
            parse_guidelines(raw, codebook, file=name, locate=locate, sources=sources,
                             case_ids=bundled_case_ids())
        assert str(info.value).strip() == expected, mode


def test_a_guideline_and_a_finding_cannot_exist_uncited(guidelines: list[Guideline]) -> None:
    g = guidelines[0]
    with pytest.raises(ValueError, match="citation"):
        Guideline(g.id, g.title, g.kind, g.phase, g.severity, g.topic, None, g.message,
                  g.rationale, ())
    with pytest.raises(ValueError, match="citations"):
        Finding(g.id, g.title, g.kind, g.phase, g.severity, g.topic, g.message, ())


def test_duplicate_ids_across_files_are_reported(guidelines: list[Guideline]) -> None:
    problems = check_unique([("a.yaml", guidelines[0]), ("b.yaml", guidelines[0])])
    assert [str(p) for p in problems] == [
        f"b.yaml: field 'id': guideline '{guidelines[0].id}': id already used in a.yaml"]
