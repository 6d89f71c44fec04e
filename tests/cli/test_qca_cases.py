"""`parley qca cases`: QCA over the case base from the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cases import run


def test_qca_cases_json_and_user_mapping(migrated_sqlite: str, tmp_path: Path) -> None:
    url = migrated_sqlite
    out = run(["qca", "cases", "--conditions", "MED,GOV,INC", "--include-remainders",
               "--format", "json"], url)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["conditions"] == ["MED", "GOV", "INC"] and body["unknown"]["policy"] == "excluded"
    mapping = tmp_path / "m.yaml"
    mapping.write_text("conditions:\n  EUR:\n    present_when: 'region = europe'\n"
                       "outcomes:\n  OK:\n    present_when: 'agreement_reached = yes'\n")
    mine = run(["qca", "cases", "--mapping", str(mapping), "--conditions", "EUR",
                "--outcome", "OK", "--format", "json"], url)
    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout)["conditions"] == ["EUR"]
    bad = run(["qca", "cases", "--conditions", "NOPE"], url)
    assert bad.returncode == 2 and "not in the mapping: NOPE" in bad.stderr


def test_qca_cases_table_warns_when_most_cases_are_left_out(migrated_sqlite: str) -> None:
    url = migrated_sqlite
    out = run(["qca", "cases", "--conditions", "MED,INC", "--include-remainders",
               "--format", "table"], url)
    assert out.returncode == 0, out.stderr
    flat = " ".join(out.stdout.split())
    assert "warning: 21 of 24 cases were left out" in flat
    assert "warning: only 3 cases for 2 conditions" in flat
