"""The lazy entry point: `parley --help` lists every command without loading it; a command
named on the line loads alone; the whole app is still there for tests and completion."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from parley import __version__
from parley.cli import main
from parley.cli.main import COMMANDS, build, full_app, requested_command

PARLEY = str(Path(sys.executable).with_name("parley"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PARLEY, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", **env}, check=False)


def test_help_lists_every_command_with_its_line() -> None:
    out = run("--help")
    assert out.returncode == 0, out.stderr
    for name, command in COMMANDS.items():
        assert name in out.stdout
        assert command.help in out.stdout


def test_help_loads_no_command_module() -> None:
    probe = ("import sys; from parley.cli.main import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "loaded = sorted({c.module for c in __import__('parley.cli.main', fromlist=['x'])"
             ".COMMANDS.values()} & set(sys.modules))\n"
             "heavy = sorted(m for m in ('sqlalchemy', 'parley.bootstrap', 'numpy') "
             "if m in sys.modules)\n"
             "print(loaded, heavy, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.stderr.strip().endswith("[] []"), out.stderr


def test_a_command_loads_only_its_own_module() -> None:
    probe = ("import sys; from parley.cli.main import main\n"
             "try:\n    main(['db', '--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('parley.cli.') "
             "and m not in ('parley.cli.main', 'parley.cli.errors', 'parley.cli.context', "
             "'parley.cli.closing')), "
             "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.stderr.strip().endswith("['parley.cli.db']"), out.stderr


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_from_the_table(name: str) -> None:
    result = CliRunner().invoke(build([name]), [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: parley " + name in " ".join(result.output.split())


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.group])
def test_the_table_names_each_group_as_its_module_does(name: str) -> None:
    command = COMMANDS[name]
    group = getattr(importlib.import_module(command.module), command.attribute)
    assert isinstance(group, typer.Typer)
    assert group.info.help == command.help


def test_version_prints_and_exits_zero() -> None:
    out = run("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == __version__


def test_an_unknown_command_is_refused_with_exit_2() -> None:
    out = run("asess")
    assert out.returncode == 2
    assert "No such command 'asess'" in out.stderr


def test_an_unknown_language_is_refused_before_the_command_runs() -> None:
    out = run("--lang", "xx", "db", "--help")
    assert out.returncode == 2
    assert "unknown language 'xx'" in out.stderr


@pytest.mark.parametrize(("argv", "expected"), [
    ([], None), (["--help"], None), (["assess", "x.yaml"], "assess"),
    (["--lang", "es", "cases", "list"], "cases"), (["--lang=es", "qca"], "qca"),
    (["--version"], None), (["--", "assess"], None), (["nope"], "nope"),
])
def test_the_requested_command_is_found_after_the_root_options(
        argv: list[str], expected: str | None) -> None:
    assert requested_command(argv) == expected


def test_the_module_still_exposes_the_whole_app() -> None:
    app = main.app
    assert isinstance(app, typer.Typer)
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == set(COMMANDS)
    assert full_app().info.help == app.info.help


HEAVY = ("fastapi", "starlette", "sqlalchemy", "alembic", "pydantic", "pydantic_settings",
         "statsmodels", "scipy", "numpy", "pandas", "weasyprint", "docx", "jinja2", "yaml",
         "rich", "uvicorn", "psycopg", "babel", "networkx")


def test_bare_help_imports_no_heavy_library() -> None:
    """Issue 14: `parley --help` at most 0.3 s. Not timed here (the machine is shared): what
    made it slow was importing libraries, including Rich's help layout, so none may load."""
    probe = ("import sys; from parley.cli.main import main\n"
             "for argv in (['--help'], []):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=False)
    assert "Commands:" in out.stdout
    assert out.stderr.strip().endswith("[]"), out.stderr
