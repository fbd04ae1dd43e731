"""Issue 14's follow-up at 360 px: a US clinic's patient is asked a temperature in °F and
reads it back in °F on the result; after a description naming the calf, other places are
asked as "also", not "Where is it?" again; and a self-care case rules out the causes only
a doctor's visit would follow on one gathered screen. Every page fits the screen with no
serious or critical axe-core finding."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.browsing import Tab

FEVER_TEXT = (
    "I started sertraline last month and now my legs twitch and jump, I'm sweaty, I have "
    "diarrhea and a fever"
)
"""Asks for the temperature: 38 °C or more with these signs is severe serotonin syndrome."""

NIGHT_CALF = "My calf cramped last night after a long run in the heat. It eased after stretching."


@pytest.mark.browser
def test_a_temperature_is_asked_and_shown_in_fahrenheit_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    tab.goto("/check")
    tab.describe(FEVER_TEXT)
    tab.audit("confirm (chips)")
    tab.submit(tab.button("continue"))
    asked: list[str] = []
    while tab.kind() == "question" and len(asked) < 30:
        asked.append(tab.question_id())
        if asked[-1] == "temperature_c":
            tab.audit("the temperature question")
            question = " ".join(tab.page.locator("main").inner_text().split())
            assert "what is your temperature in °F?" in question, question
            assert "°C" not in question
            expect(tab.page.locator('label[for="number"]')).to_have_text("Your answer, in °F")
            tab.page.fill("#number", "100")
            tab.submit(tab.button("answer"))
            continue
        tab.answer_plainly()
    assert "temperature_c" in asked, asked
    assert tab.kind() == "result"
    tab.audit(f"result ({tab.urgency()})")
    # 100 °F is 37.8 °C: below the 38 °C that would make these signs an emergency.
    assert tab.urgency() != "emergency"
    # The audit opened every fold; the text is read whatever a fold shows.
    words = " ".join((tab.page.locator("#told").text_content() or "").split())
    assert "100 °F" in words and "37.8" not in words, words
    tab.assert_clean()


@pytest.mark.browser
def test_other_places_are_asked_as_also_and_doctor_causes_together_at_360_px(
    narrow_tab: Tab,
) -> None:
    tab = narrow_tab
    tab.goto("/check")
    # An adult: with no age, a child's causes (lost skills, spasms in clusters) stay
    # possible, and they are urgent, so nothing is gathered.
    tab.page.fill("#age", "45")
    tab.describe(NIGHT_CALF)
    texts: dict[str, str] = {}

    def look(name: str) -> None:
        tab.audit(name)
        if tab.kind() == "question":
            heading = tab.page.locator("main h1")
            texts[tab.question_id()] = " ".join(heading.inner_text().split())

    asked = tab.finish(look)
    assert tab.urgency() == "self_care"
    if "where" in texts:
        assert texts["where"].startswith("Is it also in any of these places?"), texts["where"]
        assert "Where is it?" not in texts["where"]
    assert "anything_else" in asked, asked
    assert texts["anything_else"].startswith("Do you have any of these too?")
    assert asked.index("anything_else") == len(asked) - 1, "the last screen"
    assert len(asked) <= 9, f"{len(asked)} screens: {asked}"
    print(f"{len(asked)} screens after the words: {asked}")
    tab.assert_clean()
