"""`parley workspaces ...`: create a workspace; list, add, edit its items; decide revocations;
the process report; export as JSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from parley.cli.context import open_parley
from parley.cli.errors import reported
from parley.domain.account import SYSTEM
from parley.private_files import write_private

app = typer.Typer(help="Confidential negotiation workspaces.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Name of the negotiation process.")],
    owner: Annotated[str, typer.Option(help="The account that owns it.")],
    description: Annotated[str, typer.Option(help="One paragraph.")] = "",
) -> None:
    """Create a workspace owned by USER; prints its id.

    Example: parley workspaces create "Prison talks" --owner ana
    """
    with reported():
        ws = open_parley().workspaces.create(SYSTEM, name, description, owner=owner)
        typer.echo(ws.id)


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    docx = "docx"


@app.command("report")
def report(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.html,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File or folder (default: html to stdout; pdf and docx to a "
        "file named after the workspace and the date).")] = None,
    paper: Annotated[str, typer.Option("--paper", help="A4 or Letter.")] = "A4",
    as_user: Annotated[str | None, typer.Option(
        "--as", metavar="USER", help="Produce it as this member sees it (their clearance); "
        "default: the operator, who sees everything.")] = None,
) -> None:
    """The process report: alerts, deadlines, commitments, breaches, sessions and the
    monitoring (ITS charts, before/after tables). Audited like any read of secret items.

    Example: parley workspaces report 3hX9... --format pdf --as ana -o report.pdf
    """
    from parley.domain.account import Principal
    from parley.domain.errors import InvalidInput
    from parley.render.process_report import render_report, report_filename

    with reported():
        if paper not in ("A4", "Letter"):
            raise InvalidInput(f"--paper: {paper!r}; allowed: A4, Letter")
        actor = SYSTEM if as_user is None else Principal(as_user)
        found = open_parley().process_reports.report(actor, workspace_id)
        data = render_report(found, fmt.value, "A4" if paper == "A4" else "Letter")
        if output is None and fmt is ReportFormat.html:
            typer.echo(data.decode(), nl=False)
            return
        target = output if output is not None else Path(report_filename(found, fmt.value))
        if target.is_dir():
            target = target / report_filename(found, fmt.value)
        try:
            write_private(target, data)
        except OSError as exc:
            raise InvalidInput(f"cannot write {target}: {exc.strerror}") from exc
        typer.echo(f"wrote the {fmt.value} report to {target}", err=True)


@app.command("export")
def export(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    anonymise: Annotated[bool, typer.Option(
        "--anonymise", help="Replace personal names with stable pseudonyms.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default stdout).")
                      ] = None,
) -> None:
    """Export a workspace as JSON (audited; secret items included: you hold the master key).

    Example: parley workspaces export 3hX9... --anonymise -o talks.json
    """
    with reported():
        doc = open_parley().workspaces.export(SYSTEM, workspace_id, anonymise=anonymise)
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if output is None:
            typer.echo(text)
        else:
            write_private(output, text + "\n")


Fields = Annotated[list[str] | None, typer.Option(
    "--field", "-F", metavar="NAME=VALUE",
    help="A field of the kind (repeat it); lists are separated by ';', codes by ','. "
    "`parley workspaces kinds` lists each kind's fields.")]
AsUser = Annotated[str | None, typer.Option(
    "--as", metavar="USER", help="Act as this member (their role and clearance); default: the "
    "operator, who acts as an owner.")]


def _fields(pairs: list[str] | None) -> dict[str, str]:
    from parley.domain.errors import InvalidInput

    out: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"--field {pair!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def _actor(as_user: str | None) -> Any:
    from parley.domain.account import Principal

    return SYSTEM if as_user is None else Principal(as_user)


@app.command("kinds")
def kinds(as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """The item kinds of a workspace and their fields (as `GET /api/workspace-kinds`).

    Example: parley workspaces kinds
    """
    from parley.domain.item_kinds import KINDS, RULES, FieldType, describe_kinds

    if as_json:
        typer.echo(json.dumps(describe_kinds(), indent=2))
        return
    for k, specs in KINDS.items():
        typer.echo(f"{k.value}: {RULES[k].purpose}")
        for f in specs:
            if f.type is FieldType.LOG:
                extra = " (kept by Parley)"
            elif f.refers_to:
                extra = f" -> {f.refers_to.value}"
            elif f.choices:
                extra = f" [{', '.join(f.choices)}]"
            else:
                extra = ""
            typer.echo(f"  {f.name}{'*' if f.required else ''} ({f.type.value}){extra}")


@app.command("items")
def items(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    as_user: AsUser = None,
) -> None:
    """List a workspace's items (what the member may see; secret reads audited).

    Example: parley workspaces items 3hX9... --kind actor --as ana
    """
    from parley.domain.workspace import ItemFilter, parse_kind
    from parley.services.workspaces import item_document

    with reported():
        where = ItemFilter(kind=parse_kind(kind)) if kind else None
        found = open_parley().workspaces.items(_actor(as_user), workspace_id, where)
        if as_json:
            typer.echo(json.dumps([{**item_document(i), "title": i.title} for i in found],
                                  ensure_ascii=False, indent=2))
            return
        for i in found:
            typer.echo(f"{i.id}\t{i.kind.value}\t{i.classification.value}\tv{i.version}\t"
                       f"{i.title}")


@app.command("add")
def add(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    kind: Annotated[str, typer.Argument(help="Item kind (see `parley workspaces kinds`).")],
    field: Fields = None,
    classification: Annotated[str, typer.Option(
        help="public, restricted or secret.")] = "restricted",
    as_user: AsUser = None,
) -> None:
    """Add an item; prints its id.

    Example: parley workspaces add 3hX9... actor -F name="MS-13" -F type=criminal-group
    """
    from parley.domain.workspace import parse_classification, parse_kind

    with reported():
        item = open_parley().workspaces.create_item(
            _actor(as_user), workspace_id, parse_kind(kind),
            parse_classification(classification), _fields(field))
        typer.echo(item.id)


@app.command("edit")
def edit(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    item_id: Annotated[str, typer.Argument(metavar="ITEM", help="Item id.")],
    version: Annotated[int, typer.Option(help="The version you read (a stale one is refused).")],
    field: Fields = None,
    classification: Annotated[str | None, typer.Option(
        help="New classification (default: unchanged).")] = None,
    as_user: AsUser = None,
) -> None:
    """Change some fields of an item (the others stay); prints the new version.

    Example: parley workspaces edit 3hX9... Ab12... --version 2 -F status=fulfilled
    """
    from parley.domain.item_kinds import KINDS, FieldType
    from parley.domain.workspace import parse_classification

    with reported():
        parley, actor = open_parley(), _actor(as_user)
        item = parley.workspaces.item(actor, workspace_id, item_id)
        raw = {s.name: item.fields.get(s.name) for s in KINDS[item.kind]
               if s.type is not FieldType.LOG}
        raw.update(_fields(field))
        level = parse_classification(classification) if classification else item.classification
        updated = parley.workspaces.update_item(actor, workspace_id, item_id, level,
                                                {k: v for k, v in raw.items() if v is not None},
                                                version)
        typer.echo(updated.version)


@app.command("decide")
def decide(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    item_id: Annotated[str, typer.Argument(metavar="CONDITION",
                                           help="The leniency condition's id.")],
    breach: Annotated[str, typer.Option(help="The breach that opened the revocation.")],
    decision: Annotated[str, typer.Option(help="revoke or retain.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the decision).")],
    version: Annotated[int, typer.Option(help="The condition's version you read.")],
    as_user: AsUser = None,
) -> None:
    """Decide a revocation a breach opened on a leniency condition (owners; once, kept).

    Example: parley workspaces decide 3hX9... Lc12... --breach Br34... --decision retain
    --reason "isolated act, disowned by the leadership" --version 2
    """
    with reported():
        item = open_parley().workspaces.decide_revocation(
            _actor(as_user), workspace_id, item_id, breach, decision, reason, version)
        typer.echo(item.version)


@app.command("assessment")
def assessment(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    as_user: AsUser = None,
) -> None:
    """The living assessment: the situation, each finding's status, the checklist by phase.

    Example: parley workspaces assessment 3hX9... --as ana
    """
    with reported():
        a = open_parley().living_assessments.assess(_actor(as_user), workspace_id)
        if as_json:
            typer.echo(json.dumps({
                "profile": [{"variable": v.variable, "value": v.value, "source": v.source,
                             "items": list(v.items)} for v in a.profile.values],
                "findings": [{"guideline": s.finding.guideline, "title": s.finding.title,
                              "status": s.status, "by": s.by, "addressed_by": s.addressed_by}
                             for s in a.findings],
                "checklist": {p: [{"item": e.item, "status": e.status} for e in entries]
                              for p, entries in a.checklist.items()},
                "history": [dict(h) for h in a.history]}, ensure_ascii=False, indent=2))
            return
        for v in a.profile.values:
            shown = ", ".join(v.value) if isinstance(v.value, tuple) else v.value
            typer.echo(f"{v.variable}: {shown} ({'items' if v.source == 'items' else 'hand'})")
        counts = a.counts
        typer.echo(f"\n{counts['open']} open, {counts['addressed']} addressed, "
                   f"{counts['accepted']} accepted")
        for s in a.findings:
            typer.echo(f"[{s.status}] {s.finding.guideline}: {s.finding.title}")


@app.command("situation")
def situation(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    value: Annotated[list[str] | None, typer.Option(
        "--set", metavar="VARIABLE=CODE", help="A scenario variable the items do not tell "
        "(repeat it; a list's codes separated by ',').")] = None,
    version: Annotated[int | None, typer.Option(
        help="The situation's version you read (needed once it exists).")] = None,
    as_user: AsUser = None,
) -> None:
    """Set the situation's values by hand (replaces the hand-set values).

    Example: parley workspaces situation 3hX9... --set cohesion=low --set spoilers=political
    """
    with reported():
        from parley.services.living_assessments import codes_of

        values = {name: codes_of(raw) for name, raw in _fields(value).items()}
        item = open_parley().living_assessments.set_situation(
            _actor(as_user), workspace_id, values, version=version)
        typer.echo(item.version)


@app.command("respond")
def respond(
    workspace_id: Annotated[str, typer.Argument(metavar="ID", help="Workspace id.")],
    guideline: Annotated[str, typer.Argument(help="The finding's guideline id.")],
    status: Annotated[str, typer.Option(help="open, addressed or accepted.")],
    item: Annotated[str | None, typer.Option(help="The item that addresses it.")] = None,
    reason: Annotated[str, typer.Option(help="Why (needed to accept).")] = "",
    as_user: AsUser = None,
) -> None:
    """Mark a finding of the living assessment.

    Example: parley workspaces respond 3hX9... leak-plan --status addressed --item Ct12...
    """
    with reported():
        open_parley().living_assessments.respond(_actor(as_user), workspace_id, guideline,
                                                 status, item, reason)
