"""The check in a real browser on a phone-sized screen (390 x 844): an emergency told in
words, a cramp to look after at home, the interview with the keyboard alone, and an
appointment request that reaches the database. Also makes docs/screenshots/*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crampcheck.storage.tables import AppointmentRequest
from tests.browser.browsing import (
    DOCTOR_TEXT,
    EMERGENCY_TEXT,
    PHONE,
    SELF_CARE_TEXT,
    Tab,
)
from tests.browser.conftest import Server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_TABS = 60


def top_of_page(tab: Tab, selector: str) -> float:
    """How far the bottom of the element is from the top of the document, in px."""
    bottom: float = tab.page.locator(selector).evaluate(
        "el => el.getBoundingClientRect().bottom + window.scrollY"
    )
    return bottom


@pytest.mark.browser
def test_an_emergency_description_ends_on_call_now_without_an_appointment_offer(
    tab: Tab,
) -> None:
    tab.goto("/check")
    tab.describe(EMERGENCY_TEXT)
    assert tab.kind() == "result", "an emergency is answered at once, before any question"
    assert tab.urgency() == "emergency"
    call = tab.page.locator("main .banner-emergency a.call-now")
    expect(call).to_be_visible()
    expect(call).to_have_text("Call 911 now")
    expect(call).to_have_attribute("href", "tel:911")
    assert top_of_page(tab, "main .banner-emergency a.call-now") <= PHONE["height"], (
        "the call button is on the first screen"
    )
    expect(tab.page.locator("main a").first).to_have_attribute("href", "tel:911")
    main = tab.page.locator("main")
    expect(
        main.locator('[href^="/appointment"], [action^="/appointment"], #appointment')
    ).to_have_count(0)
    expect(main).not_to_contain_text("Request an appointment")
    expect(main).not_to_contain_text("for an appointment")
    assert "This could be an emergency" in tab.title()


@pytest.mark.browser
def test_a_self_care_description_ends_on_the_home_care_plan(tab: Tab) -> None:
    tab.goto("/check")
    tab.describe(SELF_CARE_TEXT)
    assert tab.kind() == "confirm"
    expect(tab.page.locator('input[name="present"][value="site_calf"]')).to_be_checked()
    expect(tab.page.locator('input[name="absent"][value="swelling"]')).to_be_checked()

    shot: list[str] = []

    def screenshot_a_question(name: str) -> None:
        # "Which of these apply": the kinds of trouble that could still change the answer.
        if not shot and tab.kind() == "question" and tab.question_id() == "which_apply":
            tab.screenshot(SCREENSHOTS / "interview-phone.png", caret="initial")
            shot.append(name)

    asked = tab.finish(each=screenshot_a_question)
    assert asked, "the words leave questions to ask"
    assert shot, f"no question with choices to photograph among {asked}"
    assert tab.urgency() == "self_care"
    expect(tab.page.locator("#result-heading")).to_have_text(
        "You can usually look after this at home"
    )
    home = tab.page.locator("section[aria-labelledby='home-heading']")
    expect(home.locator("h2")).to_have_text("What you can do at home")
    expect(home).to_contain_text("Gently stretch the muscle")
    expect(home).to_contain_text("Evidence:")
    expect(tab.page.locator(".banner a")).to_have_count(0)
    expect(tab.page.locator("#appointment form[action='/appointment/new']")).to_be_visible()
    tab.screenshot(SCREENSHOTS / "result-phone.png")


def tab_to(tab: Tab, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(MAX_TABS):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached in {MAX_TABS} presses of Tab")


def focus_ring(tab: Tab) -> str:
    return str(tab.page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle"))


@pytest.mark.browser
def test_the_interview_completes_with_the_keyboard_alone(tab: Tab) -> None:
    tab.goto("/")
    tab_to(tab, 'main a[href="/check/questions"]')
    tab.press("Enter")
    asked: list[str] = []
    toggled = False
    while tab.kind() == "question" and len(asked) < 40:
        if asked:
            # each new question is swapped in by htmx, which moves focus to its heading
            tab.page.wait_for_function("() => document.activeElement.tagName === 'H1'")
        asked.append(tab.question_id())
        boxes = tab.page.locator('main input[type="checkbox"]')
        if boxes.count() and not toggled:
            tab_to(tab, 'main input[type="checkbox"]')
            tab.page.keyboard.press("Space")
            expect(boxes.first).to_be_checked()
            tab.page.keyboard.press("Space")
            expect(boxes.first).not_to_be_checked()
            toggled = True
        if boxes.count():
            # A blank is not "no": "None of these" is ticked like any other option.
            tab_to(tab, "#option-none")
            tab.page.keyboard.press("Space")
            expect(tab.page.locator("#option-none")).to_be_checked()
        if tab.button("answer").count() and not tab.page.locator("#number").count():
            button, key = "answer", "Enter"
        elif tab.button("no").count():
            button, key = "no", "Space"
        else:
            button, key = "dont_know", "Space"
        tab_to(tab, f'button[name="action"][value="{button}"]')
        assert focus_ring(tab) != "none", f"no visible focus on {button} ({asked[-1]})"
        tab.press(key)
    assert tab.kind() == "result", f"no result after {asked}"
    assert len(asked) >= 4 and asked[0] == "where", asked
    assert {"emergency_heart_stroke", "emergency_limb_back", "emergency_whole_body"} <= set(asked)
    assert toggled, "no question with checkboxes on the way"
    tab.page.wait_for_function("() => document.activeElement.id === 'result-heading'")
    assert tab.urgency() in ("urgent", "doctor", "self_care")


@pytest.mark.browser
def test_an_appointment_request_is_stored_with_its_snapshot(tab: Tab, server: Server) -> None:
    tab.goto("/check")
    tab.describe(DOCTOR_TEXT)
    tab.finish()
    assert tab.urgency() == "doctor"
    tab.click(tab.page.locator("#appointment button[type='submit']"))
    expect(tab.page.locator("h1")).to_contain_text("Request an appointment")
    tab.page.fill("#name", "Ana Pérez")
    tab.page.fill("#phone", "(801) 555-0100")
    tab.page.select_option("#preferred_location", "sandy")
    tab.page.fill("#preferred_times", "weekday mornings")
    tab.page.check("#consent_to_share")
    tab.click(tab.page.locator("main form[action='/appointment'] button[type='submit']"))

    assert "/appointment/sent/" in tab.page.url
    request_id = tab.page.url.rsplit("/", 1)[1]
    expect(tab.page.locator("h1")).to_contain_text("Your request was sent to")
    expect(tab.page.locator("main")).to_contain_text(f"Reference: {request_id[:8].upper()}")
    expect(tab.page.locator("main")).not_to_contain_text("Ana")

    engine = create_engine(f"sqlite:///{server.database}")
    try:
        with Session(engine) as session:
            row = session.scalars(
                select(AppointmentRequest).where(AppointmentRequest.id == request_id)
            ).one()
    finally:
        engine.dispose()
    assert (row.name, row.phone, row.email) == ("Ana Pérez", "(801) 555-0100", None)
    assert row.preferred_location == "sandy" and row.preferred_times == "weekday mornings"
    assert row.consent_to_share and row.status == "new"
    assert row.urgency == "doctor" and row.kind == row.snapshot["kind"]
    snapshot = row.snapshot
    assert snapshot["description"] == DOCTOR_TEXT
    assert snapshot["urgency"] == "doctor"
    assert snapshot["kb_version"] == row.kb_version
    assert snapshot["action"] and snapshot["reasons"] and snapshot["disclaimer"]
    states = {f["id"]: f["state"] for f in snapshot["findings"]}
    assert states["drug_other_cramp"] == "present", states
    assert states["swelling"] == "absent" and states["numbness"] == "absent", states
