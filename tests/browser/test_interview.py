"""The interview on the narrowest common phone (360 x 780), walked with "None of these"
(issue 14, item 1): where it is first, every emergency screen with every sign, then
"which of these apply" and only the screens that could still change the answer; no
screen over eight options, a blank refused as not a no, a progress bar that never goes
back, and every page fitting the screen with no serious or critical axe-core finding.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.browsing import Tab

MAX_SCREEN_OPTIONS = 8
EMERGENCY_SCREENS = {
    "emergency_heart_stroke": 6,
    "emergency_limb_back": 5,
    "emergency_whole_body": 6,
}
TICKED = {"where": "site_calf", "what_it_feels_like": "sustained_contraction"}
"""A calf cramp: the place and what it feels like; "None of these" to everything else."""


def progress_done(tab: Tab) -> float:
    """The share of the progress bar filled on the question on screen."""
    bar = tab.page.locator("main progress")
    return float(bar.get_attribute("value") or 0) / float(bar.get_attribute("max") or 1)


@pytest.mark.browser
def test_a_calf_cramp_walked_through_with_none_of_these_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    tab.goto("/check/questions")
    asked: list[str] = []
    shown: list[int] = []
    done = -1.0
    while tab.kind() == "question" and len(asked) < 30:
        question = tab.question_id()
        asked.append(question)
        assert progress_done(tab) >= done, f"the progress bar went back at {question}"
        done = progress_done(tab)
        tab.audit(f"question {len(asked)} ({question})")
        options = tab.page.locator('main fieldset.question input[name="chosen"]')
        if not options.count():
            # A yes/no or number question: one thing to read (as the evaluation counts).
            shown.append(1)
            tab.submit(tab.button("no") if tab.button("no").count() else tab.button("dont_know"))
            continue
        shown.append(options.count())
        assert options.count() <= MAX_SCREEN_OPTIONS, (question, options.count())
        if question in EMERGENCY_SCREENS:
            assert options.count() == EMERGENCY_SCREENS[question], "every sign, every time"
        none = tab.page.locator("#option-none")
        expect(none).to_be_visible()
        expect(tab.page.locator('label[for="option-none"]')).to_have_text("None of these")
        if len(asked) == 1:
            # A blank is not "no": Continue with nothing ticked is refused, and says so.
            tab.submit(tab.button("answer"))
            expect(tab.page.locator(".error-summary")).to_be_visible()
            assert tab.question_id() == question
            tab.audit("question 1, nothing ticked")
        if question in TICKED:
            tab.page.locator(f"#option-{TICKED[question]}").check()
        else:
            none.check()
        tab.submit(tab.button("answer"))
    assert tab.kind() == "result", f"no result after {asked}"
    tab.audit("result")
    assert asked[0] == "where", asked
    assert set(EMERGENCY_SCREENS) <= set(asked[1:4]), "the emergency screens come next"
    assert "which_apply" in asked and "what_it_feels_like" in asked
    assert len(asked) <= 8, f"{len(asked)} screens: {asked}"
    assert sum(shown) <= 45, f"{sum(shown)} options shown: {dict(zip(asked, shown, strict=True))}"
    assert tab.urgency() == "self_care"
    print(f"{len(asked)} screens, {sum(shown)} options: {dict(zip(asked, shown, strict=True))}")
    tab.assert_clean()


AFTER_WORDS = {
    "CALFF CRAMP PAINFULL AT NIGHT FOR 2 WEKS": 11,
    "My calf cramped last night after a long run in the heat. It eased after stretching.": 12,
}
"""Descriptions the review walked, and the most screens each may take after its words
answered "None of these" throughout (12 and 13 before the interview stopped asking
what the words already settle)."""


@pytest.mark.browser
@pytest.mark.parametrize("text", list(AFTER_WORDS))
def test_after_a_description_only_screens_that_can_matter_at_360_px(
    narrow_tab: Tab, text: str
) -> None:
    """Issue 14: after the words, the emergency screens first, no testicle for a calf
    cramp, no place the words already settle, a temperature only once a fever is said,
    and "Your answers" reading as sentences ("No it started suddenly" was possible)."""
    tab = narrow_tab
    tab.goto("/check")
    tab.describe(text)
    shown: dict[str, list[str]] = {}

    def look(name: str) -> None:
        tab.audit(name)
        if tab.kind() == "question":
            inputs = tab.page.locator('main fieldset.question input[name="chosen"]')
            shown[tab.question_id()] = [
                (inputs.nth(i).get_attribute("value") or "") for i in range(inputs.count())
            ]

    asked = tab.finish(look)
    assert set(EMERGENCY_SCREENS) == set(asked[:3]), asked
    assert "with_it_testicle" not in asked and "temperature_c" not in asked, asked
    assert not {"site_calf", "site_leg"} & set(shown.get("where", [])), shown.get("where")
    assert len(asked) <= AFTER_WORDS[text], f"{len(asked)} screens: {asked}"
    told = tab.page.locator("#told")
    told.locator("summary").click()
    words = " ".join(told.inner_text().split())
    assert not re.search(r"\bNo (a|an|the|it|you) ", words), words
    print(f"{len(asked)} screens after the words: {asked}")
    tab.assert_clean()
