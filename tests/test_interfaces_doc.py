"""docs/interfaces.md is held to the code: the real CLI, the real OpenAPI, the real JSON.

A command, option, choice, route or JSON key added or removed without the document following
fails here, naming what differs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer

from parley.bootstrap import Parley
from parley.cli.main import full_app
from parley.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "interfaces.md"
PARLEY = str(Path(sys.executable).with_name("parley"))
HIDDEN = {"help", "install_completion", "show_completion"}


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells (a `\\|` inside a cell is a literal bar)."""
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def _rows(prefix: str) -> list[list[str]]:
    return [_cells(line) for line in DOC.read_text(encoding="utf-8").splitlines()
            if line.startswith(prefix)]


# --- the command line -----------------------------------------------------------------------

def _commands() -> dict[str, Any]:
    """Every runnable command of the real `parley`, by its full name."""
    found: dict[str, Any] = {}

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):
            if getattr(command, "invoke_without_command", False):
                found[" ".join(path)] = command
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    root = typer.main.get_command(full_app())
    for name, sub in root.commands.items():  # type: ignore[attr-defined]
        walk(sub, ["parley", name])
    return found


def _documented_commands() -> dict[str, list[str]]:
    return {row[0].strip("`"): re.findall(r"`([^`]+)`", row[1])
            for row in _rows("| `parley")}


def _choices(param: Any) -> set[str] | None:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {str(member.value) for member in annotation}
    return None


def test_every_command_is_documented_and_nothing_else() -> None:
    real, documented = set(_commands()), set(_documented_commands())
    assert real - documented == set(), "commands missing from docs/interfaces.md"
    assert documented - real == set(), "docs/interfaces.md lists commands that do not exist"


@pytest.mark.parametrize("name", sorted(_documented_commands()))
def test_arguments_options_and_choices_are_as_documented(name: str) -> None:
    command = _commands().get(name)
    if command is None:
        pytest.fail(f"{name}: documented but not a command")
    params = [p for p in command.params if p.name not in HIDDEN]
    seen: set[str] = set()
    for token in _documented_commands()[name]:
        word, _, value = token.partition(" ")
        if word.startswith("-"):
            matches = [p for p in params if word in (*p.opts, *p.secondary_opts)]
            assert matches, f"{name}: documents {word}, which it does not take"
            param = matches[0]
            choices = _choices(param)
            if choices is not None:
                assert set(value.split("|")) == choices, (
                    f"{name} {word}: documented as {value!r}, takes {'|'.join(sorted(choices))}")
        else:
            argument = word.removesuffix("...").lower().replace("-", "_")
            matches = [p for p in params
                       if p.param_type_name == "argument" and p.name == argument]
            assert matches, f"{name}: documents argument {word}, which it does not take"
        seen.add(matches[0].name)
    missing = [p.opts[0] if p.param_type_name == "option" else p.name.upper()
               for p in params if p.name not in seen]
    assert missing == [], f"{name}: takes {missing}, not in docs/interfaces.md"


# --- the HTTP API ---------------------------------------------------------------------------

def _response(operation: dict[str, Any]) -> tuple[str, str]:
    """The first 2xx status and what it returns: a schema name, media types, or none."""
    status = next(code for code in operation["responses"] if code.startswith("2"))
    content = operation["responses"][status].get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    shown = []
    if "$ref" in schema:
        shown.append(f"`{schema['$ref'].rsplit('/', 1)[-1]}`")
    elif schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        shown.append(f"`list of {schema['items']['$ref'].rsplit('/', 1)[-1]}`")
    elif schema:
        shown.append("`object`")
    shown += [f"`{media}`" for media in content if media != "application/json"]
    return status, ", ".join(shown) or "none"


def test_every_route_is_documented_with_its_response() -> None:
    spec = create_app(Parley.in_memory()).openapi()
    real = {(method.upper(), path): _response(op)
            for path, operations in spec["paths"].items()
            for method, op in operations.items()}
    documented = {(row[0], row[1].strip("`")): (row[2], row[3])
                  for row in _rows("| ") if row and row[0] in
                  {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    assert sorted(set(real) - set(documented)) == [], "routes missing from docs/interfaces.md"
    assert sorted(set(documented) - set(real)) == [], "docs/interfaces.md lists absent routes"
    wrong = {route: (documented[route], real[route]) for route in real
             if documented[route] != real[route]}
    assert wrong == {}, "documented (status, response) differs from the OpenAPI document"


# --- the JSON shapes ------------------------------------------------------------------------

def _blocks() -> dict[str, Any]:
    text = DOC.read_text(encoding="utf-8")
    return {name: json.loads(body) for name, body in
            re.findall(r"```json contract=(\w+)\n(.*?)\n```", text, flags=re.S)}


def shape_problems(doc: Any, real: Any, where: str = "$") -> Iterator[str]:
    """How `real` differs in shape from the documented example `doc` (see the doc's rules)."""
    if doc == "<any>":
        return
    if isinstance(doc, dict):
        if not isinstance(real, dict):
            yield f"{where}: documented an object, got {type(real).__name__}"
            return
        placeholders = [k for k in doc if k.startswith("<") and k.endswith(">")]
        if placeholders:
            for key, value in real.items():
                yield from shape_problems(doc[placeholders[0]], value, f"{where}.{key}")
            return
        required = {k for k in doc if not k.endswith("?")}
        optional = {k.removesuffix("?") for k in doc if k.endswith("?")}
        for key in sorted(required - set(real)):
            yield f"{where}: documented key {key!r} is missing"
        for key in sorted(set(real) - required - optional):
            yield f"{where}: key {key!r} is not documented"
        for key, value in real.items():
            documented = doc.get(key, doc.get(key + "?"))
            if documented is not None:
                yield from shape_problems(documented, value, f"{where}.{key}")
    elif isinstance(doc, list):
        if not isinstance(real, list):
            yield f"{where}: documented a list, got {type(real).__name__}"
            return
        if doc and isinstance(doc[0], (dict, list)):
            for i, element in enumerate(real):
                yield from shape_problems(doc[0], element, f"{where}[{i}]")
    elif isinstance(real, (dict, list)):
        yield f"{where}: documented a value, got {type(real).__name__}"


def test_shape_checker_catches_drift() -> None:
    documented = {"a": 1, "b?": [{"c": "x"}], "m": {"<k>": {"v": 0}}}
    assert list(shape_problems(documented, {"a": 2, "m": {"z": {"v": 1}}})) == []
    assert list(shape_problems(documented, {"a": 2, "m": {}, "new": 1})) == [
        "$: key 'new' is not documented"]
    assert list(shape_problems(documented, {"m": {"z": {}}, "b": [{"c": "y", "d": 1}]})) == [
        "$: documented key 'a' is missing", "$.m.z: documented key 'v' is missing",
        "$.b[0]: key 'd' is not documented"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the real `parley` prints for each documented shape (one database, subprocesses)."""
    folder = tmp_path_factory.mktemp("interfaces")
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{folder / 'parley.db'}",
           "PARLEY_MASTER_KEY_FILE": str(folder / "master.key"), "PARLEY_LANGUAGE": "en"}

    def run(*args: str) -> Any:
        done = subprocess.run([PARLEY, *args], capture_output=True, text=True, env=env,
                              timeout=300, check=False)
        assert done.returncode == 0, f"parley {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None

    run("db", "upgrade")
    fixtures = ROOT / "tests" / "analysis" / "qca" / "fixtures"
    return {
        "case": run("cases", "export", "--format", "json"),
        "assessment": run("assess", str(ROOT / "tests" / "data" / "scenarios" / "good" /
                                         "gang-truce.yaml"), "--format", "json"),
        "qca": run("qca", "--data", str(fixtures / "lipset_lf.csv"), "--case-id", "CASE",
                   "--outcome", "SURV", "--conditions", "DEV,URB,LIT,IND,STB",
                   "--incl-cut", "0.8", "--include-remainders",
                   "--dir-exp", "DEV=1,URB=1,LIT=1,IND=1,STB=1", "--necessity",
                   "--format", "json"),
        "evaluation": run("evaluate", "--format", "json"),
    }


def test_every_shape_is_checked() -> None:
    assert sorted(_blocks()) == ["assessment", "case", "evaluation", "qca"]


@pytest.mark.parametrize("name", ["case", "assessment", "qca", "evaluation"])
def test_the_real_json_has_the_documented_shape(name: str, outputs: dict[str, Any]) -> None:
    real = outputs[name]
    examples = real if name == "case" else [real]
    assert examples, f"{name}: the command printed nothing to compare"
    problems = [p for example in examples for p in shape_problems(_blocks()[name], example)]
    assert problems == [], f"docs/interfaces.md, contract={name}: " + "; ".join(problems[:10])
