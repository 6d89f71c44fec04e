"""`parley assess FILE`: assess a scenario file and print or write the brief."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from parley.cli.errors import reported
from parley.domain.access import OPERATOR
from parley.domain.assessment import Assessment, assessment_to_dict
from parley.domain.errors import InvalidInput
from parley.domain.scenario import Scenario
from parley.locale import current_language
from parley.services.inputs import read_scenario

if TYPE_CHECKING:
    from parley.domain.codebook import Codebook
    from parley.services.assessments import Assessments


class AssessFormat(StrEnum):
    json = "json"
    md = "md"
    html = "html"
    pdf = "pdf"
    docx = "docx"


class PaperSize(StrEnum):
    A4 = "A4"
    Letter = "Letter"


def assess(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON): codebook scenario "
                                             "variables plus title, notes and classification.")],
    fmt: Annotated[AssessFormat, typer.Option("--format", "-f")] = AssessFormat.json,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here (a file, or a folder for the default name) instead "
        "of stdout. pdf and docx without -o go to a file named after the scenario.")] = None,
    paper: Annotated[PaperSize, typer.Option("--paper", help="Page size of pdf and docx.")
                     ] = PaperSize.A4,
) -> None:
    """Assess a scenario: page one is the verdict, top risks, next actions, similar cases and
    outlook; annexes give every finding by phase, each citing the paper.

    Example: parley assess my-scenario.yaml --format pdf -o brief.pdf
    """
    with reported():
        scenario, assessment, codebook, titles = _assessed(file)
        # JSON keeps English keys; its labels (finding and case titles) follow --lang
        from parley.services.texts import translate_brief_inputs

        assessment, codebook, titles = translate_brief_inputs(
            assessment, codebook, titles, current_language())
        data: bytes
        # the renderers (Jinja2, WeasyPrint, python-docx) load only for the format asked
        if fmt is AssessFormat.json:
            data = (json.dumps(assessment_to_dict(assessment), ensure_ascii=False, indent=2)
                    + "\n").encode()
        elif fmt is AssessFormat.md:
            from parley.render.brief import render_markdown

            data = render_markdown(assessment, codebook, titles).encode()
        elif fmt is AssessFormat.html:
            from parley.render.brief import render_html

            data = render_html(assessment, codebook, titles).encode()
        elif fmt is AssessFormat.pdf:
            from parley.render.documents import render_pdf

            data = render_pdf(assessment, codebook, titles, page_size=paper.value)
        else:
            from parley.render.documents import render_docx

            data = render_docx(assessment, codebook, titles, page_size=paper.value)
        binary = fmt in (AssessFormat.pdf, AssessFormat.docx)
        if output is None and not binary:
            sys.stdout.write(data.decode())
            return
        from parley.render.brief import document_filename

        target = output if output is not None else Path(document_filename(scenario, fmt.value))
        if target.is_dir():
            target = target / document_filename(scenario, fmt.value)
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror}") from exc
        typer.echo(f"wrote the {fmt.value} brief to {target}", err=True)


Assessed = tuple[Scenario, Assessment, "Codebook", Mapping[str, str]]


def _assess_with(assessments: Assessments, codebook: Codebook, file: Path) -> Assessed:
    scenario = read_scenario(file, codebook)
    return (scenario, assessments.assess(scenario, OPERATOR), codebook,
            assessments.titles(OPERATOR))


def _assessed(file: Path) -> Assessed:
    """Through the read-only quick path when the database needs nothing (`parley.quick`),
    else through the full wiring on the database as it is (never migrated: a database that is
    behind is refused naming `parley db upgrade`), which computes and stores the outlook's
    evaluation when none is stored for this revision."""
    from parley.quick import ReadOnlyCaseBase, quick_assessments

    quick = quick_assessments(os.environ)
    if quick is not None:
        with quick:
            try:
                return _assess_with(quick.assessments, quick.codebook, file)
            except ReadOnlyCaseBase:  # it found something to store after all
                pass
    from parley.cli.context import open_reader

    parley = open_reader()
    return _assess_with(parley.assessments, parley.codebook, file)
