"""Issue 8, item 1: "Anyone without an account can rewrite the case base."

The attack as reported: `curl -F files=@edited-case.yaml 'http://HOST/api/cases/import?replace=true'`
with a bundled case whose one value is changed answered 201; the case's origin became `user`,
the assessment changed, nothing was audited, and `parley db upgrade` kept the change. Here the
same multipart request, anonymous, as a signed-in user and as a curator, on SQLite and
PostgreSQL; then the state that request left in the database before the fix, and
`parley db upgrade` restoring it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text

from parley.bootstrap import Parley
from parley.domain.access import OPERATOR
from parley.domain.account import SYSTEM
from parley.domain.audit import AuditEntry
from parley.domain.case import Case, parse_case
from parley.domain.scenario import scenario_from_case
from parley.knowledge.loader import bundled_case_files
from parley.knowledge.outlook_conditions import load_outlook_settings
from parley.knowledge.weights import load_similarity_weights
from parley.services.assessments import Assessments
from parley.storage.cases import CaseRecords
from parley.web.app import create_app
from tests.fakes.case_base import FakeCaseBase
from tests.support import PARLEY, build, user

CASE_ID = "jamaica-august-town-truce-2008"
ORIGINAL = next(f for f in bundled_case_files() if f.name == f"{CASE_ID}.yaml").read_text(
    encoding="utf-8")
EDITED = ORIGINAL.replace("  outcome_class:\n    value: temporary-reduction",
                          "  outcome_class:\n    value: lasting-reduction", 1)
"""The bundled file with one value changed, as the attacker's `edited-case.yaml`."""


@dataclass
class World:
    app: Parley
    client: TestClient
    key_file: Path
    scenario: dict[str, Any]


@pytest.fixture(scope="module")
def world(web_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("attack")
    app = build(web_database, tmp)
    app.upgrade()  # as `parley serve` does: the bundled cases are loaded
    user(app, "mallory")
    user(app, "cora")
    app.accounts.set_curator(SYSTEM, "cora", True)
    case = app.cases.get(CASE_ID).case
    scenario = {k: (list(v) if isinstance(v, tuple) else v)
                for k, v in scenario_from_case(case, app.codebook).values.items()
                if v != "unknown" and str(v) != "unknown"}
    with TestClient(create_app(app), follow_redirects=False) as client:
        yield World(app, client, tmp / "master.key", {"title": "Attack check", **scenario})
    app.close()


def _token(w: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.app.accounts.create_token(SYSTEM, name).secret}"}


def _attack(w: World, headers: dict[str, str] | None = None) -> Any:
    """The issue's request: multipart field `files`, file edited-case.yaml, replace=true."""
    return w.client.post("/api/cases/import?replace=true", headers=headers or {},
                         files=[("files", ("edited-case.yaml", EDITED.encode(),
                                            "application/octet-stream"))])


def _entries(w: World) -> list[AuditEntry]:
    with w.app.vault.read() as tx:
        return tx.audit.audit_entries()


def _state(w: World) -> tuple[Any, Any, int]:
    """What the attack would change: the case as served, the assessment, the audit length."""
    case = w.client.get(f"/api/cases/{CASE_ID}").json()
    assessment = w.client.post("/api/assess", json=w.scenario).json()
    return case, assessment, len(_entries(w))


def _bundled(w: World) -> Case:
    return parse_case(yaml.safe_load(ORIGINAL), w.app.codebook)


def test_the_edit_would_change_the_assessment(world: World) -> None:
    """The edited file matters: with it in the case base, the same scenario's outlook moves
    (so "assessment unchanged" below is a real check)."""
    edited = parse_case(yaml.safe_load(EDITED), world.app.codebook)
    cases = [edited if c.id == CASE_ID else c
             for c in world.app.cases.seen_by(OPERATOR).export()]

    other = Assessments(FakeCaseBase(cases), world.app.codebook, world.app.guidelines,
                        load_similarity_weights(world.app.codebook),
                        load_outlook_settings(world.app.codebook), background=False)
    scenario = scenario_from_case(_bundled(world), world.app.codebook)
    assert (other.assess(scenario).outlook.distribution
            != world.app.assessments.assess(scenario).outlook.distribution)


def test_anonymous_import_with_replace_is_401_and_changes_nothing(world: World) -> None:
    before = _state(world)
    r = _attack(world)
    assert r.status_code == 401, r.text
    assert "sign in" in r.json()["error"]["message"]
    assert _state(world) == before
    stored = world.app.cases.get(CASE_ID)
    assert stored.origin == "bundled" and stored.case == _bundled(world)


def test_a_signed_in_user_who_is_no_curator_gets_403_and_changes_nothing(world: World) -> None:
    auth = _token(world, "mallory")
    before = _state(world)
    r = _attack(world, auth)
    assert r.status_code == 403, r.text
    assert "curator" in r.json()["error"]["message"]
    assert _state(world) == before


def test_a_curator_cannot_replace_edit_hide_or_delete_a_bundled_case(world: World) -> None:
    auth = _token(world, "cora")
    before = _state(world)
    r = _attack(world, auth)
    assert r.status_code == 400, r.text
    problem = r.json()["error"]["problems"][0]
    assert problem["case"] == CASE_ID and problem["field"] == "id"
    assert "is a bundled case: bundled cases change only through a Parley release and " \
           "`parley db upgrade`" in problem["message"]
    version = before[0]["version"]
    edit = world.client.put(f"/api/cases/{CASE_ID}?version={version}", headers=auth,
                            json=yaml.safe_load(EDITED))
    delete = world.client.delete(f"/api/cases/{CASE_ID}?version={version}", headers=auth)
    hide = world.client.put(f"/api/cases/{CASE_ID}/visibility", headers=auth,
                            json={"visibility": "private"})
    for refused in (edit, delete, hide):
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["message"].startswith(
            f"case '{CASE_ID}' is a bundled case: bundled cases change only through a Parley "
            "release")
    assert _state(world) == before


def test_db_upgrade_restores_a_bundled_case_the_old_attack_replaced(world: World) -> None:
    """The database as the reported request left it (the edited document and index rows,
    origin `user`): `parley db upgrade` brings the bundled file back, and says so in the
    audit chain, which still verifies."""
    before = _state(world)
    with world.app.db.write() as s:
        CaseRecords(s, world.app.codebook).replace(parse_case(yaml.safe_load(EDITED),
                                                              world.app.codebook))
        s.execute(text("UPDATE cases SET origin = 'user' WHERE id = :id"), {"id": CASE_ID})
    tampered = _state(world)
    assert tampered[0]["origin"] == "user" and tampered[1] != before[1]
    env = {**{k: v for k, v in os.environ.items()
              if not k.startswith("PARLEY_") or k == "PARLEY_SOURCES"},
           "PARLEY_DATABASE_URL": world.app.settings.database_url,
           "PARLEY_MASTER_KEY_FILE": str(world.key_file)}

    def parley(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PARLEY, *args], capture_output=True, text=True, env=env,
                              timeout=120, check=False)

    upgraded = parley("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"restored 1 bundled case(s) changed outside a release to their bundled files: " \
           f"{CASE_ID}" in upgraded.stderr
    case, assessment, _ = _state(world)
    assert case.pop("version") > before[0]["version"]  # rewritten: a new version
    assert (case, assessment) == ({k: v for k, v in before[0].items() if k != "version"},
                                  before[1])
    assert world.app.cases.get(CASE_ID).case == _bundled(world)
    entry = _entries(world)[-1]
    assert entry.event == "bundled.synced" and entry.actor.startswith("cli:")
    assert entry.details["restored"] == [CASE_ID] and entry.details["updated"] == []
    again = parley("db", "upgrade")
    assert "0 updated" in again.stderr and "restored" not in again.stderr
    assert len(_entries(world)) == before[2] + 1  # nothing to restore: no entry
    verified = parley("audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok:"), verified.stderr
