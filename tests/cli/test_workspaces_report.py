"""`parley workspaces report`: the operator's report and a member's (their clearance), in each
format, written 0600; bad options exit 2 naming them."""

from __future__ import annotations

import io
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from parley.bootstrap import Parley
from parley.domain.access import Classification, Role
from parley.domain.workspace import ItemKind
from tests.support import build, user
from tests.support import run_cli as run

SECRET = "Transfer of the leaders to a lower-security prison"


@pytest.fixture
def made(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    app: Parley = build(url, tmp_path)
    ana = user(app, "ana")
    user(app, "obs")
    ws = app.workspaces.create(ana, "Diálogo de Támara").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    app.workspaces.create_item(ana, ws, ItemKind.COMMITMENT, Classification.SECRET,
                               {"text": SECRET, "status": "agreed"})
    app.workspaces.create_item(ana, ws, ItemKind.COMMITMENT, Classification.PUBLIC,
                               {"text": "Open the football pitch", "status": "fulfilled"})
    app.close()
    yield {"PARLEY_DATABASE_URL": url,
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}, ws


def test_the_operator_gets_everything_as_html_on_stdout(
        made: tuple[dict[str, str], str]) -> None:
    env, ws = made
    out = run(["workspaces", "report", ws], env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("<!doctype html>")
    assert SECRET in out.stdout and "SECRET" in out.stdout


def test_a_member_gets_their_clearance_as_pdf_written_private(
        made: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, ws = made
    out = run(["workspaces", "report", ws, "--format", "pdf", "--as", "obs", "--paper",
               "Letter", "-o", str(tmp_path)], env)
    assert out.returncode == 0, out.stderr
    written = next(tmp_path.glob("parley-report-dialogo-de-tamara-*.pdf"))
    assert f"wrote the pdf report to {written}" in out.stderr
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(written.read_bytes())).pages)
    assert "Open the football pitch" in text
    assert SECRET not in text and "SECRET" not in text


def test_docx_to_a_named_file(made: tuple[dict[str, str], str], tmp_path: Path) -> None:
    import docx

    env, ws = made
    target = tmp_path / "r.docx"
    out = run(["workspaces", "report", ws, "-f", "docx", "-o", str(target)], env)
    assert out.returncode == 0, out.stderr
    doc = docx.Document(str(target))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert SECRET in cells
    assert doc.sections[0].header.paragraphs[0].text == "SECRET"


@pytest.mark.parametrize(("args", "message", "code"), [
    (["--paper", "A5"], "--paper: 'A5'; allowed: A4, Letter", 2),
    (["--format", "odt"], "'odt' is not one of", 2),
    (["--as", "nobody"], "no workspace", 2),
])
def test_bad_options_are_named(made: tuple[dict[str, str], str], args: list[str],
                               message: str, code: int) -> None:
    env, ws = made
    out = run(["workspaces", "report", ws, *args], env)
    assert out.returncode == code
    assert message in " ".join((out.stderr + out.stdout).split())
