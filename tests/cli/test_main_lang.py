"""`parley --lang` and PARLEY_LANGUAGE (issue 13): human-readable output in Spanish, JSON keys in
English, an unknown language refused with exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_assess import SCENARIOS, db, run
from tests.support import run_cli

__all__ = ["db"]


def test_brief_in_spanish_with_lang(db: str) -> None:
    out = run(["--lang", "es", "assess", str(SCENARIOS / "good" / "gang-truce.yaml"),
               "-f", "md"], db)
    assert out.returncode == 0, out.stderr
    assert "## Riesgos principales" in out.stdout and "## Top risks" not in out.stdout
    english = run(["assess", str(SCENARIOS / "good" / "gang-truce.yaml"), "-f", "md"], db)
    assert "## Top risks" in english.stdout


def test_json_keys_stay_english(db: str) -> None:
    path = str(SCENARIOS / "good" / "gang-truce.yaml")
    spanish = json.loads(run(["--lang", "es", "assess", path], db).stdout)
    english = json.loads(run(["assess", path], db).stdout)
    assert spanish.keys() == english.keys()
    assert [f["id"] for f in spanish["findings"]] == [f["id"] for f in english["findings"]]
    assert {f["title"] for f in spanish["findings"]} != {f["title"] for f in english["findings"]}


def test_case_show_in_spanish_through_the_environment(db: str) -> None:
    out = run_cli(["cases", "show", "el-salvador-mara-truce-2012"],
                  {"PARLEY_DATABASE_URL": db, "PARLEY_LANGUAGE": "es-HN"})
    assert out.returncode == 0, out.stderr
    assert "El Salvador – Tregua entre maras" in out.stdout
    assert "evidencia" in out.stdout


@pytest.mark.parametrize("args", [["--lang", "fr", "cases", "list"]])
def test_an_unknown_language_exits_2(db: str, args: list[str]) -> None:
    out = run(args, db)
    assert out.returncode == 2
    assert "unknown language 'fr' (allowed: en, es)" in out.stderr
