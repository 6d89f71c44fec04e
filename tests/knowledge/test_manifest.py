"""The quote manifest: a clone without the paper still checks every quote, and a manifest that no
longer matches the paper (or the files) fails.

Most tests here build a stand-in paper from the quotes the files cite (headings, then the quotes),
so they run in both modes; the few that need the real text are skipped in manifest mode."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parley.cli.main import app as cli
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError, ValidationFailed
from parley.domain.evidence import Citation
from parley.domain.source import SourceText, quote_digest
from parley.knowledge.loader import (
    bundled_case_files,
    load_sources,
    parse_case_bytes,
)
from parley.knowledge.manifest import (
    ManifestQuote,
    QuoteManifest,
    SourceManifest,
    build_manifest,
    bundled_citations,
    differences,
    file_sha256,
    load_manifest,
    manifest_checkers,
    packaged_manifest_path,
    parse_manifest,
    render_manifest,
    verify_quotes,
)
from tests.conftest import PAPER_DIR

META = load_sources()["ifit-2021"]


@pytest.fixture(scope="module")
def citations(codebook: Codebook) -> list[tuple[str, Citation]]:
    """Every citation of the bundled files, read without checking any quote."""
    return bundled_citations(codebook)


def stand_in_paper(citations: list[tuple[str, Citation]], folder: Path, prefix: str = "") -> Path:
    """A text with the paper's headings, each followed by the quotes cited in it: every bundled
    quote is verbatim in it, yet it is not the paper (other SHA-256, other positions)."""
    lines = ["Table of contents"]
    for section in META.sections:
        lines += [section, prefix] + [c.quote for _, c in citations if c.section == section]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / META.file
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def manifest_of(path: Path, citations: list[tuple[str, Citation]]) -> QuoteManifest:
    text = SourceText.from_text(META.id, path.read_text(encoding="utf-8"), META.sections)
    return build_manifest({META.id: text}, {META.id: file_sha256(path)}, citations)


def test_the_committed_manifest_is_current(codebook: Codebook) -> None:
    """Full mode: the manifest equals the one rebuilt from the paper and the files. Manifest
    mode: every quote of the files is in it under its section and every entry is still cited."""
    result = verify_quotes(PAPER_DIR, codebook)
    assert result.mode == ("manifest" if PAPER_DIR is None else "full")
    assert result.quotes == sum(len(s.quotes) for s in load_manifest().values()) > 400
    assert result.summary.startswith(f"{result.mode} mode: ")


def test_the_committed_file_is_in_its_canonical_form() -> None:
    text = packaged_manifest_path().read_text(encoding="utf-8")
    assert render_manifest(parse_manifest(text)) == text
    assert META.file in text and "quote" not in json.loads(text)["sources"][0]["quotes"][0]


def test_a_manifest_that_no_longer_matches_the_paper_fails(
        citations: list[tuple[str, Citation]], codebook: Codebook, tmp_path: Path) -> None:
    """Another text holding every quote is not the paper: its SHA-256 and the quotes' positions
    differ from the committed manifest's, and the check says so."""
    stand_in_paper(citations, tmp_path)
    with pytest.raises(ConfigurationError) as info:
        verify_quotes(tmp_path, codebook)
    message = str(info.value)
    assert "quote-manifest.json no longer matches the text" in message
    assert "the paper changed" in message and "parley knowledge manifest --sources DIR" in message
    assert "is at position" in message


def test_the_real_paper_changed_by_one_word_fails(paper_dir: Path, codebook: Codebook,
                                                  tmp_path: Path) -> None:
    text = (paper_dir / META.file).read_text(encoding="utf-8")
    assert "hurting stalemate" in text
    (tmp_path / META.file).write_text(text.replace("hurting stalemate", "hurting standstill"),
                                      encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not found verbatim"):
        verify_quotes(tmp_path, codebook)
    (tmp_path / META.file).write_text(text + "\n", encoding="utf-8")  # one byte more
    with pytest.raises(ConfigurationError, match="the paper changed"):
        verify_quotes(tmp_path, codebook)


def test_differences_name_each_kind_of_drift(citations: list[tuple[str, Citation]],
                                             tmp_path: Path) -> None:
    base = manifest_of(stand_in_paper(citations, tmp_path / "a"), citations)
    assert differences(base, base) == []
    moved = manifest_of(stand_in_paper(citations, tmp_path / "b", prefix="Inserted words."),
                        citations)
    diff = differences(base, moved)
    assert any("the paper changed" in d for d in diff)
    assert any("is at position" in d for d in diff)
    src = base[META.id]
    dropped = {META.id: SourceManifest(src.id, src.file, src.sha256, src.quotes[1:])}
    first = src.quotes[0]
    assert differences(dropped, base) == [
        f"{META.id}: quote {first.sha256[:12]} of section '{first.section}' is cited but not in "
        "the manifest"]
    assert differences(base, dropped) == [
        f"{META.id}: quote {first.sha256[:12]} of section '{first.section}' is in the manifest "
        "but no knowledge file cites it"]


def test_the_manifest_accepts_exactly_the_verified_quotes(
        citations: list[tuple[str, Citation]]) -> None:
    checker = manifest_checkers(load_manifest())[META.id]
    for where, c in citations:
        assert checker.problem(c) is None, where
    _, c = citations[0]
    words = c.quote.split()
    edited = Citation(c.source, c.section, " ".join([*words[:-1], words[-1] + "s"]))
    assert (checker.problem(edited) or "").startswith(
        f"quote is not in the quote manifest of {META.id}")
    # Line breaks and typographic quote marks do not matter, as in the verbatim check.
    assert checker.problem(Citation(c.source, c.section, "\n  ".join(words))) is None
    other = next(s for s in META.sections if s != c.section)
    assert f"under section '{c.section}', not '{other}'" in (
        checker.problem(Citation(c.source, other, c.quote)) or "")
    assert "is not a section of" in (checker.problem(Citation(c.source, "Nope", c.quote)) or "")


def test_a_quote_added_without_the_paper_fails_in_manifest_mode(
        codebook: Codebook, tmp_path: Path) -> None:
    """A case whose quote is not in the manifest fails, naming file, line and field."""
    ref = next(r for r in bundled_case_files() if r.name.startswith("jamaica"))
    text = ref.read_text(encoding="utf-8").replace(
        "Leaders from six different gangs", "Leaders of six different gangs", 1)
    with pytest.raises(ValidationFailed, match=r"^jamaica\.yaml:17: .*field 'country': quote is "
                                               r"not in the quote manifest"):
        parse_case_bytes(text.encode(), "jamaica.yaml", codebook,
                         manifest_checkers(load_manifest()))


def test_parse_manifest_refuses_a_broken_file() -> None:
    good = packaged_manifest_path().read_text(encoding="utf-8")
    data = json.loads(good)
    cases = {
        "{": "not JSON (line 1",
        json.dumps({**data, "version": 2}): "expected an object with version 1",
        json.dumps({**data, "sources": [{**data["sources"][0], "sha256": "abc"}]}):
            "needs file 'negotiating-with-violent-criminal-groups.txt' and a SHA-256",
        json.dumps({**data, "sources": [{**data["sources"][0], "quotes": [
            {"section": "Prologue", "position": 1, "sha256": "0" * 64}]}]}):
            "source 'ifit-2021', quote 1: expected {section, position, sha256}",
    }
    for text, message in cases.items():
        with pytest.raises(ConfigurationError, match="rebuild it with") as info:
            parse_manifest(text, "m.json")
        assert str(info.value).startswith("m.json: ") and message in str(info.value)


def test_round_trip_and_order(citations: list[tuple[str, Citation]], tmp_path: Path) -> None:
    m = manifest_of(stand_in_paper(citations, tmp_path), citations)
    assert parse_manifest(render_manifest(m)) == m
    quotes = m[META.id].quotes
    order = {s: i for i, s in enumerate(META.sections)}
    assert [(order[q.section], q.position) for q in quotes] == sorted(
        (order[q.section], q.position) for q in quotes)
    assert {q.sha256 for q in quotes} == {quote_digest(c.quote) for _, c in citations}
    assert all(isinstance(q, ManifestQuote) and q.position >= 0 for q in quotes)


# The command that rebuilds the manifest, in process.

def _cli(args: list[str], env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    clean: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PARLEY_")}
    result = CliRunner().invoke(cli, args, env={**clean, **(env or {}), "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_manifest_command_rebuilds_from_the_text(citations: list[tuple[str, Citation]],
                                                 tmp_path: Path) -> None:
    paper = stand_in_paper(citations, tmp_path / "paper")
    out = tmp_path / "m.json"
    code, stdout, _ = _cli(["knowledge", "manifest", "--sources", str(paper.parent), "-o", str(out)])
    assert code == 0 and f"wrote {out}" in stdout
    written = out.read_text(encoding="utf-8")
    assert written == render_manifest(manifest_of(paper, citations))
    assert parse_manifest(written)[META.id].sha256 == file_sha256(paper)
    code, _, stderr = _cli(["knowledge", "manifest", "--sources", str(paper.parent), "--check"])
    assert code == 1 and "differs from the text" in stderr and "the paper changed" in stderr


def test_manifest_command_without_the_paper_is_bad_input(tmp_path: Path) -> None:
    code, _, stderr = _cli(["knowledge", "manifest", "--sources", str(tmp_path)])
    assert code == 2
    assert f"--sources {tmp_path}: no {META.file} in that folder" in stderr


def test_manifest_command_names_a_quote_that_is_not_verbatim(
        citations: list[tuple[str, Citation]], tmp_path: Path) -> None:
    where, dropped = citations[0]
    kept = [(w, c) for w, c in citations if c.quote != dropped.quote]
    paper = stand_in_paper(kept, tmp_path)
    code, _, stderr = _cli(["knowledge", "manifest", "--sources", str(paper.parent)])
    assert code == 1 and "not found verbatim" in stderr
    assert where.split(",")[0] in stderr


def test_check_command_says_its_mode(citations: list[tuple[str, Citation]],
                                     tmp_path: Path) -> None:
    code, stdout, _ = _cli(["knowledge", "check"])
    assert code == 0, stdout
    assert stdout.splitlines()[0].startswith("quotes: manifest mode: no paper text given")
    assert "ok  guidelines:" in stdout
    paper = stand_in_paper(citations, tmp_path)
    code, _, stderr = _cli(["knowledge", "check"], {"PARLEY_SOURCES": str(paper.parent)})
    assert code == 1 and "no longer matches the text" in stderr


def test_check_command_in_full_mode(paper_dir: Path) -> None:
    code, stdout, _ = _cli(["knowledge", "check", "--sources", str(paper_dir)])
    assert code == 0, stdout
    assert stdout.splitlines()[0].startswith("quotes: full mode: every quote checked verbatim")
