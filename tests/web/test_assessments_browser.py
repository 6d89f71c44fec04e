"""The assessment form in a real browser: fill, assess, read the brief on the same page, follow
a cited case, keyboard reach, the draft kept in the browser, downloads, printing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAX_TABS = 30


def test_fill_assess_and_read_the_brief_on_the_same_page(page: Any) -> None:
    page.goto("/cases")
    page.get_by_role("link", name="Assess", exact=True).click()
    expect(page.locator("h1")).to_have_text("Assess a situation")
    # human labels, the codebook's definition as help; every control starts unknown
    expect(page.get_by_label("Can its leaders impose a deal?")).to_have_value("unknown")
    expect(page.locator("#h-cohesion")).to_contain_text("leaders' ability to impose")
    assert page.locator("label[for=f-cohesion]").text_content() != "cohesion"
    page.fill("#f-title", "Two rival gangs in one city")
    page.select_option("#f-cohesion", "low")
    page.select_option("#f-deterrence_credible", "no")
    page.locator("#more > summary").click()  # the questions beyond the short dozen
    page.select_option("#f-security_dilemma", "yes")
    page.check("#f-group_type-gang")
    page.check("#f-spoilers-political")
    page.fill("#f-number_of_groups", "2")
    page.get_by_role("button", name="Assess", exact=True).click()

    brief = page.locator("#brief")
    expect(brief.locator("h1")).to_have_text("Two rival gangs in one city")
    expect(brief.locator("#verdict")).to_contain_text("Verdict: Wait.")
    expect(brief.locator("#top-risks li").first).to_be_visible()
    expect(brief.locator("#citations li").first).to_be_visible()
    assert brief.locator("a.ref").count() > 0
    # the form below keeps what was entered
    expect(page.locator("#f-cohesion")).to_have_value("low")
    expect(page.locator("#f-spoilers-political")).to_be_checked()
    # without an account: assess, yes; save, no (saved assessments belong to an account)
    assert page.get_by_role("button", name="Save and assess").count() == 0

    case_link = page.locator("#top-similar a[href^='/cases/']").first
    case_title = case_link.text_content()
    case_link.click()
    expect(page.locator("h1")).to_have_text(case_title or "")


def test_short_mode_reaches_assess_in_at_most_30_tabs(page: Any) -> None:
    page.goto("/assess")
    presses = 0
    while presses < MAX_TABS:
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate("() => [document.activeElement.tagName, "
                                "document.activeElement.textContent.trim()]")
        if focused == ["BUTTON", "Assess"]:
            break
    else:
        pytest.fail(f"'Assess' not reached in {MAX_TABS} Tab presses")
    print(f"Tab presses from the top to Assess (short mode): {presses}")
    # every short question was passed on the way: one Tab stop each, check-box groups included
    shorts = page.locator("#assess-form > fieldset.section:not(.about) .field").count()
    assert shorts == 12
    assert presses <= MAX_TABS
    # arrow keys move inside a group of check boxes; space ticks
    page.locator("#f-design_elements-clear-objective").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    expect(page.locator("#f-design_elements-agenda-and-rules")).to_be_checked()


def test_the_draft_is_kept_until_submitted(page: Any) -> None:
    page.goto("/assess")
    page.fill("#f-title", "Draft in progress")
    page.select_option("#f-cohesion", "high")
    page.check("#f-incentives_offered-jobs")
    page.goto("/cases")
    page.goto("/assess")
    expect(page.locator("#draft-notice")).to_be_visible()
    expect(page.locator("#f-title")).to_have_value("Draft in progress")
    expect(page.locator("#f-cohesion")).to_have_value("high")
    expect(page.locator("#f-incentives_offered-jobs")).to_be_checked()
    # switching to the full form carries the draft along
    page.locator("#mode-link").click()
    expect(page.locator("#f-cohesion")).to_have_value("high")
    expect(page.locator("#f-notes")).to_be_visible()
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator("#brief h1")).to_have_text("Draft in progress")
    page.goto("/assess")  # submitted: the draft is gone
    expect(page.locator("#draft-notice")).to_be_hidden()
    expect(page.locator("#f-title")).to_have_value("")


def test_download_and_print_leave_out_the_form(page: Any) -> None:
    page.goto("/assess")
    page.select_option("#f-cohesion", "low")
    page.get_by_role("button", name="Assess", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename == "parley-brief.pdf"
    with page.expect_download() as word:
        page.get_by_role("button", name="Download Word").click()
    assert word.value.suggested_filename == "parley-brief.docx"
    page.emulate_media(media="print")
    for hidden in ("#assess-form", "header.top nav", "#downloads"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("#brief #verdict")).to_be_visible()


def test_bad_input_shows_the_problem_and_keeps_the_form(page: Any) -> None:
    page.goto("/assess?mode=full")
    page.fill("#f-number_of_groups", "several")
    page.select_option("#f-cohesion", "high")
    page.get_by_role("button", name="Assess", exact=True).click()
    expect(page.locator(".assess-errors")).to_contain_text("number_of_groups: 'several' is not "
                                                           "a whole number")
    expect(page.locator("#f-number_of_groups")).to_have_value("several")
    expect(page.locator("#f-cohesion")).to_have_value("high")
    assert page.locator("#brief").count() == 0
