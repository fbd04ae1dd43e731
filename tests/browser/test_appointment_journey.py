"""Appointment requests in a real browser (issue 14, items 4 and 8), on a server of this
module's own: a double tap on "Send my request", and Back then send again, store one
request; reloading the confirmation sends nothing; the form's new fields work with what
Chromium's date field sends. Then the clinic's inbox at 360 px shows age, kind and a
likely duplicate without scrolling sideways (document and table), with no serious or
critical axe-core violation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from crampcheck.domain.birth import age_on
from tests.browser.browsing import DOCTOR_TEXT, NARROW, Tab
from tests.browser.conftest import Server, serving, tabs_on
from tests.factories import choose_password, invitation_path

CLINIC = "auger-podiatry"
DESK_EMAIL, DESK_PASSWORD = "jordan.reyes@auger.example", "amber kettle orbit 41"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("appointment-server")) as running:
        done = running.crampcheck(
            "staff",
            "invite",
            *("--clinic", CLINIC, "--role", "front_desk"),
            *("--email", DESK_EMAIL, "--name", "Jordan Reyes", "--base-url", running.base_url),
        )
        with httpx.Client(base_url=running.base_url, timeout=30, trust_env=False) as http:
            chosen = choose_password(http, invitation_path(done.stdout), DESK_PASSWORD)
            assert chosen.status_code == 303, chosen.text
        yield running


def requests_named(server: Server, name: str) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(server.database) as db:
        return list(
            db.execute(
                "SELECT id, date_of_birth, reason FROM appointment_requests WHERE name = ?",
                (name,),
            )
        )


def open_form(tab: Tab) -> None:
    """A doctor-level check in words, answered plainly, then the appointment form."""
    tab.goto("/check")
    tab.describe(DOCTOR_TEXT)
    tab.finish()
    assert tab.urgency() == "doctor"
    tab.click(tab.page.locator("#appointment button[type='submit']"))
    expect(tab.page.locator("h1")).to_contain_text("Request an appointment")


def fill(tab: Tab, name: str, email: str) -> None:
    tab.page.fill("#name", name)
    tab.page.fill("#email", email)
    tab.page.fill("#date_of_birth", "1961-04-23")  # what Chromium's date field holds
    tab.page.fill("#reason", "The cramps wake me most nights.")
    tab.page.check("#consent_to_share")


def back_to_the_form(tab: Tab) -> None:
    """The browser's Back to the form. Pages are never stored (no-store) and the form
    is the answer to a POST, so Chromium has it in no cache (ERR_CACHE_MISS) and a
    person then reloads, sending the result page's button again, as this does."""
    try:
        tab.step(tab.page.go_back)
    except PlaywrightError as error:
        assert "ERR_CACHE_MISS" in str(error), error
        tab.step(tab.page.reload)
    expect(tab.page.locator("h1")).to_contain_text("Request an appointment")


def send_button(tab: Tab) -> str:
    return "main form[action='/appointment'] button[type='submit']"


@pytest.mark.browser
def test_a_double_tap_stores_one_request(browser: Browser, own_server: Server) -> None:
    with tabs_on(browser, own_server) as open_tab:
        tab = open_tab()
        open_form(tab)
        fill(tab, "Double Tap", "tap@example.com")
        tab.step(lambda: tab.page.locator(send_button(tab)).dblclick())
        expect(tab.page.locator("h1")).to_contain_text("Your request was sent to")
    rows = requests_named(own_server, "Double Tap")
    assert len(rows) == 1, rows
    assert rows[0][1:] == ("1961-04-23", "The cramps wake me most nights.")


@pytest.mark.browser
def test_back_then_send_again_and_reload_store_one_request(
    browser: Browser, own_server: Server
) -> None:
    with tabs_on(browser, own_server) as open_tab:
        tab = open_tab()
        open_form(tab)
        fill(tab, "Back Again", "back@example.com")
        tab.click(tab.page.locator(send_button(tab)))
        assert "/appointment/sent/" in tab.page.url, tab.page.url
        request_id = tab.page.url.rsplit("/", 1)[1]
        main = tab.page.locator("main")
        expect(main).to_contain_text(f"Reference: {request_id[:8].upper()}")
        expect(main).to_contain_text("within 2 business days")
        tab.step(tab.page.reload)  # a GET: nothing is sent again
        expect(main).to_contain_text(f"Reference: {request_id[:8].upper()}")
        back_to_the_form(tab)
        fill(tab, "Back Again", "back@example.com")
        tab.click(tab.page.locator(send_button(tab)))
        assert tab.page.url.endswith(f"/appointment/sent/{request_id}?again=same"), tab.page.url
        expect(main).to_contain_text("You had already sent this request")
        tab.step(tab.page.reload)
        expect(main).to_contain_text(f"Reference: {request_id[:8].upper()}")
    assert [row[0] for row in requests_named(own_server, "Back Again")] == [request_id]


@pytest.mark.browser
def test_the_inbox_fits_360_px_with_age_kind_and_duplicates(
    browser: Browser, own_server: Server, axe_source: str
) -> None:
    with tabs_on(browser, own_server, axe_source) as open_tab:
        for name in ("Dup Once", "Dup Twice"):
            patient = open_tab()
            open_form(patient)
            fill(patient, name, "same.person@example.com")
            patient.click(patient.page.locator(send_button(patient)))
            assert "/appointment/sent/" in patient.page.url
        desk = open_tab(NARROW)
        desk.goto("/staff")
        desk.page.fill("#email", DESK_EMAIL)
        desk.page.fill("#password", DESK_PASSWORD)
        desk.click(desk.page.locator("main form[action='/staff/signin'] button[type='submit']"))
        assert desk.page.url == desk.url("/staff"), desk.page.url
        rows = desk.page.locator("main table.inbox tbody tr")
        duplicate = rows.filter(has_text="Dup Twice")
        expect(duplicate).to_contain_text("Possible duplicate")
        age = age_on(date(1961, 4, 23), datetime.now(UTC).date())
        expect(duplicate.locator("td[data-label='Age']")).to_contain_text(str(age))
        expect(duplicate.locator("td[data-label='Kind']")).not_to_be_empty()
        widths = desk.page.evaluate(
            """() => ({
                document: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                box: document.querySelector('main .table-scroll').scrollWidth,
                boxClient: document.querySelector('main .table-scroll').clientWidth,
            })"""
        )
        print(f"inbox at 360 px: {widths}")
        assert widths["viewport"] == NARROW["width"]
        assert widths["document"] <= widths["viewport"], widths
        assert widths["box"] <= widths["boxClient"], widths
        desk.audit("inbox at 360 px")
        desk.click(duplicate.locator("th a"))
        expect(desk.page.locator("#duplicates-heading")).to_contain_text("same person")
        desk.audit("a request flagged as a likely duplicate at 360 px")
        desk.assert_clean()
