"""Error messages in the reader's language (issue 13, item 4): each user-facing error carries a
stable code and its values; the web and the CLI say it through the catalog. English stays
byte-identical (the other tests' exact texts); Spanish readers get Spanish, same codes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.account import Principal
from parley.web.app import create_app
from tests.support import run_cli as run
from tests.support import user

SPANISH = {"Accept-Language": "es-HN,es;q=0.9"}


def test_a_where_error_in_spanish_with_the_same_code_and_position(client: TestClient) -> None:
    english = client.get("/api/cases", params={"where": "region = mars"}).json()["error"]
    spanish = client.get("/api/cases", params={"where": "region = mars"},
                         headers=SPANISH).json()["error"]
    assert english["message"].startswith("'mars' is not a code of region; allowed: ")
    assert spanish["message"].startswith("'mars' no es un código de region; se admiten: ")
    assert english["code"] == spanish["code"] == "query.not-a-code"
    assert english["position"] == spanish["position"] == 9
    page = client.get("/cases", params={"where": "cohesion = sky"}, headers=SPANISH).text
    assert "&#39;sky&#39; no es un código de cohesion" in page


def test_a_search_syntax_error_in_spanish(client: TestClient) -> None:
    spanish = client.get("/api/cases", params={"q": "-iglesia"}, headers=SPANISH)
    assert spanish.status_code == 400
    error = spanish.json()["error"]
    assert error["code"] == "search.only-excluded"
    assert error["message"].startswith("una búsqueda necesita una palabra que encontrar")
    page = client.get("/cases", params={"q": "tregua OR"}, headers=SPANISH).text
    assert "OR necesita palabras a ambos lados" in page


def test_scenario_field_errors_in_spanish(client: TestClient) -> None:
    bad = {"cohesion": "total", "cohesoin": "high", "title": ""}
    english = client.post("/api/assess", json=bad).json()["error"]["problems"]
    spanish = client.post("/api/assess", json=bad, headers=SPANISH).json()["error"]["problems"]
    assert [p["code"] for p in spanish] == [p["code"] for p in english]
    by_field = {p["field"]: p["message"] for p in spanish}
    assert by_field["cohesion"].startswith("'total' no es un código de cohesion; se admiten: ")
    assert "(¿quiso decir cohesion?)" in by_field["cohesoin"]
    assert by_field["title"] == "el título debe ser un texto de 1 a 300 caracteres"
    assert {p["field"]: p["message"] for p in english}["title"] == \
        "title must be text of 1 to 300 characters"


def test_workspace_item_field_errors_in_spanish(parley_app: Parley) -> None:
    user(parley_app, "rosa")
    owner = Principal("rosa")
    ws = parley_app.workspaces.create(owner, "Tegucigalpa")
    token = parley_app.accounts.create_token(owner, "rosa").secret
    api = TestClient(create_app(parley_app), headers={"Authorization": f"Bearer {token}"})
    body = {"kind": "commitment", "classification": "restricted",
            "fields": {"text": "x", "status": "agreed", "deadline": "mañana", "bogus": 1}}
    spanish = api.post(f"/api/workspaces/{ws.id}/items", json=body, headers=SPANISH)
    assert spanish.status_code == 400, spanish.text
    problems = {p["field"]: p for p in spanish.json()["error"]["problems"]}
    assert problems["bogus"]["message"].startswith("campo desconocido para commitment; ")
    assert problems["deadline"]["message"] == "'mañana' no es una fecha AAAA-MM-DD"
    assert problems["deadline"]["code"] == "field.not-a-date"
    english = api.post(f"/api/workspaces/{ws.id}/items", json=body).json()["error"]
    assert {p["field"]: p["message"] for p in english["problems"]}["deadline"] == \
        "'mañana' is not a date YYYY-MM-DD"


def test_the_cli_says_errors_in_spanish(tmp_path: Path) -> None:
    env = {"PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
           "PARLEY_MASTER_KEY_FILE": str(tmp_path / "master.key")}
    assert run(["db", "upgrade"], env).returncode == 0  # a read command never migrates
    english = run(["cases", "list", "--where", "region = mars"], env)
    spanish = run(["--lang", "es", "cases", "list", "--where", "region = mars"], env)
    assert english.returncode == spanish.returncode == 2
    assert "'mars' is not a code of region" in english.stderr
    assert "'mars' no es un código de region" in spanish.stderr
    assert "region = mars" in spanish.stderr and "^" in spanish.stderr  # the pointer stays
    scenario = tmp_path / "s.yaml"
    scenario.write_text("cohesion: total\n")
    refused = run(["--lang", "es", "assess", str(scenario)], env)
    assert refused.returncode == 2
    assert f"{scenario}:1: campo 'cohesion': 'total' no es un código de cohesion" in \
        refused.stderr
