"""`parley knowledge ...`: check the bundled knowledge and rebuild the quote manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.cli.errors import reported

app = typer.Typer(help="The bundled knowledge: quote checks and the quote manifest.",
                  no_args_is_help=True)


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
    from parley.services.knowledge_checks import rebuild_manifest

    with reported():
        typer.echo(rebuild_manifest(sources, output, check=check))


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
    from parley.services.knowledge_checks import paper_folder, run

    with reported():
        folder = paper_folder(sources) if sources is not None else None
    code = run([str(f) for f in files or []], folder)
    if code:
        raise typer.Exit(code)
