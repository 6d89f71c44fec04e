"""The JSON API: filters, search, cases, comparison, import and its bad input, headers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.domain.account import SYSTEM
from tests.support import PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data" / "cases"


def test_list_with_filter_and_facets(client: TestClient) -> None:
    r = client.get("/api/cases", params={"where": "region = europe", "facet": ["outcome_class"]})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 4
    assert sum(body["facets"]["outcome_class"].values()) == 4


def test_bad_where_is_400_with_position(client: TestClient) -> None:
    r = client.get("/api/cases", params={"where": "region = mars"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["position"] == 9
    assert "'mars' is not a code of region; allowed: latin-america, caribbean" in err["message"]


def test_search_highlights_escaped(client: TestClient) -> None:
    r = client.get("/api/cases", params={"q": "pirates"})
    first = r.json()["cases"][0]
    assert first["id"] == "bangladesh-sundarbans-pirates-2016"
    assert "<mark>" in first["snippet"]


def test_case_and_missing_case(client: TestClient) -> None:
    r = client.get("/api/cases/brazil-prison-gangs")
    body = r.json()
    assert body["children"] == ["brazil-amazonas-prisons-2017", "brazil-parana-prisons-2014"]
    assert body["values"]["region"]["evidence"][0]["source"] == "ifit-2021"
    missing = client.get("/api/cases/atlantis")
    assert missing.status_code == 404
    assert "no case with id 'atlantis'" in missing.json()["error"]["message"]


def test_compare(client: TestClient) -> None:
    r = client.get("/api/compare", params={"ids": ["denmark-motorcycle-gang-truce",
                                                   "norway-oslo-police-dialogue-1997"]})
    assert r.status_code == 200
    assert "country" in r.json()["differing"]
    assert client.get("/api/compare", params={"ids": ["denmark-motorcycle-gang-truce"]}
                      ).status_code == 400


def test_import_bad_upload_changes_nothing(client: TestClient, parley_app: Parley) -> None:
    parley_app.accounts.create_user(SYSTEM, "api-curator", PASSWORD, curator=True)
    auth = {"Authorization": "Bearer "
            + parley_app.accounts.create_token(SYSTEM, "api-curator").secret}
    total = client.get("/api/cases", headers=auth).json()["total"]
    good = (DATA / "good" / "my-august-town-case.yaml").read_bytes()
    bad = (DATA / "bad" / "unknown-code.yaml").read_bytes()
    r = client.post("/api/cases/import", headers=auth,
                    files=[("files", ("mine.yaml", good)), ("files", ("bad.yaml", bad))])
    assert r.status_code == 400
    assert r.json()["error"]["problems"][0]["field"] == "secrecy"
    binary = client.post("/api/cases/import", headers=auth,
                         files=[("files", ("x.yaml", b"\x00\x01\x02"))])
    assert binary.status_code == 400 and "binary" in binary.json()["error"]["message"]
    huge = client.post("/api/cases/import", headers=auth,
                       files=[("files", ("big.yaml", b"a: b\n" * 20000))])
    assert huge.status_code == 413
    assert client.get("/api/cases", headers=auth).json()["total"] == total
    ok = client.post("/api/cases/import", headers=auth, files=[("files", ("mine.yaml", good))])
    assert ok.status_code == 201 and ok.json() == {"imported": ["my-august-town-case"]}
    assert client.get("/api/cases", headers=auth).json()["total"] == total + 1
    dup = client.post("/api/cases/import", headers=auth, files=[("files", ("mine.yaml", good))])
    assert dup.status_code == 400 and "already exists" in dup.text


def test_openapi_and_docs_are_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/cases" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "http" not in docs.replace("http-equiv", "")


def test_pages_have_no_external_assets_and_security_headers(client: TestClient) -> None:
    for path in ("/cases", "/cases/el-salvador-mara-truce-2012", "/codebook",
                 "/compare?ids=haiti-incentives-ngo&ids=haiti-humanitarian-access-ngo"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert 'src="http' not in r.text and 'href="http' not in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_unknown_is_shown_as_unknown(client: TestClient) -> None:
    page = client.get("/cases/italy-trattativa-stato-mafia").text
    assert '<span class="unknown">unknown</span>' in page
    assert "the paper is silent" in page


def test_search_text_is_escaped_in_pages(client: TestClient) -> None:
    page = client.get("/cases", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_bad_where_in_page_is_shown_not_crashing(client: TestClient) -> None:
    r = client.get("/cases", params={"where": "cohesion = sky"})
    assert r.status_code == 200
    assert "is not a code of cohesion" in r.text


def test_htmx_request_gets_the_fragment(client: TestClient) -> None:
    r = client.get("/cases", params={"q": "prison"}, headers={"HX-Request": "true"})
    assert "<html" not in r.text and 'id="total"' in r.text


def test_nul_in_an_id_is_422_not_500(client: TestClient) -> None:
    """Schemathesis found `GET /api/compare?ids=%00` answering 500 on PostgreSQL, which refuses
    NUL in text parameters; every URL with a NUL is now a 422 naming the parameter, on both databases."""
    for url in ("/api/compare?ids=%00&ids=x", "/api/cases/%00", "/cases?q=a%00b"):
        response = client.get(url)
        assert response.status_code == 422, (url, response.status_code)
        assert "NUL" in response.text
