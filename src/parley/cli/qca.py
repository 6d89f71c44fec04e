"""`parley qca ...`: QCA on any calibrated CSV, and `parley qca calibrate` for raw columns.

`parley qca` is a command group that runs the analysis when called with options and no
subcommand (so `parley qca --data f.csv --outcome SURV --conditions A,B` works as the spec
says), and offers `parley qca calibrate` as a subcommand. Options of the analysis are
optional at the Click level and checked here, so the subcommand can run without them.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parley.cli.errors import reported
from parley.domain.errors import InvalidInput

if TYPE_CHECKING:
    from parley.services.qca import QcaService

app = typer.Typer(
    help="Qualitative Comparative Analysis on a calibrated CSV (R QCA semantics).",
    invoke_without_command=True,
    no_args_is_help=False,
)
out = Console(highlight=False, soft_wrap=True)


class Format(StrEnum):
    json = "json"
    table = "table"


def _read(path: Path) -> bytes:
    """The file's bytes; a missing or unreadable file is bad input (exit 2), named."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None


def _service() -> QcaService:
    from parley.quick import qca_service  # no database, and none of bootstrap's imports

    return qca_service()


@app.callback()
def qca(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="Calibrated CSV (0/1 or [0,1]).")]
    = None,
    outcome: Annotated[str | None, typer.Option(
        "--outcome", help="Outcome column; ~NAME explains its negation.")] = None,
    conditions: Annotated[str | None, typer.Option(
        "--conditions", help="Condition columns, comma separated, e.g. DEV,URB,LIT.")] = None,
    case_id: Annotated[str | None, typer.Option(
        "--case-id", help="Column with case names (default: row numbers).")] = None,
    incl_cut: Annotated[str, typer.Option(
        "--incl-cut", help="Inclusion cut for OUT=1, and optionally for OUT=0: X or X,Y.")]
    = "1",
    n_cut: Annotated[int, typer.Option("--n-cut", help="Rows with fewer cases are remainders.")]
    = 1,
    pri_cut: Annotated[float, typer.Option("--pri-cut", help="Rows below this PRI get OUT=0.")]
    = 0.0,
    include_remainders: Annotated[bool, typer.Option(
        "--include-remainders", help="Also give the parsimonious (and intermediate) solution.")]
    = False,
    dir_exp: Annotated[str | None, typer.Option(
        "--dir-exp", help="Directional expectations for the intermediate solution: A=1,B=0,C=-")]
    = None,
    necessity: Annotated[bool, typer.Option(
        "--necessity", help="Necessity of each condition and its negation.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="json or table.")] = Format.table,
    max_models: Annotated[int, typer.Option(
        "--max-models", help="Cap on the minimal models listed per solution.")] = 1000,
    max_seconds: Annotated[float, typer.Option(
        "--max-seconds", help="Time cap for each minimisation search.")] = 60.0,
    multi_value: Annotated[str | None, typer.Option(
        "--multi-value", help="Conditions coded 0,1,2,... (mvQCA), e.g. DEV,URB.")] = None,
    row_dom: Annotated[bool, typer.Option(
        "--row-dom", help="R's row.dom: drop dominated prime implicants.")] = False,
    pi_cons: Annotated[float, typer.Option(
        "--pi-cons", help="R's pi.cons: least inclusion of a prime implicant (0 = off).")]
    = 0.0,
    sol_cons: Annotated[float, typer.Option(
        "--sol-cons", help="R's sol.cons: least inclusion of a model (0 = off).")] = 0.0,
    sol_cov: Annotated[float, typer.Option(
        "--sol-cov", help="R's sol.cov: least coverage of a model, with --sol-cons.")] = 1.0,
) -> None:
    """Truth table, solutions and necessity (JSON shape: docs/interfaces.md).

    Example: parley qca --data lipset.csv --case-id CASE --outcome SURV
    --conditions DEV,URB,LIT,IND,STB --incl-cut 0.8 --include-remainders
    --dir-exp DEV=1,URB=1,LIT=1,IND=1,STB=1 --necessity --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from parley.services.qca import QcaSpec

    with reported():
        missing = [name for name, v in (("--data", data), ("--outcome", outcome),
                                        ("--conditions", conditions)) if not v]
        if missing:
            raise InvalidInput(f"missing option(s): {', '.join(missing)} "
                               "(see parley qca --help)")
        assert data is not None and outcome is not None and conditions is not None
        spec = QcaSpec(incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut,
                       include_remainders=include_remainders, dir_exp=dir_exp,
                       necessity=necessity, row_dom=row_dom, pi_cons=pi_cons,
                       sol_cons=sol_cons, sol_cov=sol_cov, max_models=max_models,
                       max_seconds=max_seconds)
        result = _service().on_csv(_read(data), str(data), spec, outcome=outcome,
                                   conditions=conditions, case_id=case_id,
                                   multi_value=multi_value or "")
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        _print_tables(result)


def _num(value: float) -> str:
    return f"{value:.3f}"


def _print_tables(result: dict[str, Any]) -> None:
    conds = result["conditions"]
    tt = Table(title=f"Truth table: {result['outcome']} ({result['n_cases']} cases)")
    for name in [*conds, "OUT", "n", "incl", "PRI", "cases"]:
        tt.add_column(name, justify="left" if name == "cases" else "right")
    for row in result["truth_table"]:
        tt.add_row(*row["config"], row["OUT"], str(row["n"]), _num(row["incl"]),
                   _num(row["PRI"]), ", ".join(row["cases"]))
    out.print(tt)
    for name, sol in result["solutions"].items():
        if not sol["models"]:
            out.print(f"\n[bold]{name}[/]: no model (nothing to minimise)")
        for i, model in enumerate(sol["models"], 1):
            table = Table(title=f"{name} M{i}: {model['expression']} -> {result['outcome']}")
            for col in ("term", "inclS", "PRI", "covS", "covU", "cases"):
                table.add_column(col, justify="left" if col in ("term", "cases") else "right")
            for t in model["terms"]:
                table.add_row(t["term"], _num(t["inclS"]), _num(t["PRI"]), _num(t["covS"]),
                              _num(t["covU"]), ", ".join(t["cases"]))
            table.add_row(f"M{i}", _num(model["inclS"]), _num(model["PRI"]),
                          _num(model["covS"]), "", "", style="bold")
            out.print(table)
            if model.get("easy_counterfactuals"):
                out.print("easy counterfactuals: " + ", ".join(model["easy_counterfactuals"]))
        if not sol["complete"]:
            out.print(f"[yellow]{name}: {sol['left_out']}[/]")
    if "necessity" in result:
        nt = Table(title="Necessity")
        for col in ("condition", "inclN", "RoN", "covN"):
            nt.add_column(col, justify="left" if col == "condition" else "right")
        for r in result["necessity"]:
            nt.add_row(r["condition"], _num(r["inclN"]), _num(r["RoN"]), _num(r["covN"]))
        out.print(nt)
    for warning in result["warnings"]:
        out.print(f"[yellow]warning:[/] {warning}")


@app.command("calibrate")
def calibrate(
    data: Annotated[Path, typer.Option("--data", help="CSV with raw columns.")],
    columns: Annotated[list[str], typer.Option(
        "--column", "-c",
        help="NAME=crisp:T1[,T2...] or NAME=fuzzy:EXCLUSION,CROSSOVER,INCLUSION; repeatable.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write.")],
    linear: Annotated[bool, typer.Option(
        "--linear", help="Piecewise-linear instead of logistic fuzzy calibration.")] = False,
) -> None:
    """Calibrate raw columns into crisp or fuzzy sets; other columns are copied unchanged.

    Example: parley qca calibrate --data raw.csv -c DEV=fuzzy:400,550,900
    -c STB=crisp:10 -o calibrated.csv
    """
    with reported():
        text = _service().calibrate(_read(data), str(data), columns, linear=linear)
        output.write_text(text, encoding="utf-8", newline="")
    rows = text.count("\n") - 1
    out.print(f"wrote {output} ({rows} rows, {len(columns)} column(s) calibrated)")


@app.command("cases")
def qca_cases(
    conditions: Annotated[str, typer.Option(
        "--conditions", help="Condition names from the mapping, e.g. MED,GOV,INC.")],
    outcome: Annotated[str, typer.Option("--outcome", help="Outcome name; ~NAME negates.")]
    = "LASTING",
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="Your own mapping file (shape of knowledge/qca-conditions.yaml).")]
    = None,
    where: Annotated[str | None, typer.Option("--where", help="Only cases matching this query.")]
    = None,
    incl_cut: Annotated[str, typer.Option("--incl-cut", help="X or X,Y.")] = "1",
    n_cut: Annotated[int, typer.Option("--n-cut")] = 1,
    include_remainders: Annotated[bool, typer.Option("--include-remainders")] = False,
    dir_exp: Annotated[str | None, typer.Option("--dir-exp", help="A=1,B=0,C=-")] = None,
    necessity: Annotated[bool, typer.Option("--necessity")] = False,
    row_dom: Annotated[bool, typer.Option("--row-dom", help="R's row.dom.")] = False,
    pi_cons: Annotated[float, typer.Option("--pi-cons", help="R's pi.cons.")] = 0.0,
    sol_cons: Annotated[float, typer.Option("--sol-cons", help="R's sol.cons.")] = 0.0,
    sol_cov: Annotated[float, typer.Option("--sol-cov", help="R's sol.cov.")] = 1.0,
    unknown_as_absent: Annotated[bool, typer.Option(
        "--unknown-as-absent", help="Count unknown memberships as 0 instead of leaving cases out.")]
    = False,
    with_parents: Annotated[bool, typer.Option(
        "--with-parents", help="Also count parent cases beside their sub-cases.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="json or table.")] = Format.table,
) -> None:
    """QCA over the case base, with conditions defined over codebook variables.

    Cases with an unknown membership are left out and listed (or counted as absent with
    --unknown-as-absent). Example: parley qca cases --conditions MED,GOV,INC --outcome LASTING
    --include-remainders --format json
    """
    from parley.cli.context import open_reader
    from parley.domain.access import OPERATOR
    from parley.services.qca import QcaSpec

    with reported():
        parley = open_reader()
        spec = QcaSpec(incl_cut=incl_cut, n_cut=n_cut, include_remainders=include_remainders,
                       dir_exp=dir_exp, necessity=necessity, row_dom=row_dom, pi_cons=pi_cons,
                       sol_cons=sol_cons, sol_cov=sol_cov)
        service = parley.qca.with_executor(lambda: None)
        run = service.on_cases(
            parley.cases.seen_by(OPERATOR), spec, conditions=conditions.split(","),
            outcome=outcome, where=where, unknown_as_absent=unknown_as_absent,
            leaves_only=not with_parents,
            mapping=service.mapping(_read(mapping), str(mapping)) if mapping else None)
        result = run.result
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        left = result["unknown"]["cases"]
        if left and not unknown_as_absent:
            Console(stderr=True).print(f"left out for unknown values: {', '.join(left)}")
        _print_tables(result)
