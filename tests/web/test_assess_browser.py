"""The assessment form in a real browser: fill, assess, follow a cited case (anonymous: no save)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_fill_assess_save_and_reopen(page: Any) -> None:
    page.goto("/cases")
    page.get_by_role("link", name="Assess", exact=True).click()
    expect(page.locator("h1")).to_have_text("Assess a situation")
    # every control starts unknown, with the codebook's definition as help
    expect(page.locator("#f-cohesion")).to_have_value("unknown")
    expect(page.locator("#h-cohesion")).to_contain_text("leaders' ability to impose")
    page.fill("#f-title", "Two rival gangs in one city")
    page.select_option("#f-cohesion", "low")
    page.select_option("#f-security_dilemma", "yes")
    page.check("#f-group_type-gang")
    page.check("#f-spoilers-political")
    page.fill("#f-number_of_groups", "2")
    page.get_by_role("button", name="Assess", exact=True).click()

    brief = page.locator("#brief")
    expect(brief.locator("h1")).to_have_text("Two rival gangs in one city")
    expect(brief.locator("#verdict")).to_be_visible()
    expect(brief.locator("#top-risks li").first).to_be_visible()
    expect(brief.locator("#citations li").first).to_be_visible()
    assert brief.locator("a.ref").count() > 0
    # the form keeps what was entered
    expect(page.locator("#f-cohesion")).to_have_value("low")
    expect(page.locator("#f-spoilers-political")).to_be_checked()

    # without an account: assess, yes; save, no (saved assessments belong to an account)
    assert page.get_by_role("button", name="Save and assess").count() == 0

    case_link = page.locator("#similar a[href^='/cases/']").first
    case_title = case_link.text_content()
    case_link.click()
    expect(page.locator("h1")).to_have_text(case_title or "")


def test_bad_input_shows_the_problem_and_keeps_the_form(page: Any) -> None:
    page.goto("/assess")
    page.fill("#f-number_of_groups", "several")
    page.select_option("#f-cohesion", "high")
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator(".assess-errors")).to_contain_text("number_of_groups: 'several' is not "
                                                           "a whole number")
    expect(page.locator("#f-number_of_groups")).to_have_value("several")
    expect(page.locator("#f-cohesion")).to_have_value("high")
    assert page.locator("#brief").count() == 0
