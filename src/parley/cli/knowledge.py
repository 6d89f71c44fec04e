"""`parley knowledge ...`: check the bundled knowledge and rebuild the quote manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.cli.errors import reported
from parley.domain.errors import InvalidInput

app = typer.Typer(help="The bundled knowledge: quote checks and the quote manifest.",
                  no_args_is_help=True)


def _paper_folder(sources: Path) -> Path:
    """`sources` if it holds every source text; otherwise a bad-input error naming what is missing."""
    from parley.knowledge.loader import load_sources

    missing = [m.file for m in load_sources().values() if not (sources / m.file).is_file()]
    if missing:
        raise InvalidInput(f"--sources {sources}: no {', '.join(missing)} in that folder; give the "
                           "folder holding the paper's text")
    return sources


@app.command("manifest")
def manifest(
    sources: Annotated[Path, typer.Option("--sources", help="Folder holding the paper's text.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: the package's quote-manifest.json).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if the committed manifest differs.")] = False,
) -> None:
    """Rebuild the quote manifest from the paper's text: its SHA-256 and, per cited quote, the
    section, the position and the SHA-256 of the normalised quote. Every quote is first checked
    verbatim; a quote that is not fails with the file and field that cite it.

    Example: parley knowledge manifest --sources ../shared/sources
    """
    from parley.domain.errors import ConfigurationError
    from parley.knowledge.manifest import (
        MANIFEST_FILE,
        differences,
        load_manifest,
        manifest_from_texts,
        packaged_manifest_path,
        render_manifest,
    )

    with reported():
        rebuilt, _ = manifest_from_texts(_paper_folder(sources))
        n = sum(len(s.quotes) for s in rebuilt.values())
        shas = ", ".join(f"{s.id} sha256 {s.sha256}" for s in rebuilt.values())
        if check:
            diff = differences(load_manifest(), rebuilt)
            if diff:
                raise ConfigurationError(f"{MANIFEST_FILE} differs from the text in {sources}; "
                                         "rebuild it without --check:\n" + "\n".join(diff))
            typer.echo(f"{MANIFEST_FILE} matches the text ({shas}): {n} quotes")
            return
        target = output or packaged_manifest_path()
        target.write_text(render_manifest(rebuilt), encoding="utf-8")
        typer.echo(f"wrote {target}: {n} quotes ({shas})")


@app.command("check")
def check(
    files: Annotated[list[Path] | None, typer.Argument(
        help="Your own case files (need the text); default: the bundled cases and guidelines.")
    ] = None,
    sources: Annotated[Path | None, typer.Option(
        "--sources", envvar="PARLEY_SOURCES",
        help="Folder holding the paper's text: full mode. Without it: manifest mode.")] = None,
) -> None:
    """Validate the bundled cases and guidelines (or FILES) and check every quote; the first line
    says the mode: full (verbatim in the text, and the manifest must match it) or manifest
    (against the committed quote manifest, when the text is absent).

    Example: parley knowledge check --sources ../shared/sources
    """
    from parley.knowledge.check import run

    with reported():
        folder = _paper_folder(sources) if sources is not None else None
    code = run([str(f) for f in files or []], folder)
    if code:
        raise typer.Exit(code)
