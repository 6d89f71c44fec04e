"""The interface in the reader's language (issue 13): chosen by the switch's cookie, else
Accept-Language (es-HN -> es), else PARLEY_LANGUAGE; `lang` right; a switch on every page;
English stays the default."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parley.bootstrap import Parley
from parley.config import Settings
from parley.web.app import create_app
from parley.web.language import choose_language, safe_next
from tests.support import TEST_MASTER_KEY

SPANISH = {"Accept-Language": "es-HN,es;q=0.9,en;q=0.8"}
PAGES = ["/cases", "/cases/el-salvador-mara-truce-2012", "/codebook", "/assess", "/analysis",
         "/analysis/qca", "/analysis/calibrate", "/login", "/compare?ids=a"]


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_in_the_browsers_language(client: TestClient, path: str) -> None:
    english = client.get(path)
    spanish = client.get(path, headers=SPANISH)
    assert _lang(english.text) == "en" and _lang(spanish.text) == "es"
    assert spanish.headers["content-language"] == "es"
    assert 'id="language-switch"' in spanish.text and 'id="language-switch"' in english.text
    assert "Libro de códigos" in spanish.text and "Libro de códigos" not in english.text


def test_the_case_page_in_spanish(client: TestClient) -> None:
    page = client.get("/cases/el-salvador-mara-truce-2012", headers=SPANISH).text
    assert "El Salvador – Tregua entre maras" in page
    assert "negoció en secreto una tregua" in page
    assert "variables codificadas a partir del estudio" in page
    # the paper's quotes stay verbatim, in English
    assert "“The government secretly negotiated a truce in 2012" in page


def test_search_in_spanish_on_the_page(client: TestClient) -> None:
    page = client.get("/cases", params={"q": "tregua de pandillas"}, headers=SPANISH).text
    assert "El Salvador – Tregua entre maras" in page
    prisons = client.get("/cases", params={"q": "carcel"}, headers=SPANISH).text
    assert "Brasil – Violencia de pandillas en las cárceles" in prisons


def test_the_switch_sets_a_cookie_that_wins_over_the_browser(client: TestClient) -> None:
    answer = client.get("/language", params={"set": "es", "next": "/codebook?x=1"},
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/codebook?x=1"
    assert "parley_lang=es" in answer.headers["set-cookie"]
    page = client.get("/cases", headers={"Accept-Language": "en"})  # the cookie it set
    assert _lang(page.text) == "es"
    client.cookies.clear()
    assert _lang(client.get("/cases", headers={"Accept-Language": "en"}).text) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "cases",
                                    "/\\evil.example"])
def test_the_switch_goes_back_only_to_a_local_page(client: TestClient, target: str) -> None:
    answer = client.get("/language", params={"set": "en", "next": target},
                        follow_redirects=False)
    assert answer.headers["location"] == "/cases"
    client.cookies.clear()


def test_an_unknown_language_is_refused(client: TestClient) -> None:
    answer = client.get("/language", params={"set": "klingon"}, follow_redirects=False)
    assert answer.status_code == 400
    assert "unknown language &#39;klingon&#39; (allowed: en, es)" in answer.text
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize(("cookie", "accept", "default", "chosen"), [
    (None, None, "en", "en"), (None, "es-HN", "en", "es"), (None, "fr, de;q=0.5", "es", "es"),
    ("parley_lang=en", "es", "es", "en"), ("parley_lang=xx", "es-MX", "en", "es"),
    (None, "en;q=0.2, es;q=0.9", "en", "es"), (None, "es;q=0", "en", "en"),
    ('bad"cookie', "es", "en", "es"),
])
def test_choice_order(cookie: str | None, accept: str | None, default: str,
                      chosen: str) -> None:
    assert choose_language(cookie, accept, default) == chosen


def test_safe_next_keeps_query_strings() -> None:
    assert safe_next("/cases?q=tregua&f=region:latin-america") == \
        "/cases?q=tregua&f=region:latin-america"


@pytest.fixture(scope="module")
def spanish_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("es")
    app = Parley.build(Settings(database_url=f"sqlite:///{folder / 'p.db'}",
                                master_key=TEST_MASTER_KEY, language="es"))
    app.upgrade()
    with TestClient(create_app(app)) as c:
        yield c
    app.close()


def test_parley_language_is_the_default_without_a_browser_preference(
        spanish_server: TestClient) -> None:
    assert _lang(spanish_server.get("/cases").text) == "es"
    assert _lang(spanish_server.get("/cases", headers={"Accept-Language": "en-GB"}).text) == "en"


def test_a_bad_parley_language_is_refused() -> None:
    with pytest.raises(ValueError, match="PARLEY_LANGUAGE must be one of: en, es"):
        Settings(language="fr")


def test_the_brief_downloads_in_spanish(client: TestClient) -> None:
    scenario = {"title": "Tegucigalpa", "country": "Honduras", "group_type": ["gang"],
                "cohesion": "high", "secrecy": "secret"}
    answer = client.post("/api/assess?format=md", json=scenario, headers=SPANISH)
    assert answer.status_code == 200, answer.text
    assert "## Riesgos principales" in answer.text and "## Top risks" not in answer.text
    english = client.post("/api/assess", json=scenario).json()
    spanish = client.post("/api/assess", json=scenario, headers=SPANISH).json()
    assert spanish.keys() == english.keys()  # JSON keys stay English
    titles = {f["title"] for f in spanish["findings"]}
    assert titles and not titles & {f["title"] for f in english["findings"]}


def _brief_text(answer_bytes: bytes, fmt: str) -> str:
    import io

    if fmt == "docx":
        from docx import Document

        document = Document(io.BytesIO(answer_bytes))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(answer_bytes)).pages)
    return answer_bytes.decode()


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_the_outlook_is_spanish_entirely_in_every_brief_format(client: TestClient,
                                                               fmt: str) -> None:
    scenario = {"title": "Tegucigalpa", "country": "Honduras", "group_type": ["gang"],
                "cohesion": "high", "secrecy": "secret", "government_role": "direct",
                "deterrence_credible": "yes"}
    answer = client.post(f"/api/assess?format={fmt}", json=scenario, headers=SPANISH)
    assert answer.status_code == 200, answer.text[:300]
    text = " ".join(_brief_text(answer.content, fmt).split())
    assert "Medida dejando uno fuera sobre" in text  # the caveat
    assert "Cada parámetro se ajustó por validación cruzada" in text  # the basis
    assert re.search(r"Puntaje de Brier \d,\d\d", text)  # decimal comma in prose
    for english in ("Measured by leave-one-out", "Every setting was fitted", "shrunk",
                    "outcomes of", "similarity 0"):
        assert english not in text


def test_the_outlook_json_labels_follow_the_language_and_numbers_stay_machine(
        client: TestClient) -> None:
    scenario = {"title": "x", "group_type": ["gang"], "cohesion": "high"}
    spanish = client.post("/api/assess", json=scenario, headers=SPANISH).json()["outlook"]
    english = client.post("/api/assess", json=scenario).json()["outlook"]
    assert spanish["distribution"] == english["distribution"]  # floats, not prose
    assert spanish["measured"] == english["measured"]
    assert spanish["caveat"].startswith("Medida dejando uno fuera")
    assert english["caveat"].startswith("Measured by leave-one-out")
    assert [m["moves"] for m in spanish["explanation"]] == [
        m["moves"] for m in english["explanation"]]
    assert spanish["explanation"][0]["label"].startswith("resultados de ")


def test_spanish_pages_write_decimals_with_a_comma_and_exports_keep_the_dot(
        client: TestClient) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("conditions", "MED"), ("conditions", "GOV"), ("conditions", "INC"),
        ("outcome", "LASTING")]
    english = client.get("/analysis/qca", params=params).text
    spanish = client.get("/analysis/qca", params=params, headers=SPANISH).text
    figures = re.findall(r"<td>(\d[.,]\d{3})</td>", english)
    assert figures and all("." in f for f in figures)
    assert re.findall(r"<td>(\d[.,]\d{3})</td>", spanish) == [f.replace(".", ",")
                                                            for f in figures]
    # machine formats stay machine formats in any language
    csv_es = client.get("/cases/export", params={"format": "csv"}, headers=SPANISH).text
    assert csv_es == client.get("/cases/export", params={"format": "csv"}).text
    calibrated = client.post("/api/qca/calibrate", headers=SPANISH,
                             files={"data": ("r.csv", b"case,gdp\nA,1000\nB,5000\nC,9000\n")},
                             data={"column": "gdp", "new_column": "RICH",
                                   "anchors": "2000,5000,8000"})
    assert calibrated.text.splitlines()[2] == "B,5000,0.5"
