"""The `parley` cases commands as a user runs them: output formats, exit codes, all-or-nothing
import."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import migrated_copy
from tests.support import PARLEY, Ran, run_cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "cases"


def run(args: list[str], db: str, stdin: str | None = None) -> Ran:
    """`parley ARGS` on `db`, in-process (`test_help_has_examples` runs the installed entry
    point)."""
    return run_cli(args, {"PARLEY_DATABASE_URL": db}, stdin)


@pytest.fixture(scope="module")
def db(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_copy(migrated_template, tmp_path_factory.mktemp("cli"))


def test_upgrade_reports_what_it_did(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    first = run(["db", "upgrade"], url)
    assert first.returncode == 0
    assert "28 case(s) added" in first.stderr
    second = run(["db", "upgrade"], url)
    assert "0 case(s) added, 0 updated, 28 unchanged" in second.stderr


def test_list_ids_with_where(db: str) -> None:
    out = run(["cases", "list", "--where", "region = europe", "--format", "ids"], db)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["denmark-motorcycle-gang-truce", "italy-trattativa-stato-mafia",
                                  "norway-oslo-police-dialogue-1997",
                                  "spain-gang-legalisation-2003"]


def test_bad_where_exits_2_pointing_at_the_token(db: str) -> None:
    out = run(["cases", "list", "--where", "outcome_class = lasting", "--format", "ids"], db)
    assert out.returncode == 2
    assert "'lasting' is not a code of outcome_class; allowed: no-deal" in out.stderr
    assert "                  ^" in out.stderr
    assert out.stdout == ""


def test_search_json(db: str) -> None:
    out = run(["cases", "search", "pirates", "--format", "json"], db)
    data = json.loads(out.stdout)
    assert data["cases"][0]["id"] == "bangladesh-sundarbans-pirates-2016"
    assert "[" in data["cases"][0]["snippet"]


def test_show_missing_case_exits_2(db: str) -> None:
    out = run(["cases", "show", "atlantis"], db)
    assert out.returncode == 2
    assert "no case with id 'atlantis'" in out.stderr


def test_show_table_has_values_and_evidence(db: str) -> None:
    out = run(["cases", "show", "el-salvador-mara-truce-2012"], db)
    assert out.returncode == 0
    assert "secrecy" in out.stdout and "unknown" in out.stdout


def test_export_csv_one_row_per_case(db: str) -> None:
    out = run(["cases", "export", "--format", "csv"], db)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 29
    assert lines[0].startswith("id,title,parent,country,locality,region")


def test_import_bad_file_exits_2_and_changes_nothing(db: str) -> None:
    before = run(["cases", "list", "--format", "ids"], db).stdout
    out = run(["cases", "import", str(DATA / "good" / "my-august-town-case.yaml"),
               str(DATA / "bad" / "unknown-code.yaml")], db)
    assert out.returncode == 2
    assert "field 'secrecy': 'sekret' is not a code of secrecy" in out.stderr
    assert run(["cases", "list", "--format", "ids"], db).stdout == before


def test_export_then_import_round_trips(db: str, tmp_path: Path) -> None:
    exported = tmp_path / "all.json"
    assert run(["cases", "export", "--format", "json", "-o", str(exported)], db).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run(["db", "upgrade"], other).returncode == 0
    assert run(["cases", "export", "--format", "json"], other).stdout == exported.read_text()
    # every id is a bundled case's: bundled cases change only through a release, even from
    # the command line; nothing changes
    for args in (["cases", "import"], ["cases", "import", "--replace"]):
        refused = run([*args, str(exported)], other)
        assert refused.returncode == 2
        assert ("case 'el-salvador-mara-truce-2012', field 'id': is a bundled case: bundled "
                "cases change only through a Parley release") in refused.stderr
    # a user's case round-trips
    assert run(["cases", "import", str(DATA / "good" / "my-august-town-case.yaml")],
               other).returncode == 0
    everything = json.loads(run(["cases", "export", "--format", "json"], other).stdout)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps([c for c in everything if c["id"] == "my-august-town-case"]))
    third = f"sqlite:///{tmp_path / 'third.db'}"
    assert run(["cases", "import", str(mine)], third).returncode == 0
    again = json.loads(run(["cases", "export", "--format", "json"], third).stdout)
    assert [c for c in again if c["id"] == "my-august-town-case"] == json.loads(mine.read_text())


def test_import_a_users_case(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    out = run(["cases", "import", str(DATA / "good" / "my-august-town-case.yaml")], url)
    assert out.returncode == 0, out.stderr
    listed = run(["cases", "list", "--where", "security_dilemma = yes", "--format", "ids"], url)
    assert "my-august-town-case" in listed.stdout.split()


def test_help_has_examples() -> None:
    out = subprocess.run([PARLEY, "cases", "list", "--help"], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200"})
    assert "Example:" in out.stdout


def test_the_operator_imports_publishes_and_deletes_audited(tmp_path: Path) -> None:
    import getpass
    import sqlite3

    url = f"sqlite:///{tmp_path / 'p.db'}"
    mine = str(DATA / "good" / "my-august-town-case.yaml")
    out = run(["cases", "import", mine, "--visibility", "private"], url)
    assert out.returncode == 0 and "imported 1 case(s) (private)" in out.stderr, out.stderr
    assert "private" in run(["cases", "show", "my-august-town-case"], url).stdout
    shown = run(["cases", "visibility", "my-august-town-case", "public"], url)
    assert shown.returncode == 0 and "is now public" in shown.stderr
    refused = run(["cases", "delete", "el-salvador-mara-truce-2012"], url)
    assert refused.returncode == 2
    assert ("case 'el-salvador-mara-truce-2012' is a bundled case: bundled cases change only "
            "through a Parley release") in refused.stderr
    assert run(["cases", "delete", "my-august-town-case"], url).returncode == 0
    assert run(["cases", "show", "my-august-town-case"], url).returncode == 2
    made = run(["users", "create", "ana", "--curator", "--password-stdin"], url,
               "a long enough password\n")
    assert made.returncode == 0 and "created curator ana" in made.stderr
    assert "ana\tcurator\t" in run(["users", "list"], url).stdout
    assert "no curator" in run(["users", "curator", "ana", "--off"], url).stderr
    assert "ana\tuser\t" in run(["users", "list"], url).stdout
    verified = run(["audit", "verify"], url)
    assert verified.returncode == 0 and verified.stdout.startswith("ok:"), verified.stderr
    with sqlite3.connect(tmp_path / "p.db") as conn:
        rows = conn.execute("SELECT actor, event FROM audit_log ORDER BY seq").fetchall()
    operator = f"cli:{getpass.getuser()}"
    assert [r for r in rows if r[1].startswith("case")] == [
        (operator, "cases.imported"), (operator, "case.visibility_changed"),
        (operator, "case.deleted")]
    assert ("system", "user.role_changed") in rows


def test_export_datapackage_needs_a_file_and_writes_a_zip(db: str, tmp_path: Path) -> None:
    refused = run(["cases", "export", "--format", "datapackage"], db)
    assert refused.returncode == 2 and "give -o FILE.zip" in refused.stderr
    out = tmp_path / "cases.zip"
    done = run(["cases", "export", "--format", "datapackage", "--where", "region = europe",
                "-o", str(out)], db)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as z:
        meta = json.loads(z.read("datapackage.json"))
        rows = z.read("cases.csv").decode().strip().splitlines()
    assert "Selection: region = europe" in meta["description"]
    assert len(rows) - 1 == 4
