"""`parley qca ...`: QCA on any calibrated CSV, and `parley qca calibrate` for raw columns.

`parley qca` is a command group that runs the analysis when called with options and no
subcommand (so `parley qca --data f.csv --outcome SURV --conditions A,B` works as the spec
says), and offers `parley qca calibrate` as a subcommand. Options of the analysis are
optional at the Click level and checked here, so the subcommand can run without them.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parley.analysis.qca import (
    Options,
    SearchLimits,
    analyse,
    calibrate_crisp,
    calibrate_fuzzy,
    parse_directions,
    read_table,
    result_to_json,
)
from parley.analysis.qca.errors import InvalidValueError, MissingColumnError, OptionError
from parley.cli.errors import reported

app = typer.Typer(
    help="Qualitative Comparative Analysis on a calibrated CSV (R QCA semantics).",
    invoke_without_command=True,
    no_args_is_help=False,
)
out = Console(highlight=False, soft_wrap=True)


class Format(StrEnum):
    json = "json"
    table = "table"


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise MissingColumnError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValueError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None
    if not rows:
        raise InvalidValueError(f"{path}: empty file, a header line is needed")
    return rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]


def _floats(text: str, what: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise OptionError(f"{what}: {text!r} should be numbers separated by commas") from None


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
) -> None:
    """Truth table, solutions and necessity (JSON shape: spec/interfaces.md).

    Example: parley qca --data lipset.csv --case-id CASE --outcome SURV
    --conditions DEV,URB,LIT,IND,STB --incl-cut 0.8 --include-remainders
    --dir-exp DEV=1,URB=1,LIT=1,IND=1,STB=1 --necessity --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    with reported():
        missing = [name for name, v in (("--data", data), ("--outcome", outcome),
                                        ("--conditions", conditions)) if not v]
        if missing:
            raise OptionError(f"missing option(s): {', '.join(missing)} (see parley qca --help)")
        assert data is not None and outcome is not None and conditions is not None
        header, rows = _read_csv(data)
        conds = [c.strip() for c in conditions.split(",")]
        table = read_table(header, rows, outcome=outcome, conditions=conds, case_id=case_id,
                           source=str(data))
        directions = parse_directions(dir_exp, table.conditions) if dir_exp is not None else None
        if max_models < 1 or max_seconds <= 0:
            raise OptionError("--max-models must be at least 1 and --max-seconds positive")
        options = Options(
            incl_cut=_floats(incl_cut, "--incl-cut"),
            n_cut=n_cut,
            pri_cut=pri_cut,
            include_remainders=include_remainders,
            directions=directions,
            necessity=necessity,
            limits=SearchLimits(max_models=max_models, max_seconds=max_seconds),
        )
        result = result_to_json(analyse(table, options))
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
        header, rows = _read_csv(data)
        names = [h.strip() for h in header]
        for spec in columns:
            name, _, rule = spec.partition("=")
            name = name.strip()
            kind, _, args = rule.partition(":")
            if name not in names:
                raise MissingColumnError(f"{data}: no column {name!r} to calibrate")
            j = names.index(name)
            values = []
            for i, row in enumerate(rows, 1):
                cell = row[j].strip() if j < len(row) else ""
                try:
                    values.append(float(cell))
                except ValueError:
                    raise InvalidValueError(
                        f"{data}: data row {i} (line {i + 1}), column {name!r}: "
                        f"{cell!r} is not a number"
                    ) from None
            anchors = _floats(args, f"--column {spec}")
            if kind == "crisp":
                new: list[str] = [str(v) for v in calibrate_crisp(values, anchors)]
            elif kind == "fuzzy" and len(anchors) == 3:
                fs = calibrate_fuzzy(values, *anchors, logistic=not linear)
                new = [f"{v:.6g}" for v in fs]
            else:
                raise OptionError(
                    f"--column {spec!r}: use NAME=crisp:T1[,T2...] or "
                    f"NAME=fuzzy:EXCLUSION,CROSSOVER,INCLUSION"
                )
            for row, value in zip(rows, new, strict=True):
                row.extend([""] * (j + 1 - len(row)))
                row[j] = value
        with output.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    out.print(f"wrote {output} ({len(rows)} rows, {len(columns)} column(s) calibrated)")


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
    from parley.knowledge.qca_mapping import load_default_mapping, load_mapping_bytes
    from parley.services.analysis import ComparativeAnalysis

    with reported():
        parley = open_reader()
        m = (load_mapping_bytes(mapping.read_bytes(), str(mapping), parley.codebook) if mapping
             else load_default_mapping(parley.codebook))
        conds = [c.strip() for c in conditions.split(",") if c.strip()]
        options = Options(
            incl_cut=_floats(incl_cut, "--incl-cut"), n_cut=n_cut,
            include_remainders=include_remainders,
            directions=parse_directions(dir_exp, conds) if dir_exp else None,
            necessity=necessity)
        run = ComparativeAnalysis(parley.cases.seen_by(OPERATOR)).qca_on_cases(
            {**m.conditions, **m.outcomes}, conds, outcome, options, where=where,
            unknown_as_absent=unknown_as_absent, leaves_only=not with_parents)
        result = run.result
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        left = result["unknown"]["cases"]
        if left and not unknown_as_absent:
            Console(stderr=True).print(f"left out for unknown values: {', '.join(left)}")
        _print_tables(result)
