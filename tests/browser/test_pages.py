"""Every page a person can reach, checked in Chromium at 360 px wide: no sideways scroll,
no serious or critical axe-core violation, no request to another host, no Content
Security Policy error; and the result page's weight.

The pages are reached the way people reach them: the check's steps are swapped in by
htmx, as in a browser with JavaScript on, and each one is checked as it appears.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.browsing import TEXTS, Tab

MAX_RESULT_BYTES = 60 * 1024
PAGES = ["/", "/check", "/check/questions", "/learn", "/clinic", "/appointment", "/docs"]


def visit_pages(tab: Tab) -> None:
    """The pages with an address of their own (every Learn topic linked from /learn),
    the describe form with its errors, and the 404 page."""
    topics: list[str] = []
    for path in PAGES:
        assert tab.goto(path) == 200, path
        tab.audit(path)
        if path == "/learn":
            topics = tab.page.locator('main a[href^="/learn/"]').evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
    assert len(topics) >= 5, topics
    for path in dict.fromkeys([*topics, "/learn/sources"]):
        assert tab.goto(path) == 200, path
        tab.audit(path)
    tab.goto("/check")
    tab.submit(tab.page.locator('main form[action="/check"] button[type="submit"]'))
    assert tab.page.locator(".error-summary").count() == 1
    tab.audit("/check with errors")
    assert tab.goto("/no/such/page") == 404
    tab.audit("404")


def check_in_words(urgency: str, request_appointment: bool) -> Callable[[Tab], None]:
    def journey(tab: Tab) -> None:
        tab.goto("/check")
        tab.describe(TEXTS[urgency])
        tab.finish(each=tab.audit)
        assert tab.urgency() == urgency
        if request_appointment:
            appointment(tab)

    return journey


def appointment(tab: Tab) -> None:
    """From a result: the appointment form, its errors, and the confirmation."""
    tab.click(tab.page.locator("#appointment button[type='submit']"))
    tab.audit("appointment form")
    send = tab.page.locator("main form[action='/appointment'] button[type='submit']")
    tab.click(send)
    assert tab.page.locator(".error-summary").count() == 1
    tab.audit("appointment form with errors")
    tab.page.fill("#name", "Sam Lee")
    tab.page.fill("#email", "sam@example.com")
    tab.page.check("#consent_to_share")
    tab.click(send)
    assert "/appointment/sent/" in tab.page.url
    tab.audit("appointment sent")


def emergency_in_the_interview(tab: Tab) -> None:
    """Words that point to an emergency, then an emergency sign ticked in the interview
    (after where it is, which comes first)."""
    check_in_words("emergency", request_appointment=False)(tab)
    tab.goto("/check/questions")
    tab.page.locator("#option-site_calf").check()
    tab.submit(tab.button("answer"))
    assert tab.question_id().startswith("emergency_"), "the emergency signs follow where it is"
    tab.page.locator('main input[name="chosen"]').first.check()
    tab.submit(tab.button("answer"))
    assert tab.urgency() == "emergency"
    tab.audit("result (emergency, from the interview)")


JOURNEYS: dict[str, Callable[[Tab], None]] = {
    "pages": visit_pages,
    "emergency": emergency_in_the_interview,
    "urgent": check_in_words("urgent", request_appointment=True),
    "doctor": check_in_words("doctor", request_appointment=False),
    "self_care": check_in_words("self_care", request_appointment=True),
}


@pytest.mark.browser
@pytest.mark.parametrize("journey", JOURNEYS)
def test_every_page_fits_360_px_is_accessible_and_uses_only_this_server(
    narrow_tab: Tab, journey: str
) -> None:
    JOURNEYS[journey](narrow_tab)
    print(f"{journey}: checked {len(narrow_tab.audited)} pages: {narrow_tab.audited}")
    narrow_tab.assert_clean()
    assert not narrow_tab.failed_requests, narrow_tab.failed_requests


@pytest.mark.browser
@pytest.mark.parametrize("urgency", TEXTS)
def test_the_result_page_weighs_at_most_60_kb(tab: Tab, urgency: str) -> None:
    """The result as a full page load with the browser cache off: the document and every
    subresource it loads, as the browser received them."""
    cdp = tab.page.context.new_cdp_session(tab.page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    tab.native_forms = True
    tab.goto("/check")
    tab.describe(TEXTS[urgency])
    tab.finish()
    assert tab.urgency() == urgency
    responses = tab.step_responses
    # the last answer is sent, and answered with a redirect to the result's own address
    documents = [r for r in responses if r.request.resource_type == "document"]
    assert [(r.request.method, r.status) for r in documents] == [("POST", 303), ("GET", 200)], [
        (r.request.method, r.url) for r in responses
    ]
    assert "/check/result/" in documents[-1].url
    responses = [r for r in responses if not 300 <= r.status < 400]
    assets = tab.page.evaluate(
        """() => [...document.querySelectorAll('link[href], script[src], img[src]')]
                 .map(el => el.href || el.src).filter(url => !url.startsWith('data:'))"""
    )
    loaded = {r.url for r in responses}
    assert set(assets) <= loaded, f"not loaded anew: {set(assets) - loaded}"
    sizes = {f"{r.request.method} {r.url}": len(r.body()) for r in responses}
    total = sum(sizes.values())
    assert total <= MAX_RESULT_BYTES, f"{total} bytes: {sizes}"
    print(f"result ({urgency}): {total} bytes: {sizes}")


@pytest.mark.browser
def test_the_page_checks_catch_what_they_look_for(narrow_tab: Tab) -> None:
    """A page broken on purpose fails every check above, so their passing means something."""
    tab = narrow_tab
    tab.page.route(
        "http://elsewhere.invalid/**",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<!doctype html><html lang=en><title>Elsewhere</title><main><h1>x</h1></main>",
        ),
    )
    tab.goto("/")
    tab.page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const wide = document.createElement('div');
          wide.id = 'too-wide';
          wide.style.width = '500px';
          wide.style.height = '1em';
          const unlabelled = document.createElement('img');
          unlabelled.src = 'data:,';
          const foreign = document.createElement('img');
          foreign.alt = '';
          foreign.src = 'http://elsewhere.invalid/pixel.png';
          main.append(wide, unlabelled, foreign);
        }"""
    )
    tab.page.wait_for_timeout(100)
    tab.audit("home, broken")
    tab.goto("/no-such-page")
    tab.page.evaluate("() => { location.href = 'http://elsewhere.invalid/'; }")
    tab.page.wait_for_url("http://elsewhere.invalid/")
    tab.audit("elsewhere")
    found = "\n".join(tab.problems)
    assert "home, broken: scrolls sideways at 360 px" in found and "div#too-wide" in found
    assert "home, broken: axe image-alt (critical)" in found
    assert "home, broken: console: " in found and "Content Security Policy" in found
    # Chromium reports the request the policy refused, as well as the refusal
    assert "home, broken: request to another host: http://elsewhere.invalid/pixel.png" in found
    assert "elsewhere: request to another host: http://elsewhere.invalid/\n" in found + "\n"
    assert len(tab.problems) == 5, found
    # leave nothing for the fixture's own checks at teardown
    tab.problems.clear()
    tab.requests.clear()
    tab.csp_errors.clear()
    tab.failed_requests.clear()
