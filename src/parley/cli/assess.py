"""`parley assess FILE`: assess a scenario file and print or write the brief."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR
from parley.domain.assessment import assessment_to_dict
from parley.domain.errors import InvalidInput
from parley.interchange.scenario_file import read_scenario
from parley.render.brief import render_html, render_markdown


class AssessFormat(StrEnum):
    json = "json"
    md = "md"
    html = "html"


def assess(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON): codebook scenario "
                                             "variables plus title and notes.")],
    fmt: Annotated[AssessFormat, typer.Option("--format", "-f")] = AssessFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of stdout.")] = None,
) -> None:
    """Assess a scenario: risks, readiness, recommendations, checklist, similar cases, outlook.

    Example: parley assess my-scenario.yaml --format html -o brief.html
    """
    with reported():
        app = open_parley()
        scenario = read_scenario(file, app.codebook)
        assessment = app.assessments.assess(scenario, OPERATOR)
        titles = {c.id: c.title for c in app.cases.seen_by(OPERATOR).export()}
        if fmt is AssessFormat.json:
            text = json.dumps(assessment_to_dict(assessment), ensure_ascii=False, indent=2) + "\n"
        elif fmt is AssessFormat.md:
            text = render_markdown(assessment, app.codebook, titles)
        else:
            text = render_html(assessment, app.codebook, titles)
        if output is None:
            sys.stdout.write(text)
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write {output}: {exc.strerror}") from exc
        Console(stderr=True).print(f"wrote the {fmt.value} brief to {output}")
