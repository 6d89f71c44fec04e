"""Case validation: every problem located by file, line, case and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.domain.case import Case, case_to_dict, parse_case
from parley.domain.codebook import Codebook
from parley.domain.errors import ValidationFailed
from parley.domain.evidence import UNKNOWN, Citation, CodedValue
from parley.domain.source import QuoteChecker, SourceText
from parley.interchange.documents import parse_document

BAD = Path(__file__).resolve().parents[1] / "data" / "cases" / "bad"


def test_coded_value_needs_evidence() -> None:
    with pytest.raises(ValueError, match="needs evidence"):
        CodedValue("high")
    assert CodedValue(UNKNOWN).is_unknown


def test_source_checks_section_and_words() -> None:
    text = SourceText.from_text("s", "Intro\nIntroduction\nHello “world” said  the\n  paper.\n"
                                "Results\nDone.", ["Introduction", "Results"])
    assert text.problem(Citation("s", "Introduction", 'Hello "world" said the paper.')) is None
    assert "not in section 'Results' but in 'Introduction'" in (
        text.problem(Citation("s", "Results", "said the paper")) or "")
    assert "not found verbatim" in (text.problem(Citation("s", "Results", "Goodbye")) or "")
    assert "not a section" in (text.problem(Citation("s", "Nope", "Done.")) or "")


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")) + sorted(BAD.glob("*.json")),
                         ids=lambda p: p.name)
def test_bad_case_files_give_their_exact_error(
        path: Path, codebook: Codebook,
        quote_checks: list[tuple[str, dict[str, QuoteChecker]]]) -> None:
    """Each bad file in tests/data/cases/bad is paired with the error text it must produce
    (`.manifest-error`, where it differs, when quotes are checked against the manifest)."""
    name = f"bad/{path.name}"
    for mode, sources in quote_checks:
        paired = path.with_name(path.name + ".manifest-error")
        expected = (paired if mode == "manifest" and paired.exists()
                    else path.with_name(path.name + ".error")).read_text(encoding="utf-8").strip()
        with pytest.raises(ValidationFailed) as info:
            raw, locate = parse_document(path.read_bytes(), name)
            parse_case(raw, codebook, file=name, locate=locate, sources=sources)
        assert str(info.value).strip() == expected, mode


def test_round_trip_of_every_bundled_case(bundled_cases: list[Case], codebook: Codebook) -> None:
    for case in bundled_cases:
        assert parse_case(case_to_dict(case), codebook) == case
