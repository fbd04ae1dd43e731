"""The check, the result, the Learn pages, an account, its diary and an appointment
request, all in Spanish in Chromium at 360 px (issue 15).

Every page on the way is axe-core clean, fits 360 px, and has no English left in the
text on screen. English that may stay: the names of the clinic and of crampcheck, and
anything marked ``lang="en"`` (the switch back to English, and the titles and
publishers of sources that are English pages, which a screen reader then reads as
English)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

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
        # the rest of the journey: result, Learn, account, diary, appointment
        "from",
        "by",
        "was",
        "were",
        "have",
        "will",
        "when",
        "how",
        "which",
        "who",
        "time",
        "day",
        "days",
        "week",
        "weeks",
        "night",
        "today",
        "yesterday",
        "last",
        "source",
        "page",
        "read",
        "print",
        "save",
        "saved",
        "cancel",
        "edit",
        "delete",
        "yes",
        "account",
        "password",
        "diary",
        "episode",
        "episodes",
        "patterns",
        "summary",
        "appointment",
        "request",
        "sent",
        "reference",
        "within",
        "business",
        "calf",
        "foot",
        "thigh",
        "swelling",
        "stretching",
        "massage",
        "minutes",
        "hours",
        "should",
        "could",
        "may",
        "might",
        "get",
        "go",
        "see",
        # dates and times as the English locale writes them
        "am",
        "pm",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "feb",
        "apr",
        "aug",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
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


EMAIL = "lucia.morales@example.com"
PASSWORD = "faro tranquilo linterna 27"
NIGHT_CRAMP = (
    "Anoche me dio un calambre en la pantorrilla izquierda en la cama, duró un minuto y se "
    "me quitó al estirarla. Sin hinchazón."
)
EMERGENCY = "De repente tengo un dolor muy fuerte en el pecho y se me acalambró el brazo izquierdo."


class SpanishWalk:
    """Audits each page of a walk in Spanish, keeping the English left on each, so that
    one run shows every page with English on it, not just the first."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.english: dict[str, list[str]] = {}

    def check(self, name: str) -> None:
        assert self.tab.page.locator("html").get_attribute("lang") == "es", name
        self.tab.audit(f"{name} (es)")
        left = english_left(self.tab)
        if left:
            self.english[name] = left

    def assert_clean(self) -> None:
        self.tab.assert_clean()
        assert self.english == {}, "English on Spanish pages:\n" + "\n".join(
            f"{name}: {words}" for name, words in self.english.items()
        )


def in_spanish(tab: Tab) -> SpanishWalk:
    """The language switch on the start page, in English until then."""
    assert tab.goto("/") == 200
    assert tab.page.locator("html").get_attribute("lang") == "en"
    tab.step(lambda: tab.page.locator("header a[hreflang='es']").click())
    return SpanishWalk(tab)


def submit(tab: Tab, form: str) -> Callable[[], None]:
    return lambda: tab.click(tab.page.locator(f"main form[action='{form}'] button[type='submit']"))


@pytest.mark.browser
def test_the_check_in_spanish_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    walk = in_spanish(tab)
    for path in ("/", "/check", "/check/questions"):
        if path != "/":
            assert tab.goto(path) == 200, path
        walk.check(path)
    assert "¿Dónde es?" in tab.page.locator("main").inner_text()
    walk.assert_clean()
    print(f"checked in Spanish: {tab.audited}")


@pytest.mark.browser
def test_the_whole_journey_in_spanish_at_360_px(narrow_tab: Tab) -> None:
    """Sign up, a night calf cramp described in Spanish to its result, an appointment
    request, the Learn pages, the diary (an episode, the list, the patterns, the summary
    to print), signing out and in: every page in Spanish."""
    tab = narrow_tab
    walk = in_spanish(tab)

    assert tab.goto("/account/signup") == 200
    walk.check("sign up")
    tab.page.fill("#email", "no es una dirección")
    tab.page.fill("#password", "corta")
    submit(tab, "/account/signup")()
    expect(tab.page.locator(".error-summary")).to_contain_text(
        "Por favor, use una contraseña de al menos 10 caracteres."
    )
    walk.check("sign up with errors")
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#password", PASSWORD)
    tab.page.fill("#password_again", PASSWORD)
    submit(tab, "/account/signup")()
    assert tab.page.url.endswith("/diary?welcome=1"), tab.page.url
    walk.check("diary (new account)")

    assert tab.goto("/check") == 200
    tab.describe(NIGHT_CRAMP)
    asked = tab.finish(each=walk.check)
    assert tab.urgency() == "self_care", asked
    print(f"asked in Spanish: {asked}")

    tab.click(tab.page.locator("#appointment button[type='submit']"))
    walk.check("appointment form")
    submit(tab, "/appointment")()
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    walk.check("appointment form with errors")
    tab.page.fill("#name", "Lucía Morales")
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#date_of_birth", "1961-04-23")
    tab.page.fill("#reason", "Los calambres me despiertan casi todas las noches.")
    tab.page.check("#consent_to_share")
    tab.page.check("#share_diary")
    submit(tab, "/appointment")()
    assert "/appointment/sent/" in tab.page.url, tab.page.url
    walk.check("appointment sent")

    assert tab.goto("/learn") == 200
    walk.check("/learn")
    pages = tab.page.locator("main a[href^='/learn/']").evaluate_all(
        "links => [...new Set(links.map(a => a.getAttribute('href')))]"
    )
    assert len(pages) >= 5, pages
    for path in pages:
        assert tab.goto(path) == 200, path
        walk.check(path)

    assert tab.goto("/diary/new") == 200
    walk.check("diary: log an episode")
    tab.page.fill("#at", (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    tab.click(tab.page.locator("main form.episode-form button[type='submit']"))
    expect(tab.page.locator("#at-error")).to_have_count(1)
    walk.check("diary: log an episode, with errors")
    two_days_ago = (datetime.now() - timedelta(days=2)).replace(hour=22, minute=15)
    tab.page.fill("#at", two_days_ago.strftime("%Y-%m-%dT%H:%M"))
    for field, value in {
        "site": "site_calf",
        "side": "left",
        "pain": "6",
        "activity": "sleeping",
        "tried": "stretching",
        "helped": "yes",
    }.items():
        tab.page.locator(f"label[for='{field}-{value}']").click()
    tab.click(tab.page.locator("main form.episode-form button[type='submit']"))
    expect(tab.page.locator("main ol.episodes > li")).to_have_count(1)
    walk.check("diary: the list, an episode saved")
    for path, name in (
        ("/diary/month", "diary: the month"),
        ("/diary/patterns", "diary: patterns"),
        ("/diary/summary", "diary: summary to print"),
        ("/account", "account"),
    ):
        assert tab.goto(path) == 200, path
        walk.check(name)

    tab.click(tab.page.locator("header .nav-form button[type='submit']"))
    assert "/account/signin" in tab.page.url, tab.page.url
    walk.check("sign in (signed out)")
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#password", "no es la contraseña")
    submit(tab, "/account/signin")()
    expect(tab.page.locator(".error-summary")).to_contain_text(
        "El correo electrónico o la contraseña no son correctos."
    )
    walk.check("sign in with errors")
    tab.page.fill("#password", PASSWORD)
    submit(tab, "/account/signin")()
    assert tab.page.url.endswith("/diary"), tab.page.url
    walk.check("diary (signed in again)")

    print(f"checked in Spanish: {len(tab.audited)} pages")
    walk.assert_clean()


@pytest.mark.browser
def test_an_emergency_in_spanish_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    walk = in_spanish(tab)
    assert tab.goto("/check") == 200
    tab.describe(EMERGENCY)
    asked = tab.finish(each=walk.check)
    assert tab.urgency() == "emergency", asked
    assert "911" in tab.page.locator("section.banner").inner_text()
    walk.assert_clean()
