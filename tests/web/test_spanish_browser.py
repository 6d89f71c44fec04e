"""Issue 13 in a real browser (Chromium through Playwright, the browser set to es-HN): the main
jobs done in Spanish: browse and search the cases, read a case, assess a situation and download
its brief, set up an account and run a workspace (a session item and an accent-insensitive
search of it). A switch back to English on the way."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD, served
from tests.web.test_workspaces_browser import SETUP_LINK, fresh_server

pytestmark = pytest.mark.browser
__all__ = ["fresh_server"]


@pytest.fixture
def spanish(browser: Any, fresh_server: tuple[str, str]) -> Iterator[Any]:
    context = browser.new_context(base_url=fresh_server[0], locale="es-HN",
                                  extra_http_headers={"Accept-Language": "es-HN,es;q=0.9"},
                                  accept_downloads=True)
    yield context.new_page()
    context.close()


def test_cases_search_and_case_page_in_spanish(spanish: Any) -> None:
    page = spanish
    page.goto("/cases")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Base de casos")
    page.fill("#q", "tregua de pandillas")  # live search (htmx)
    expect(page.locator("#results")).to_contain_text("El Salvador – Tregua entre maras")
    page.fill("#q", "carcel")
    expect(page.locator("#results")).to_contain_text("Brasil – Violencia de pandillas")
    page.goto("/cases/el-salvador-mara-truce-2012")
    expect(page.locator("h1")).to_have_text("El Salvador – Tregua entre maras")
    expect(page.locator("table.values").first).to_contain_text("Evidencia")
    expect(page.locator("blockquote").first).to_contain_text("“")  # quotes stay English
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("El Salvador – Mara Truce")
    page.get_by_role("link", name="Español").click()
    expect(page.locator("h1")).to_have_text("El Salvador – Tregua entre maras")


def test_assess_and_download_the_brief_in_spanish(spanish: Any) -> None:
    page = spanish
    page.goto("/assess")
    expect(page.locator("h1")).to_have_text("Evaluar una situación")
    page.fill("#f-title", "Tegucigalpa, maras")
    page.get_by_role("button", name="Evaluar", exact=True).first.click()
    expect(page.locator("#brief")).to_contain_text("Riesgos principales")
    expect(page.locator("#brief")).to_contain_text("Próximas acciones, en orden")
    with page.expect_download() as info:
        page.get_by_role("button", name="Descargar Word").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    from io import BytesIO

    import docx

    data = download.path().read_bytes()
    text = "\n".join(p.text for p in docx.Document(BytesIO(data)).paragraphs)
    assert "Riesgos principales" in text and "Top risks" not in text


def test_a_workspace_in_spanish(spanish: Any, fresh_server: tuple[str, str]) -> None:
    page = spanish
    page.goto(fresh_server[1])  # the first start's setup link
    expect(page.locator("h1")).to_have_text("Crear el primer administrador")
    page.fill("#username", "mediadora")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Crear administrador").click()
    page.wait_for_url("**/workspaces")
    expect(page.locator("h1")).to_have_text("Sus espacios de trabajo")
    page.fill("#name", "Diálogo en Támara")
    page.get_by_role("button", name="Crear").click()
    expect(page.locator("h1")).to_have_text("Diálogo en Támara")
    page.get_by_role("link", name="sesión", exact=True).click()
    page.fill("#f-date", "2026-01-15")
    page.fill("#f-place", "Centro penal de Támara")
    page.get_by_role("button", name="Crear").click()
    page.get_by_role("link", name="← Espacio de trabajo").click()
    expect(page.locator("table.items")).to_contain_text("Sesión 15 ene 2026 Centro penal de Támara")
    page.fill("#f-q", "tamara")  # accents and case ignored
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator("table.items tbody tr")).to_have_count(1)
    expect(page.locator("table.items")).to_contain_text("Támara")


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A server of its own at first start (the module's one has used its setup link)."""
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}",
           "PARLEY_DATA_DIR": str(tmp_path)}
    with served(env) as server:
        link = SETUP_LINK.search(server.wait_for(SETUP_LINK))
        assert link is not None
        yield server.url, link.group(1)


def test_the_accounts_language_follows_the_user_into_an_english_browser(
        browser: Any, first_start: tuple[str, str]) -> None:
    """Set on the account page in one (English) browser, Spanish in another English one
    after signing in; a refused filter is then explained in Spanish."""
    english = browser.new_context(base_url=first_start[0], locale="en-GB",
                                  extra_http_headers={"Accept-Language": "en-GB"})
    page = english.new_page()
    page.goto(first_start[1])
    page.fill("#username", "lucia")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create administrator").click()
    page.wait_for_url("**/workspaces")
    page.goto("/account")
    page.select_option("#account-language", "es")
    page.get_by_role("button", name="Save language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#account-language")).to_have_value("es")
    english.close()
    other = browser.new_context(base_url=first_start[0], locale="en-GB",
                                extra_http_headers={"Accept-Language": "en-GB"})
    page = other.new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # not signed in yet
    page.fill("#username", "lucia")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/workspaces")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Sus espacios de trabajo")
    page.goto("/cases?where=cohesion+%3D+sky")
    expect(page.locator("body")).to_contain_text("'sky' no es un código de cohesion")
    other.close()
