"""Issue 11 at the command line: kinds, items added, listed and edited, a revocation decided,
the living assessment read and marked; bad input exits 2 naming the field, writing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from parley.bootstrap import Parley
from parley.domain.access import Role
from tests.support import build, user
from tests.support import run_cli as run


@pytest.fixture
def made(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    url = f"sqlite:///{tmp_path / 'parley.db'}"
    app: Parley = build(url, tmp_path)
    ana = user(app, "ana")
    user(app, "obs")
    ws = app.workspaces.create(ana, "Talks").id
    app.workspaces.set_member(ana, ws, "obs", Role.OBSERVER)
    app.close()
    yield {"PARLEY_DATABASE_URL": url,
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}, ws


def test_items_from_the_command_line(made: tuple[dict[str, str], str]) -> None:
    env, ws = made
    kinds = json.loads(run(["workspaces", "kinds", "--json"], env).stdout)
    assert "leniency-condition" in [k["kind"] for k in kinds]
    gang = run(["workspaces", "add", ws, "actor", "-F", "name=MS-13", "-F",
                "type=criminal-group", "-F", "spoiler_type=internal-factions",
                "-F", "interests=transfers;jobs"], env)
    assert gang.returncode == 0, gang.stderr
    bad = run(["workspaces", "add", ws, "actor", "-F", "name=X", "-F", "type=cartel"], env)
    assert bad.returncode == 2 and "type" in bad.stderr and "criminal-group" in bad.stderr
    denied = run(["workspaces", "add", ws, "note", "-F", "title=n", "--as", "obs"], env)
    assert denied.returncode != 0
    cond = run(["workspaces", "add", ws, "leniency-condition", "-F", "beneficiaries=Clique",
                "-F", "eligibility=register", "-F", "retention=no crime"], env).stdout.strip()
    breach = run(["workspaces", "add", ws, "breach", "-F", "date=2026-02-01", "-F",
                  "description=extortion", "-F", f"leniency_condition={cond}"], env)
    assert breach.returncode == 0, breach.stderr
    listed = json.loads(run(["workspaces", "items", ws, "--json"], env).stdout)
    by_id = {i["id"]: i for i in listed}
    assert by_id[gang.stdout.strip()]["fields"]["interests"] == ["transfers", "jobs"]
    version = by_id[cond]["version"]
    decided = run(["workspaces", "decide", ws, cond, "--breach", breach.stdout.strip(),
                   "--decision", "retain", "--reason", "isolated", "--version", str(version)],
                  env)
    assert decided.returncode == 0, decided.stderr
    stale = run(["workspaces", "edit", ws, cond, "--version", str(version), "-F",
                 "benefit=reduced sentences"], env)
    assert stale.returncode != 0 and "changed" in stale.stderr
    edited = run(["workspaces", "edit", ws, cond, "--version", decided.stdout.strip(), "-F",
                  "benefit=reduced sentences"], env)
    assert edited.returncode == 0, edited.stderr
    kept = json.loads(run(["workspaces", "items", ws, "--kind", "leniency-condition",
                           "--json"], env).stdout)[0]["fields"]
    assert kept["benefit"] == "reduced sentences" and kept["retention"] == "no crime"
    assert kept["revocations"][0]["decision"] == "retain"


def test_the_living_assessment_from_the_command_line(
        made: tuple[dict[str, str], str]) -> None:
    env, ws = made
    run(["workspaces", "add", ws, "demand", "-F", "code=end-extradition", "-F",
         "text=No extradition", "-F", "position=redline"], env)
    bad = run(["workspaces", "situation", ws, "--set", "cohesion=enormous"], env)
    assert bad.returncode == 2 and "cohesion" in bad.stderr
    assert run(["workspaces", "situation", ws, "--set", "cohesion=low"], env).returncode == 0
    found = json.loads(run(["workspaces", "assessment", ws, "--json"], env).stdout)
    assert "redlines-on-legal-demands" in [f["guideline"] for f in found["findings"]]
    marked = run(["workspaces", "respond", ws, "redlines-on-legal-demands", "--status",
                  "accepted", "--reason", "decided by cabinet"], env)
    assert marked.returncode == 0, marked.stderr
    text = run(["workspaces", "assessment", ws], env).stdout
    assert "[accepted] redlines-on-legal-demands" in text
