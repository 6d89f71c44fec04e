"""End-to-end in a real browser: Playwright driving Debian's Chromium against `parley serve`."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_highlights_matches(page: Any) -> None:
    page.goto("/cases")
    page.fill("#q", "motorcycle")
    expect(page.locator("#total")).not_to_have_text("28")
    assert page.locator(".snippet mark").count() >= 2
    assert "q=motorcycle" in page.url  # htmx pushed the URL so the result can be shared


def test_facet_filter_and_case_page(page: Any) -> None:
    page.goto("/cases")
    page.get_by_role("link", name="europe", exact=True).click()
    page.wait_for_url("**f=region%3Aeurope**")
    assert page.locator("#total").text_content() == "4"
    page.get_by_role("link", name="Italy – Trattativa Stato-Mafia").click()
    assert page.locator("h1").text_content() == "Italy – Trattativa Stato-Mafia"
    assert page.locator("tr.is-unknown").count() > 0
    assert page.locator("blockquote").count() > 0


def test_compare_two_cases(page: Any) -> None:
    page.goto("/cases?where=region+%3D+europe")
    page.check("#pick-denmark-motorcycle-gang-truce")
    page.check("#pick-norway-oslo-police-dialogue-1997")
    page.get_by_role("button", name="Compare ticked cases (2–4)").click()
    assert page.locator("h1").text_content() == "Comparing 2 cases"
    assert page.locator("tr.differs").count() > 0
    page.get_by_role("link", name="Show only differences").click()
    assert page.locator("tbody tr").count() == page.locator("tr.differs").count()


def test_keyboard_only_navigation(page: Any) -> None:
    page.goto("/cases")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("prison")
    page.keyboard.press("Enter")
    expect(page.locator(".snippet mark").first).to_be_visible()


def test_usable_on_a_phone(browser: Any, sqlite_live_server: str) -> None:
    context = browser.new_context(base_url=sqlite_live_server, viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.goto("/cases/el-salvador-mara-truce-2012")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # tables scroll inside their box; the page itself does not
    context.close()


def test_bad_filter_shows_the_error(page: Any) -> None:
    page.goto("/cases")
    page.fill("#where", "cohesion = sky")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector(".error")
    assert "is not a code of cohesion" in page.locator(".error").text_content()


def test_qca_page_runs_and_links_cases(page: Any) -> None:
    page.goto("/analysis/qca")
    for name in ("MED", "GOV", "INC"):
        page.check(f"#c-{name}")
    page.select_option("#outcome", "LASTING")
    page.get_by_role("button", name="Run QCA").click()
    expect(page.locator("#truth-table")).to_be_visible()
    assert page.locator("h3.expression").count() >= 1
    assert page.get_by_role("heading", name="Parsimonious solution").count() == 1
    page.locator("#truth-table a").first.click()
    expect(page.locator("table.values")).to_have_count(len(page.locator("table.values").all()))
    assert page.url.split("/cases/")[1]


def test_crosstab_page_shows_chart(page: Any) -> None:
    page.goto("/analysis")
    page.select_option("#row", "region")
    page.select_option("#col", "outcome_class")
    page.get_by_role("button", name="Tabulate").click()
    expect(page.locator("#crosstab")).to_be_visible()
    assert page.locator("figure svg").count() == 2


def test_ticks_survive_live_search_and_compare(page: Any) -> None:
    """Issue 14: ticking cases, then typing a search that redraws the list, kept the ticks lost."""
    page.goto("/cases")
    page.check("#pick-denmark-motorcycle-gang-truce")
    page.check("#pick-el-salvador-mara-truce-2012")
    page.fill("#q", "motorcycle")  # live search: htmx redraws #results
    expect(page.locator("#kept-picks")).to_contain_text("El Salvador")
    expect(page.locator("#pick-denmark-motorcycle-gang-truce")).to_be_checked()
    page.fill("#q", "")
    expect(page.locator("#pick-el-salvador-mara-truce-2012")).to_be_checked()
    expect(page.locator("#pick-denmark-motorcycle-gang-truce")).to_be_checked()
    page.get_by_role("button", name="Compare ticked cases (2–4)").click()
    assert page.locator("h1").text_content() == "Comparing 2 cases"


def test_five_ticks_get_words_and_a_way_back(page: Any) -> None:
    page.goto("/cases")
    boxes = page.locator(".case-list input[type=checkbox]")
    for i in range(5):
        boxes.nth(i).check()
    page.get_by_role("button", name="Compare ticked cases (2–4)").click()
    expect(page.locator("#compare-limit")).to_contain_text("You ticked 5: untick 1")
    page.click("#compare-back")
    expect(page.locator(".case-list input[type=checkbox]:checked")).to_have_count(5)
