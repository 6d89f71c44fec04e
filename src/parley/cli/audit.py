"""`parley audit verify|checkpoint`: the operator's integrity tools (keys: see keys.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.bootstrap import Parley
from parley.cli.context import open_parley
from parley.cli.errors import escape, reported, stderr
from parley.domain.audit import ChainReport, Checkpoint, parse_checkpoints
from parley.domain.errors import ConfigurationError, InvalidInput
from parley.private_files import append_private, write_private

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)

ExpectHead = Annotated[list[Path] | None, typer.Option(
    "--expect-head", metavar="FILE",
    help="Checkpoint file(s) written by `parley audit checkpoint`: every checkpoint in them "
         "must still be in the log (detects deleted entries and a rolled-back database).")]
AppendTo = Annotated[Path | None, typer.Option(
    "--append", metavar="FILE", help="Append a signed checkpoint of the head to FILE (created "
    "0600) after a successful check.")]


@app.command("verify")
def verify(expect_head: ExpectHead = None, append: AppendTo = None,
           structure_only: Annotated[bool, typer.Option(
               "--structure-only", help="Check only sequence and links, without the master "
               "key (MACs and signatures unchecked; exit 0 if the structure holds).")] = False,
           ) -> None:
    """Check the audit chain: every entry's MAC and link, the signed head, and that every
    workspace and user has its creation entry. Exit 1 naming each bad entry.

    With PARLEY_AUDIT_CHECKPOINT_FILE set, that file is also checked (if it exists) and a new
    checkpoint appended to it.

    Example: parley audit verify --expect-head /mnt/offsite/parley.checkpoints \\
               --append /mnt/offsite/parley.checkpoints
    """
    with reported():
        parley = open_parley(check_keys=False)  # forensic: the structure needs no key
        auto = parley.settings.audit_checkpoint_file
        files = list(expect_head or []) + ([auto] if auto is not None and auto.exists() else [])
        expect = [cp for f in files for cp in _read_checkpoints(f)]
        report = parley.audit.verify(expect, use_key=not structure_only)
        _print_problems(report)
        if expect and not report.keyed:
            stderr.print("audit log not verified: the checkpoints' signatures cannot be checked "
                         f"without the audit key ({escape(report.note)})")
            raise typer.Exit(1)
        summary = _summary(report)
        if not report.keyed and report.anchor is not None:
            typer.echo(f"structure {summary}")
            stderr.print(f"warning: {escape(report.note)}")
            raise typer.Exit(0 if structure_only else 1)
        typer.echo(summary)
        if not report.keyed:
            stderr.print(f"warning: {escape(report.note)}; unkeyed entries prove nothing "
                         "against someone who can write to the database")
        _write_checkpoint(report, parley, append=append)


@app.command("checkpoint")
def checkpoint(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="Write the checkpoint to FILE (0600, replaced).")
    ] = None,
    append: AppendTo = None,
) -> None:
    """Verify the chain, then sign a checkpoint of its head: one JSON line with count, head
    MAC, time and signature. Keep it outside the server; `verify --expect-head` checks it.

    Example: parley audit checkpoint --append /mnt/offsite/parley.checkpoints
    """
    with reported():
        if output is not None and append is not None:
            raise InvalidInput("--output and --append: give one of them")
        parley = open_parley()
        parley.audit.start()  # right after an upgrade: anchor the unkeyed entries first
        report = parley.audit.verify()
        _print_problems(report)
        if not report.keyed:
            raise ConfigurationError(f"no checkpoint: {report.note}")
        _write_checkpoint(report, parley, append=append, output=output,
                          stdout=output is None and append is None)
        typer.echo(_summary(report), err=True)


def _read_checkpoints(path: Path) -> list[Checkpoint]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"--expect-head {path}: cannot read it ({exc})") from None
    return parse_checkpoints(text, str(path))


def _print_problems(report: ChainReport) -> None:
    if report.ok:
        return
    first = report.problems[0]
    where = f" at entry {first.position} (seq {first.seq})" if first.position else ""
    stderr.print(f"audit log broken{where}: {escape(first.reason)}")
    for problem in report.problems[1:]:
        stderr.print(f"  also {escape(str(problem))}")
    if report.more:
        stderr.print(f"  ... and {report.more} more problem(s)")
    total = len(report.problems) + report.more
    stderr.print(f"{total} problem(s) in {report.count} entries"
                 + ("" if report.keyed else f"; {escape(report.note)}"))
    raise typer.Exit(1)


def _summary(report: ChainReport) -> str:
    text = f"ok: {report.count} entries, chain head {report.head}"
    if report.count == 0:
        return text + " (nothing has been audited yet)"
    parts = []
    if report.anchor is not None:
        parts.append(f"keyed from seq {report.anchor}")
    if report.legacy:
        parts.append(f"{report.legacy} unkeyed from before the upgrade")
    if report.keyed:
        parts.append("signed head matches")
    if report.checkpoints:
        parts.append(f"{report.checkpoints} checkpoint(s) match")
    return text + f" ({'; '.join(parts)})"


def _write_checkpoint(report: ChainReport, parley: Parley, *, append: Path | None = None,
                      output: Path | None = None, stdout: bool = False) -> None:
    if report.checkpoint is None:
        return
    line = report.checkpoint.text()
    targets = [p for p in (append, parley.settings.audit_checkpoint_file) if p is not None]
    try:
        if output is not None:
            write_private(output, line + "\n")
        for path in dict.fromkeys(targets):
            append_private(path, line)
    except OSError as exc:
        raise ConfigurationError(f"cannot write the checkpoint: {exc}") from None
    if stdout:
        typer.echo(line)
