"""`parley evaluate`: leave-one-out evaluation of the outlook over the case base."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from parley.analysis.evaluate import evaluation_to_dict
from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.access import OPERATOR


class EvaluateFormat(StrEnum):
    json = "json"
    table = "table"


def evaluate(
    fmt: Annotated[EvaluateFormat, typer.Option("--format", "-f")] = EvaluateFormat.table,
) -> None:
    """Score the outlook by leave-one-out: accuracy and Brier score, beside two baselines.

    Example: parley evaluate --format json
    """
    with reported():
        result = open_parley().assessments.evaluate(OPERATOR)
        if fmt is EvaluateFormat.json:
            sys.stdout.write(json.dumps(evaluation_to_dict(result), ensure_ascii=False,
                                        indent=2) + "\n")
            return
        out = Console(highlight=False, soft_wrap=True)
        table = Table(title=f"Leave-one-out over {result.n_cases} leaf cases with a known outcome")
        for col in ("method", "accuracy", "95% interval", "Brier (lower is better)"):
            table.add_column(col)
        for s in result.scores:
            interval = ("" if s.accuracy_low == s.accuracy_high
                        else f"{s.accuracy_low:.2f}-{s.accuracy_high:.2f}")
            table.add_row(s.method, f"{s.accuracy:.3f}", interval, f"{s.brier:.3f}")
        out.print(table)
        out.print("classes: " + ", ".join(f"{k} {v}" for k, v in result.class_counts.items()))
        for reason, ids in result.excluded.items():
            if ids:
                out.print(f"excluded ({reason}): {', '.join(ids)}")
        out.print("k and alpha are fitted inside each fold; a held-out case's parent and "
                  "sub-cases are never its neighbours. Details: --format json.")
