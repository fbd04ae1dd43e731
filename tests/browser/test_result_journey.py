"""The check's result in Chromium: nothing lost or sent again by reload, Back and Forward;
the answer on the first screen of a phone for five typical cases; the result's own
address opened by someone else; and printing shows what is folded on screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Request, expect
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tests.browser.browsing import PHONE, SELF_CARE_TEXT, TEXTS, Tab
from tests.browser.conftest import Server, tabs_on

SPASM_TEXT = "My left eyelid keeps twitching on and off for two weeks. It does not hurt."
CASES = {**TEXTS, "spasm": SPASM_TEXT}
"""One description per urgency, and a spasm: the five typical results measured."""
FIRST_SCREEN = PHONE["height"]
TOP_ANSWER = ("#result-heading", ".banner .action", ".banner .by-when", ".answer-top")


def stored_results(server: Server) -> int:
    engine = create_engine(f"sqlite:///{server.database}")
    try:
        with Session(engine) as session:
            count = session.scalar(text("SELECT count(*) FROM check_results"))
            return int(count or 0)
    finally:
        engine.dispose()


def reference(tab: Tab) -> str:
    text = tab.page.locator("main .check-reference").inner_text()
    found = re.search(r"CC-\d{4}-\d{2}-\d{2}-[A-Z0-9]{4}", text)
    assert found, text
    return found.group(0)


@pytest.mark.browser
def test_reload_back_and_forward_lose_nothing_and_send_nothing_again(
    tab: Tab, server: Server
) -> None:
    posts: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    tab.goto("/check")
    tab.describe(SELF_CARE_TEXT)
    assert tab.kind() == "confirm"
    confirm_url = tab.page.url
    assert re.search(r"/check/confirm/[A-Za-z0-9_-]{32}$", confirm_url), confirm_url
    tab.step(tab.page.reload)
    assert tab.kind() == "confirm" and tab.page.url == confirm_url
    expect(tab.page.locator('input[name="absent"][value="swelling"]')).to_be_checked()

    asked = tab.finish()
    result_url = tab.page.url
    assert re.search(r"/check/result/[A-Za-z0-9_-]{32}$", result_url), result_url
    first = reference(tab)
    kept = stored_results(server)
    tab.page.on("request", on_request)

    tab.step(tab.page.reload)
    assert tab.page.url == result_url and reference(tab) == first

    tab.step(tab.page.go_back)  # the last question, at its own address
    assert tab.kind() == "question" and tab.question_id() == asked[-1]
    assert "/check/question/" in tab.page.url, tab.page.url

    tab.step(tab.page.go_forward)
    assert tab.page.url == result_url and tab.kind() == "result"
    assert reference(tab) == first, "the same result, not a new one"

    # Back past every question: the confirm step, then the words as typed.
    tab.step(lambda: tab.page.evaluate(f"history.go(-{len(asked) + 1})"))
    assert tab.kind() == "confirm" and tab.page.url == confirm_url
    expect(tab.page.locator("main blockquote.your-words")).to_contain_text("No swelling")
    tab.step(tab.page.go_back)
    assert tab.page.url.endswith("/check")
    expect(tab.page.locator("#text")).to_have_value(SELF_CARE_TEXT)

    assert posts == [], f"reload, Back and Forward sent forms again: {posts}"
    assert stored_results(server) == kept


@pytest.mark.browser
def test_reload_back_and_forward_in_the_middle_of_the_questions_keep_each_question(
    tab: Tab,
) -> None:
    """Each question's own address reaches the address bar, so a reload three screens
    in shows the same question (not the confirm step with the answers gone), Back shows
    the one before and Forward the one after. No page is kept in the browser's storage
    (htmx keeps only the address it is on)."""
    tab.goto("/check")
    tab.describe(SELF_CARE_TEXT)
    tab.submit(tab.button("continue"))
    seen: list[tuple[str, str]] = []
    for _ in range(3):
        assert tab.kind() == "question", tab.page.url
        assert re.search(r"/check/question/[A-Za-z0-9_-]{32}$", tab.page.url), tab.page.url
        seen.append((tab.page.url, tab.question_id()))
        tab.answer_plainly()
    third_url, third = tab.page.url, tab.question_id()
    assert third_url not in {url for url, _ in seen}

    tab.step(tab.page.reload)
    assert (tab.page.url, tab.question_id()) == (third_url, third)
    tab.step(tab.page.go_back)
    assert (tab.page.url, tab.question_id()) == seen[-1]
    tab.step(tab.page.go_back)
    assert (tab.page.url, tab.question_id()) == seen[-2]
    tab.step(tab.page.go_forward)
    assert (tab.page.url, tab.question_id()) == seen[-1]
    stored = tab.page.evaluate("[...Object.keys(sessionStorage), ...Object.keys(localStorage)]")
    assert "htmx-history-cache" not in stored and len(stored) <= 1, stored

    tab.finish()
    assert tab.kind() == "result"
    assert re.search(r"/check/result/[A-Za-z0-9_-]{32}$", tab.page.url), tab.page.url


@pytest.mark.browser
@pytest.mark.parametrize("case", list(CASES))
def test_the_answer_is_on_the_first_screen_of_a_phone(tab: Tab, case: str) -> None:
    tab.goto("/check")
    tab.describe(CASES[case])
    tab.finish()
    if case in TEXTS:
        assert tab.urgency() == case
    else:
        expect(tab.page.locator(".could-be")).to_contain_text("muscle spasm")
    for selector in TOP_ANSWER:
        bottom = tab.page.locator(selector).evaluate(
            "el => el.getBoundingClientRect().bottom + window.scrollY"
        )
        assert bottom <= FIRST_SCREEN, f"{case}: {selector} ends at {bottom:.0f} px"
    if tab.urgency() == "emergency":
        expect(tab.page.locator(".answer-top a.call-now")).to_be_visible()
        expect(tab.page.locator(".answer-top .could-be")).to_have_count(0)
    else:
        expect(tab.page.locator(".answer-top .safety-net .call-if")).to_contain_text("Call 911 if")
    height = tab.page.evaluate("() => document.documentElement.scrollHeight")
    print(f"{case}: result page {height} px high on a 390 x 844 phone")


@pytest.mark.browser
def test_a_shared_result_opens_for_someone_else_and_prints_whole(
    tab: Tab, browser: Browser, server: Server
) -> None:
    tab.goto("/check")
    tab.describe(TEXTS["doctor"])
    tab.finish()
    address = tab.page.locator("#result-address").input_value()
    assert address == tab.page.url
    shown = reference(tab)
    with tabs_on(browser, server) as open_tab:
        doctor = open_tab()
        assert doctor.goto(address.removeprefix(server.base_url)) == 200
        assert reference(doctor) == shown
        expect(doctor.page.locator("#result-heading")).to_have_text("See a doctor soon")
        expect(doctor.page.locator('meta[name="robots"]')).to_have_attribute(
            "content", "noindex, nofollow"
        )
        doctor.page.emulate_media(media="print")
        doctor.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        expect(doctor.page.locator("details:not([open])")).to_have_count(0)
        expect(doctor.page.locator("#sources .sources li").first).to_be_visible()
        expect(doctor.page.locator(".site-header")).to_be_hidden()
        expect(doctor.page.locator("#appointment")).to_be_hidden()
        assert doctor.goto("/check/result/" + "x" * 32) == 404
