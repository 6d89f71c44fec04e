"""Checking the knowledge: `parley knowledge check|manifest` (or `python -m
parley.services.knowledge_checks [FILE...]`) validate case files against the codebook, check
their quotes and rebuild the quote manifest. Exit 0 when all pass.

Without FILE it checks the bundled cases and guidelines, in full mode when PARLEY_SOURCES holds
the paper's text (every quote verbatim, and the quote manifest must match the text) and in
manifest mode otherwise (every quote against the committed quote manifest); it prints which.
FILEs (your own cases) always need the text: their quotes were never verified."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from parley.domain.errors import ConfigurationError, InvalidInput, ValidationFailed
from parley.domain.source import QuoteChecker
from parley.knowledge.loader import (
    bundled_case_files,
    load_codebook,
    load_source_texts,
    parse_case_bytes,
)


def run(files: list[str], directory: Path | None, *, guidelines: bool = False) -> int:
    """Check `files` (or the bundled knowledge, guidelines included) and print one line per file;
    0 when all pass."""
    from parley.knowledge.manifest import verify_quotes

    try:
        codebook = load_codebook()
        sources: dict[str, QuoteChecker]
        if files:
            sources = dict(load_source_texts(directory, required=True))
        else:
            verification = verify_quotes(directory, codebook)
            print(f"quotes: {verification.summary}")
            sources = verification.checkers
    except (ConfigurationError, ValidationFailed) as exc:
        print(exc, file=sys.stderr)
        return 1
    targets: list[tuple[str, bytes]] = (
        [(f, Path(f).read_bytes()) for f in files]
        if files
        else [(f"cases/{r.name}", r.read_bytes()) for r in bundled_case_files()]
    )
    failed = 0
    for name, data in targets:
        try:
            case = parse_case_bytes(data, name, codebook, sources)
        except ValidationFailed as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
        known = sum(1 for v in case.values.values() if not v.is_unknown)
        print(f"ok  {name}: {known} coded, {len(case.values) - known} unknown")
    if guidelines or not files:
        from parley.knowledge.guidelines import load_guidelines

        try:
            print(f"ok  guidelines: {len(load_guidelines(codebook, sources))}")
        except ConfigurationError as exc:
            failed += 1
            print(exc, file=sys.stderr)
    return 1 if failed else 0


def paper_folder(sources: Path) -> Path:
    """`sources` if it holds every source text; otherwise a bad-input error naming what is missing."""
    from parley.knowledge.loader import load_sources

    missing = [m.file for m in load_sources().values() if not (sources / m.file).is_file()]
    if missing:
        raise InvalidInput(f"--sources {sources}: no {', '.join(missing)} in that folder; give the "
                           "folder holding the paper's text")
    return sources


def rebuild_manifest(sources: Path, output: Path | None, *, check: bool) -> str:
    """Rebuild the quote manifest from the text in `sources` (every quote checked verbatim
    first) and write it to `output` (default: the package's file), or with `check` write
    nothing and fail naming each difference from the committed one. Returns what was done."""
    from parley.knowledge.manifest import (
        MANIFEST_FILE,
        differences,
        load_manifest,
        manifest_from_texts,
        packaged_manifest_path,
        render_manifest,
    )

    rebuilt, _ = manifest_from_texts(paper_folder(sources))
    n = sum(len(s.quotes) for s in rebuilt.values())
    shas = ", ".join(f"{s.id} sha256 {s.sha256}" for s in rebuilt.values())
    if check:
        diff = differences(load_manifest(), rebuilt)
        if diff:
            raise ConfigurationError(f"{MANIFEST_FILE} differs from the text in {sources}; "
                                     "rebuild it without --check:\n" + "\n".join(diff))
        return f"{MANIFEST_FILE} matches the text ({shas}): {n} quotes"
    target = output or packaged_manifest_path()
    target.write_text(render_manifest(rebuilt), encoding="utf-8")
    return f"wrote {target}: {n} quotes ({shas})"


def main(argv: list[str]) -> int:
    files = [a for a in argv if not a.startswith("--")]
    directory = os.environ.get("PARLEY_SOURCES")
    return run(files, Path(directory) if directory else None, guidelines="--guidelines" in argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
