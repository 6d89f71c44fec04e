"""`parley evaluate`: nested leave-one-out and leave-one-country-out evaluation of the outlook."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.services.assessments import SchemeResult, evaluation_to_dict

if TYPE_CHECKING:
    from rich.table import Table


class EvaluateFormat(StrEnum):
    json = "json"
    table = "table"


def _scores(result: SchemeResult, n_cases: int, in_use: str) -> Table:
    from rich.table import Table  # loaded only when a table is printed

    table = Table(title=f"{result.scheme}: {n_cases} leaf cases with a known outcome, "
                        f"{result.n_folds} folds (lower Brier and RPS are better)")
    for col in ("method", "accuracy", "95% interval", "Brier", "RPS", "even-mix Brier",
                "even-mix RPS", "max p"):
        table.add_column(col)
    for s in result.scores:
        interval = ("" if s.accuracy_low == s.accuracy_high
                    else f"{s.accuracy_low:.2f}-{s.accuracy_high:.2f}")
        name = f"{s.method} (in use)" if s.method == in_use else s.method
        table.add_row(name, f"{s.accuracy:.3f}", interval, f"{s.brier:.3f}", f"{s.rps:.3f}",
                      f"{s.balanced_brier:.3f}", f"{s.balanced_rps:.3f}",
                      f"{s.max_probability:.2f}")
    return table


def _reliability(result: SchemeResult) -> Table:
    from rich.table import Table

    table = Table(title=f"{result.scheme}: reliability, mean predicted -> observed (n)")
    table.add_column("predicted")
    for s in result.scores:
        table.add_column(s.method)
    bins = result.scores[0].reliability
    for b, edge in enumerate(bins):
        if all(s.reliability[b].n == 0 for s in result.scores):
            continue
        cells = []
        for s in result.scores:
            r = s.reliability[b]
            cells.append("" if r.n == 0 or r.mean_predicted is None or r.observed is None
                         else f"{r.mean_predicted:.2f} -> {r.observed:.2f} ({r.n})")
        table.add_row(f"{edge.low:.1f}-{edge.high:.1f}", *cells)
    return table


def evaluate(
    fmt: Annotated[EvaluateFormat, typer.Option("--format", "-f")] = EvaluateFormat.table,
) -> None:
    """Score the outlook and its baselines on cases they have not seen: Brier score, ranked
    probability score and a reliability table, by leave-one-out and by leave-one-country-out.
    Over the public case base at its current revision; the result is stored, and every
    assessment uses it (until the case base changes again).

    Example: parley evaluate --format json
    """
    with reported():
        result = open_parley().assessments.evaluate()
        if fmt is EvaluateFormat.json:
            sys.stdout.write(json.dumps(evaluation_to_dict(result), ensure_ascii=False,
                                        indent=2) + "\n")
            return
        out = Console(highlight=False, soft_wrap=True)
        for scheme in result.schemes:
            out.print(_scores(scheme, result.n_cases, result.method))
            out.print(_reliability(scheme))
        out.print("classes: " + ", ".join(f"{k} {v}" for k, v in result.class_counts.items()))
        for reason, ids in result.excluded.items():
            if ids:
                out.print(f"excluded ({reason}): {', '.join(ids)}")
        out.print("Everything is fitted inside each fold; a held-out case's parent, sub-cases "
                  "and sibling sub-cases (and, by country, every case of its country) never "
                  "help predict it. Even-mix scores weigh every outcome class equally. "
                  "Details: --format json.")
