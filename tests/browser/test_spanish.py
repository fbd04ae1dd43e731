"""The check in Spanish in Chromium at 360 px (issue 15): the language switch on the
start page, then the start page, the description form and the interview's first
question, each axe-core clean and with no English left in the text on screen (the
names of the clinic and of crampcheck, and the switch back to English, are allowed)."""

from __future__ import annotations

import re

import pytest

from tests.browser.browsing import Tab

ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "your",
        "are",
        "of",
        "to",
        "with",
        "what",
        "this",
        "that",
        "call",
        "now",
        "check",
        "if",
        "or",
        "not",
        "for",
        "it",
        "in",
        "on",
        "at",
        "be",
        "can",
        "we",
        "do",
        "help",
        "more",
        "about",
        "sign",
        "signs",
        "home",
        "learn",
        "pain",
        "leg",
        "legs",
        "cramp",
        "cramps",
        "spasm",
        "spasms",
        "twitch",
        "question",
        "questions",
        "tick",
        "all",
        "apply",
        "where",
        "none",
        "these",
        "continue",
        "back",
        "describe",
        "happening",
        "start",
        "sources",
        "menu",
        "skip",
        "main",
        "emergency",
        "doctor",
    ]
)
"""Common English words that are not Spanish words: one on a Spanish page is English
that slipped through."""


def english_left(tab: Tab) -> list[str]:
    """The English words in the text on screen, once the allowed names are taken out."""
    text = tab.page.locator("body").inner_text()
    allowed = [tab.page.locator("footer a[href='/clinic']").inner_text(), "crampcheck"]
    # The switch back to English is in English on purpose (its lang attribute says so).
    allowed += tab.page.locator("[lang='en']:not(html)").all_inner_texts()
    for name in allowed:
        text = text.replace(name, " ")
    return sorted({w for w in re.findall(r"[^\W\d_]+", text) if w.lower() in ENGLISH_WORDS})


@pytest.mark.browser
def test_the_check_in_spanish_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    assert tab.goto("/") == 200
    assert tab.page.locator("html").get_attribute("lang") == "en"
    tab.step(lambda: tab.page.locator("header a[hreflang='es']").click())
    for path in ("/", "/check", "/check/questions"):
        if path != "/":
            assert tab.goto(path) == 200, path
        assert tab.page.locator("html").get_attribute("lang") == "es", path
        tab.audit(f"{path} (es)")
        assert english_left(tab) == [], path
    assert "¿Dónde es?" in tab.page.locator("main").inner_text()
    print(f"checked in Spanish: {tab.audited}")
