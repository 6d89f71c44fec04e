"""`parley cases ...`: list, show, search, export, import, delete and publish cases.

The command line is the operator of the database it opens: it sees every case and may change
any case but a bundled one, audited as `cli:<OS user>` (see `cli/context.py::operator`)."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from parley.cli.context import open_parley, open_reader, operator
from parley.cli.errors import reported
from parley.domain.access import OPERATOR, Visibility
from parley.domain.case import case_to_dict, value_to_json
from parley.domain.errors import InvalidInput
from parley.domain.listing import CasePage, show_marks
from parley.locale import current_language
from parley.locale import gettext as _
from parley.services.case_exports import ExportFormat, case_file
from parley.services.inputs import read_document
from parley.services.texts import translate_case

app = typer.Typer(help="Browse, search, export and import the case base.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)

WhereOpt = Annotated[str | None, typer.Option(
    "--where", "-w", help="Filter, e.g. 'initiator has religious-leader and start_year >= 2000' "
    "(docs/query-language.md).")]


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    ids = "ids"


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


def _plain(snippet: str | None) -> str:
    return show_marks(snippet or "", "[", "]")


def _print_page(page: CasePage, fmt: ListFormat, searching: bool) -> None:
    if fmt is ListFormat.ids:
        for item in page.items:
            out.print(item.id)
        return
    rows = [
        {"id": i.id, "title": i.title, "country": i.country, "parent": i.parent,
         "start_year": i.start_year, "outcome_class": i.outcome_class, "origin": i.origin,
         **({"snippet": _plain(i.snippet), "rank": i.rank,
             "matched": ",".join(i.matched)} if searching else {})}
        for i in page.items
    ]
    if fmt is ListFormat.json:
        sys.stdout.write(json.dumps({"total": page.total, "leaves": page.leaves,
                                     "parents": page.parents, "cases": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is ListFormat.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    from rich.table import Table  # only for the table format: kept off every start

    title = _("%(n)s case(s)") % {"n": page.total}
    if page.parents:
        title += " " + _("(%(leaves)s counted: %(parents)s parents of listed sub-cases are not)"
                         ) % {"leaves": page.leaves, "parents": page.parents}
    table = Table(title=title, show_lines=searching)
    for col in (_("id"), _("country"), _("start"), _("outcome")):
        table.add_column(col)
    if searching:
        table.add_column(_("match"))
    unknown = _("unknown")
    for i in page.items:
        cells = [i.id, i.country or unknown, str(i.start_year or unknown),
                 i.outcome_class or unknown]
        if searching:
            cells.append(show_marks(i.snippet or "", "[bold yellow]", "[/]",
                                    lambda text: text.replace("[", "\\["))
                         + (f"\n({_('found in')} {', '.join(_(m) for m in i.matched)})"
                            if i.matched else ""))
        table.add_row(*cells)
    out.print(table)


@app.command("list")
def list_cases(
    where: WhereOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Full-text search.")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many cases (0 = all).")] = 0,
) -> None:
    """List cases, optionally filtered and searched.

    Example: parley cases list --where 'outcome_class = lasting-reduction' --format ids
    """
    with reported():
        cases = open_reader().cases.seen_by(OPERATOR)
        total = cases.count()
        page = cases.browse(where, search, limit=limit or max(total, 1))
        _print_page(page, fmt, bool(search))


@app.command("search")
def search_cases(
    text: Annotated[str, typer.Argument(help="Words to find in titles, summaries and quotes.")],
    where: WhereOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many cases.")] = 20,
) -> None:
    """Full-text search, ranked, with highlighted matches.

    Example: parley cases search "prison riots"
    """
    with reported():
        page = open_reader().cases.seen_by(OPERATOR).browse(where, text, limit=limit)
        _print_page(page, fmt, True)


@app.command("show")
def show_case(
    case_id: Annotated[str, typer.Argument(help="Case id, e.g. el-salvador-mara-truce-2012.")],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f")] = ShowFormat.table,
) -> None:
    """Show one case: every coded value beside its evidence.

    Example: parley cases show jamaica-august-town-truce-2008
    """
    with reported():
        stored = open_reader().cases.seen_by(OPERATOR).get(case_id)
        case = stored.case
        if fmt is ShowFormat.json:
            sys.stdout.write(json.dumps(case_to_dict(case), ensure_ascii=False, indent=2) + "\n")
            return
        case = translate_case(case, current_language())
        owner = f", {_('owner')} {stored.owner}" if stored.owner else ""
        shared = f" ({stored.workspace})" if stored.workspace else ""
        out.print(f"[bold]{case.title}[/]  ({case.id}, {stored.origin}, "
                  f"{_(stored.visibility.value)}{shared}{owner})")
        if case.parent:
            out.print(f"{_('sub-case of')} {case.parent}")
        out.print(case.summary + "\n")
        from rich.table import Table

        table = Table(show_lines=True)
        table.add_column(_("variable"))
        table.add_column(_("value"))
        table.add_column(_("evidence"))
        for name, coded in case.values.items():
            value = value_to_json(coded.value)
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            ev = "\n".join(f"“{c.quote}” ({c.section})" for c in coded.evidence)
            table.add_row(name, f"[dim]{_('unknown')}[/]" if coded.is_unknown else shown, ev)
        out.print(table)


@app.command("export")
def export_cases(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.JSON,
    where: WhereOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                 help="Write here instead of stdout.")] = None,
) -> None:
    """Export cases as JSON (the interchange shape), CSV (one row per case) or a data package
    (a zip: the CSV, datapackage.json with the codebook as its schema, CITATION.txt; needs -o).

    Example: parley cases export --format csv -o cases.csv
    """
    with reported():
        if fmt is ExportFormat.DATAPACKAGE and output is None:
            raise InvalidInput("--format datapackage writes a zip file: give -o FILE.zip")
        parley = open_reader()
        cases = parley.cases.seen_by(OPERATOR).export(where)
        exported = case_file(cases, parley.codebook, fmt, filters=where or "",
                                today=date.today())
        if output:
            output.write_bytes(exported.body)
            Console(stderr=True).print(f"wrote {exported.count} case(s) to {output}")
        else:
            sys.stdout.write(exported.body.decode("utf-8"))


@app.command("import")
def import_cases(
    files: Annotated[list[Path], typer.Argument(help="YAML or JSON case files.")],
    replace: Annotated[bool, typer.Option(
        help="Overwrite stored cases with the same id (never a bundled case).")] = False,
    visibility: Annotated[Visibility, typer.Option(
        help="Who sees the new cases: public (everyone), workspace (its members and the "
        "owner) or private (the owner).")] = Visibility.PUBLIC,
    workspace: Annotated[str | None, typer.Option(
        help="The workspace to share with (--visibility workspace).")] = None,
    owner: Annotated[str | None, typer.Option(
        help="The account the new cases belong to (default: none).")] = None,
) -> None:
    """Validate and import case files, all or nothing; audited.

    Example: parley cases import my-case.yaml other-cases.json
    """
    with reported():
        parley = open_parley()
        from rich.progress import Progress

        err = Console(stderr=True)
        documents = []
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("reading", total=len(files))
            for path in files:
                documents.append((str(path), read_document(path)))
                progress.advance(task)
        ids = parley.curation.import_documents(operator(), documents, replace_existing=replace,
                                             visibility=visibility, workspace=workspace,
                                             owner=owner)
        err.print(f"imported {len(ids)} case(s) ({visibility.value}): {', '.join(ids)}")


@app.command("delete")
def delete_case(
    case_id: Annotated[str, typer.Argument(help="The case to delete (never a bundled one).")],
) -> None:
    """Delete a case that has no sub-cases; audited.

    Example: parley cases delete my-august-town-case
    """
    with reported():
        open_parley().curation.delete(operator(), case_id)
        Console(stderr=True).print(f"deleted {case_id}")


@app.command("visibility")
def set_visibility(
    case_id: Annotated[str, typer.Argument(help="The case (never a bundled one).")],
    visibility: Annotated[Visibility, typer.Argument(
        help="public (publish it), workspace (share it with --workspace) or private.")],
    workspace: Annotated[str | None, typer.Option(
        help="The workspace to share with (visibility workspace).")] = None,
) -> None:
    """Publish a case, share it with a workspace, or make it private; audited.

    Example: parley cases visibility my-august-town-case public
    """
    with reported():
        stored = open_parley().curation.set_visibility(operator(), case_id, visibility,
                                                       workspace)
        Console(stderr=True).print(f"{case_id} is now {stored.visibility.value}")
