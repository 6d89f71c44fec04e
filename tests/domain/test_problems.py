"""One problem collector and one "did you mean" for case files, guideline files and scenarios."""

from __future__ import annotations

from parley.domain.problems import ProblemCollector, suggest


def test_problems_are_located_by_the_parsers_line_map() -> None:
    lines: dict[tuple[str | int, ...], int] = {("values", "secrecy"): 12}
    col = ProblemCollector("a.yaml", lambda path: lines.get(path), case="c1")
    col.add(("values", "secrecy"), "not a code", "secrecy")
    col.add(("id",), "not a slug", "id", subject="guideline 'x'")
    assert [str(p) for p in col.problems] == [
        "a.yaml:12: case 'c1', field 'secrecy': not a code",
        "a.yaml: case 'c1', field 'id': guideline 'x': not a slug"]


def test_suggestions_name_the_closest_allowed_words() -> None:
    assert suggest("exposd", ["exposed", "secret", "public"]) == " (did you mean exposed?)"
    assert suggest("zzz", ["exposed"]) == ""
