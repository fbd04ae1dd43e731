"""An account and its diary in a real browser on a 360 x 780 phone screen, from signing up
to deleting the account: three episodes logged through the form (each timed, from opening
the form to the saved notice), the list, the month, an edit, patterns with too little and
with enough diary, a diary whose home care does not help ending in "time to see a doctor"
with its reasons, sources and an appointment form, the three downloads, a new password,
and the account deleted with its session.

Every page on the way, and every form with its errors, gets the same checks as the
patient pages (no sideways scroll at 360 px, no serious or critical axe-core violation,
no request to another host, no Content Security Policy error).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import APIResponse, Locator, expect

from tests.browser.browsing import Tab

EMAIL = "rosa.diaz@example.com"
PASSWORD = "quiet harbour lantern 27"
NEW_PASSWORD = "copper meadow violin 58"
SESSION_COOKIE = "crampcheck_session"

# A diary that does not improve: home care tried and no relief, over 25 days, one
# episode every three days or so; poor sleep on four of those days.
API_DAYS_AGO = (4, 7, 10, 13, 16, 19, 22, 25)
POOR_SLEEP_DAYS = (4, 10, 16, 22)
HOME_CARE_RULE = "diary-home-care-not-helping"


# ---------------------------------------------------------------- small helpers


def save_button(tab: Tab) -> Locator:
    return tab.page.locator("main form.episode-form button[type='submit']")


def notice(tab: Tab) -> str:
    return tab.page.locator("main .notice-ok[role='status']").inner_text().strip()


def api_get(tab: Tab, path: str) -> APIResponse:
    """A GET to the API with this browser's cookies."""
    return tab.page.request.get(tab.url(path))


def status_with_token(tab: Tab, path: str, token: str) -> int:
    """The status of a GET to the API with ``token`` as a bearer token and no cookie."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=tab.base_url, timeout=10, trust_env=False) as http:
        return http.get(path, headers=headers).status_code


def session_cookie(tab: Tab) -> str | None:
    for cookie in tab.page.context.cookies(tab.base_url):
        if cookie["name"] == SESSION_COOKIE:
            return cookie["value"]
    return None


def download(tab: Tab, href: str) -> tuple[str, str]:
    """Click the account page's download link to ``href``: the file's name and text."""
    with tab.page.expect_download() as started:
        tab.page.locator(f'main a[href="{href}"]').click()
    saved = started.value
    path = saved.path()
    assert path is not None and saved.failure() is None, (href, saved.failure())
    return saved.suggested_filename, path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the steps


def sign_up(tab: Tab) -> None:
    assert tab.goto("/account/signup") == 200
    expect(tab.page.locator("h1")).to_have_text("Create an account")
    tab.audit("sign up")
    tab.page.fill("#email", "not an address")
    tab.page.fill("#password", "short")
    tab.click(tab.page.locator("main form[action='/account/signup'] button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    expect(tab.page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(tab.page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(tab.page.locator("#email")).to_have_value("not an address")
    expect(tab.page.locator("#password")).to_have_value("")
    assert tab.title().startswith("Error:")
    tab.audit("sign up with errors")
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#password", PASSWORD)
    tab.page.fill("#password_again", PASSWORD)
    tab.click(tab.page.locator("main form[action='/account/signup'] button[type='submit']"))
    assert tab.page.url.endswith("/diary?welcome=1"), tab.page.url
    expect(tab.page.locator("h1")).to_have_text("My diary")
    expect(tab.page.locator("main")).to_contain_text("No episodes here yet.")
    assert session_cookie(tab), "signing up signs in"
    tab.audit("episode list (new account)")


def the_form_with_errors(tab: Tab) -> None:
    """The empty form, then a time in the future and a length that is not a number."""
    tab.click(tab.page.locator("main nav.sub-nav a[href='/diary/new']"))
    expect(tab.page.locator("h1")).to_have_text("Log an episode")
    expect(tab.page.locator("#when-now")).to_be_checked()
    tab.audit("diary log form (empty)")
    tomorrow = datetime.now() + timedelta(days=2)
    tab.page.fill("#at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    tab.page.fill("#duration-amount", "a while")
    tab.click(save_button(tab))
    summary = tab.page.locator(".error-summary")
    expect(summary).to_have_count(1)
    expect(summary.locator("a[href='#at']")).to_have_count(1)
    expect(summary.locator("a[href='#duration']")).to_have_count(1)
    expect(tab.page.locator("#at")).to_have_attribute("aria-invalid", "true")
    expect(tab.page.locator("#duration-amount")).to_have_attribute("aria-invalid", "true")
    expect(tab.page.locator("#duration-amount")).to_have_value("a while")
    expect(tab.page.locator("#at-error")).to_contain_text("cannot be in the future")
    tab.audit("diary log form with field errors")
    tab.click(tab.page.locator("main form.episode-form a.button", has_text="Cancel"))
    expect(tab.page.locator("main")).to_contain_text("No episodes here yet.")


def log_episode(tab: Tab, choose: dict[str, str], at: str | None = None) -> float:
    """From the diary's 'Log an episode' button to the saved notice: the seconds taken.

    ``choose`` maps a field to the value of the radio button or checkbox to tap.
    """
    started = time.perf_counter()
    tab.click(tab.page.locator("main nav.sub-nav a[href='/diary/new']"))
    if at is not None:
        tab.page.fill("#at", at)
    for field, value in choose.items():
        for one in value.split(","):
            tab.page.locator(f"label[for='{field}-{one}']").click()
    tab.click(save_button(tab))
    # The diary says what time it stored ("last night" is a guess), with a way to change it.
    expect(tab.page.locator("main .notice-ok")).to_contain_text("The episode was saved for ")
    expect(tab.page.locator("main .notice-ok a[href$='/edit']")).to_have_count(1)
    return time.perf_counter() - started


def log_three_episodes(tab: Tab) -> None:
    two_days_ago = (datetime.now() - timedelta(days=2)).replace(hour=22, minute=15)
    logs = [
        (
            "now",
            {"site": "site_calf", "side": "left", "pain": "6", "tried": "stretching"},
            None,
        ),
        (
            "last night",
            {
                "when": "last_night",
                "site": "site_foot",
                "side": "right",
                "pain": "5",
                "tried": "massage,heat",
            },
            None,
        ),
        (
            "a date and time",
            {"site": "site_calf", "side": "both", "activity": "sleeping", "tried": "stretching"},
            two_days_ago.strftime("%Y-%m-%dT%H:%M"),
        ),
    ]
    for number, (what, choose, at) in enumerate(logs, start=1):
        seconds = log_episode(tab, {**choose, "helped": "no"}, at)
        print(f"episode {number} ({what}): logged in {seconds:.2f} s")
    assert tab.page.locator("main ol.episodes > li").count() == 3
    # US style, as the clinic's locale writes it: "Fri, Mar 14, 2025, 10:15 PM".
    day = two_days_ago
    expect(tab.page.locator("main ol.episodes > li").nth(2)).to_contain_text(
        f"{day:%a}, {day:%b} {day.day}, {day.year}, 10:15 PM"
    )
    expect(tab.page.locator("main ol.episodes")).to_contain_text("it did not help")
    tab.audit("episode list (three episodes)")


def the_month(tab: Tab) -> None:
    tab.click(tab.page.locator("main nav.sub-nav a[href='/diary/month']"))
    expect(tab.page.locator("h1")).to_contain_text("Month:")
    today = tab.page.locator("main table.month td.today")
    expect(today).to_have_class(re.compile(r"\bhas-episodes\b"))
    expect(today.locator("a[href^='/diary?day=']")).to_have_count(1)
    lines = tab.page.locator("main table.month thead abbr").evaluate_all(
        "names => names.map(name => name.getClientRects().length)"
    )
    assert lines == [1] * 7, f"a weekday's name is broken over lines: {lines}"
    tab.audit("month view")
    tab.click(today.locator("a"))
    assert "/diary?day=" in tab.page.url
    assert tab.page.locator("main ol.episodes > li").count() >= 1
    tab.audit("episode list (one day)")


def edit_check_and_keep(tab: Tab) -> None:
    """Change the newest episode, see its check and its delete question (and keep it)."""
    tab.goto("/diary")
    newest = tab.page.locator("main ol.episodes > li").first
    tab.click(newest.locator("a[href$='/edit']"))
    expect(tab.page.locator("h1")).to_have_text("Change an episode")
    expect(tab.page.locator("#pain-6")).to_be_checked()
    expect(tab.page.locator("#tried-stretching")).to_be_checked()
    tab.audit("episode edit")
    tab.page.fill("#duration-amount", "abc")
    tab.click(save_button(tab))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("episode edit with errors")
    tab.page.fill("#duration-amount", "40")
    tab.page.locator("label[for='duration_unit-seconds']").click()
    tab.page.locator("label[for='pain-7']").click()
    tab.click(save_button(tab))
    assert notice(tab) == "The episode was changed."
    newest = tab.page.locator("main ol.episodes > li").first
    expect(newest).to_contain_text("7 out of 10")
    expect(newest).to_contain_text("40 seconds")

    tab.click(newest.locator("a[href$='/check']"))
    expect(tab.page.locator("#result-heading")).to_be_visible()
    tab.audit("episode check (result)")

    tab.goto("/diary")
    tab.click(tab.page.locator("main ol.episodes > li").first.locator("a[href$='/delete']"))
    expect(tab.page.locator("h1")).to_have_text("Delete this episode?")
    tab.audit("episode delete confirmation")
    tab.click(tab.page.locator("main a.button", has_text="Keep it"))
    assert tab.page.locator("main ol.episodes > li").count() == 3


def patterns_with_too_little(tab: Tab) -> None:
    tab.click(tab.page.locator("main nav.sub-nav a[href='/diary/patterns']"))
    expect(tab.page.locator("h1")).to_have_text("Patterns in your diary")
    main = tab.page.locator("main")
    expect(main).to_contain_text("Not enough diary yet to compare days.")
    expect(main).to_contain_text("can be said once your diary covers 56 days")
    expect(main).not_to_contain_text("more than before")
    expect(main.locator("#doctor-heading")).to_have_count(0)
    charts_drawn(tab)
    tab.audit("patterns (too little diary)")


def charts_drawn(tab: Tab) -> None:
    """Each chart is an image the browser drew, with a text alternative and its table."""
    figures = tab.page.locator("main figure.chart")
    expect(figures).to_have_count(3)
    for index in range(3):
        image = figures.nth(index).locator("img")
        drawn = image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert drawn, f"chart {image.get_attribute('src')} was not drawn"
        assert (image.get_attribute("alt") or "").strip()
    svgs = [r for r in tab.step_responses if ".svg" in r.url]
    assert len(svgs) == 3 and all(r.status == 200 for r in svgs), [(r.url, r.status) for r in svgs]
    assert all(r.headers["content-type"].startswith("image/svg+xml") for r in svgs)
    rows = [
        tab.page.locator("main details table.data").nth(i).locator("tbody tr").count()
        for i in range(3)
    ]
    assert rows == [12, 24, 12], rows


def diary_that_does_not_improve(tab: Tab) -> None:
    """Eight more episodes through the API, with this browser's session: home care
    tried, no relief, over 25 days."""
    now = datetime.now().astimezone()
    for days in API_DAYS_AGO:
        body = {
            "started_at": (now - timedelta(days=days, hours=days % 5)).isoformat(),
            "site": "site_calf",
            "side": "left",
            "pain": 5 + days % 2,
            "duration_minutes": 3 + days % 4,
            "activity": "resting",
            "tried": ["stretching", "massage"],
            "helped": False,
            "context": ["poor_sleep"] if days in POOR_SLEEP_DAYS else [],
        }
        response = tab.page.request.post(tab.url("/api/v1/episodes"), data=body)
        assert response.status == 201, response.text()
    listed = api_get(tab, "/api/v1/episodes?limit=100").json()
    assert len(listed["items"]) == 3 + len(API_DAYS_AGO)


def patterns_with_enough(tab: Tab) -> list[dict[str, Any]]:
    """The patterns page says it is time to see a doctor, why, and on whose word."""
    found = api_get(tab, "/api/v1/patterns").json()
    escalations: list[dict[str, Any]] = found["escalations"]
    assert HOME_CARE_RULE in {e["rule_id"] for e in escalations}, escalations
    assert found["diary_days"] >= 14 and found["enough_for_factors"]

    tab.goto("/diary/patterns")
    main = tab.page.locator("main")
    banner = main.locator("section.banner-doctor")
    expect(banner.locator("h2")).to_have_text("Time to see a doctor")
    items = banner.locator("ul.statements > li")
    expect(items).to_have_count(len(escalations))
    for item, escalation in zip(items.all(), escalations, strict=True):
        expect(item).to_contain_text(escalation["reason"])
        expect(item.locator(".escalation-sources")).to_contain_text("Source:")
        for source in escalation["sources"]:
            expect(item).to_contain_text(source["title"])
            if source["url"]:
                expect(item.locator(f'a[href="{source["url"]}"]')).to_have_count(1)
    linked = banner.locator(".escalation-sources a[href^='https://']")
    assert linked.count() >= 1, "no escalation links to its source"
    expect(banner).to_contain_text("Stretching: tried")
    expect(main).not_to_contain_text("Not enough diary yet")
    factors = main.locator("section[aria-labelledby='cramp-factors-heading']")
    expect(factors).to_contain_text("Poor sleep")
    charts_drawn(tab)
    tab.audit("patterns (enough diary, time to see a doctor)")
    for section in ("often", "when", "where", "typical", "factors", "care"):
        heading = main.locator(f"#cramp-{section}-heading")
        expect(heading).to_have_count(1)
        heading.scroll_into_view_if_needed()
        tab.audit(f"patterns: section '{heading.inner_text()}'")
    return escalations


def summary_for_the_doctor(tab: Tab) -> None:
    """The diary's summary to print: one sheet of Letter paper, read back with pdfinfo."""
    tab.goto("/diary/patterns")
    tab.click(tab.page.locator("main a[href='/diary/summary']"))
    expect(tab.page.locator("h1")).to_have_text("My crampcheck diary, for my doctor")
    expect(tab.page.locator("main table.diary-table tbody tr")).to_have_count(3 + len(API_DAYS_AGO))
    expect(tab.page.locator("main button[data-print]")).to_be_visible()
    tab.audit("diary summary for a doctor")
    tab.page.emulate_media(media="print")
    body = tab.page.pdf(prefer_css_page_size=True, print_background=True)
    tab.page.emulate_media(media="screen")
    tool = shutil.which("pdfinfo")
    if tool is not None:
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "diary.pdf"
            pdf.write_bytes(body)
            info = subprocess.run(
                [tool, str(pdf)], capture_output=True, text=True, check=True, timeout=60
            ).stdout
        pages = re.search(r"Pages:\s+(\d+)", info)
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert pages and size, info
        print(f"diary summary: {pages.group(1)} page(s), {size.group(1)} x {size.group(2)} pt")
        assert (round(float(size.group(1))), round(float(size.group(2)))) == (612, 792), info
        assert int(pages.group(1)) == 1, info


def appointment_from_the_diary(tab: Tab) -> None:
    tab.click(tab.page.locator("main section.banner-doctor form[action='/appointment/new'] button"))
    expect(tab.page.locator("h1")).to_contain_text("Request an appointment")
    expect(tab.page.locator("main form[action='/appointment']")).to_have_count(1)
    expect(tab.page.locator("#name")).to_be_visible()
    tab.audit("appointment form (from the diary)")


def the_downloads(tab: Tab) -> None:
    tab.goto("/diary")
    tab.click(tab.page.locator("main nav.sub-nav a[href='/account']"))
    expect(tab.page.locator("h1")).to_have_text("Your account")
    tab.audit("account home (downloads)")
    total = 3 + len(API_DAYS_AGO)

    name, text = download(tab, "/account/export/json")
    assert name.endswith(".json"), name
    everything = json.loads(text)
    assert everything["account"]["email"] == EMAIL
    assert len(everything["episodes"]) == total
    assert sum(1 for e in everything["episodes"] if e["helped"] is False) == total

    name, text = download(tab, "/account/export/csv")
    assert name.endswith(".csv"), name
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == total
    assert {r["Episode id"] for r in rows} == {e["id"] for e in everything["episodes"]}
    assert all(r["Helped"] == "No" for r in rows), {r["Helped"] for r in rows}
    assert {r["Where"] for r in rows} <= {"Calf", "Foot or toes"}, "labels, not codes"
    # Local times, their zone named: "America/Denver (MDT)".
    assert all(re.fullmatch(r"\S+ \(\S+\)", r["Time zone"]) for r in rows), rows[0]
    assert all(re.fullmatch(r"\d{1,2}:\d\d [AP]M", r["Time"]) for r in rows), rows[0]

    name, text = download(tab, "/account/export/fhir")
    assert name.endswith(".json"), name
    bundle = json.loads(text)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("Observation") == total, kinds
    print(f"downloads: JSON, CSV and FHIR each with {total} episodes")


def time_zone_page(tab: Tab) -> None:
    tab.goto("/account")
    tab.click(tab.page.locator("main a[href='/account/timezone']"))
    expect(tab.page.locator("h1")).to_have_text("Your time zone")
    tab.audit("time zone")
    tab.page.fill("#tz", "Mars/Olympus_Mons")
    tab.click(tab.page.locator("main form[action='/account/timezone'] button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("time zone with errors")


def change_the_password(tab: Tab) -> None:
    tab.goto("/account")
    tab.click(tab.page.locator("main a[href='/account/password']"))
    expect(tab.page.locator("h1")).to_have_text("Change your password")
    tab.audit("change password")
    send = tab.page.locator("main form[action='/account/password'] button[type='submit']")
    tab.page.fill("#current_password", "not my password at all")
    tab.page.fill("#new_password", NEW_PASSWORD)
    tab.page.fill("#new_password_again", NEW_PASSWORD)
    tab.click(send)
    expect(tab.page.locator(".error-summary")).to_contain_text("The current password is not right.")
    expect(tab.page.locator("#current_password")).to_have_attribute("aria-invalid", "true")
    tab.audit("change password with errors")
    before = session_cookie(tab)
    tab.page.fill("#current_password", PASSWORD)
    tab.page.fill("#new_password", NEW_PASSWORD)
    tab.page.fill("#new_password_again", NEW_PASSWORD)
    tab.click(send)
    assert tab.page.url.endswith("/account?done=password"), tab.page.url
    assert notice(tab).startswith("Your password was changed.")
    after = session_cookie(tab)
    assert after and after != before, "a new session after the password changes"
    assert before is not None and status_with_token(tab, "/api/v1/episodes", before) == 401
    tab.audit("account home (password changed)")


def sign_out_and_in(tab: Tab) -> None:
    tab.click(tab.page.locator("header .nav-form button[type='submit']"))
    assert "/account/signin?done=signed_out" in tab.page.url, tab.page.url
    assert session_cookie(tab) is None
    expect(tab.page.locator("main .notice-ok")).to_have_text("You are signed out.")
    tab.audit("sign in (signed out)")
    send = tab.page.locator("main form[action='/account/signin'] button[type='submit']")
    tab.click(send)
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("sign in with errors (empty)")
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#password", PASSWORD)
    tab.click(send)
    expect(tab.page.locator(".error-summary")).to_contain_text(
        "The email address or password is not right."
    )
    tab.audit("sign in with errors (the old password)")
    tab.page.fill("#password", NEW_PASSWORD)
    tab.click(send)
    assert tab.page.url.endswith("/diary"), tab.page.url
    assert tab.page.locator("main ol.episodes > li").count() == 3 + len(API_DAYS_AGO)


def delete_the_account(tab: Tab) -> None:
    tab.goto("/account")
    tab.click(tab.page.locator("main a[href='/account/delete']"))
    expect(tab.page.locator("h1")).to_have_text("Delete your account")
    expect(tab.page.locator("main")).to_contain_text(EMAIL)
    tab.audit("delete confirmation")
    send = tab.page.locator("main form[action='/account/delete'] button[type='submit']")
    tab.page.fill("#password", PASSWORD)
    tab.click(send)
    expect(tab.page.locator(".error-summary")).to_contain_text(
        "That password is not right. Your account was not deleted."
    )
    tab.audit("delete confirmation with errors")
    token = session_cookie(tab)
    assert token is not None
    tab.page.fill("#password", NEW_PASSWORD)
    tab.click(send)
    assert "/account/signin?done=deleted" in tab.page.url, tab.page.url
    expect(tab.page.locator("main .notice-ok")).to_have_text(
        "Your account and your diary were deleted."
    )
    tab.audit("sign in (account deleted)")

    assert session_cookie(tab) is None, "the session cookie is gone"
    assert status_with_token(tab, "/api/v1/episodes", token) == 401, "the session is gone"
    assert api_get(tab, "/api/v1/episodes").status == 401
    tab.goto("/diary")
    assert "/account/signin" in tab.page.url, tab.page.url
    tab.page.fill("#email", EMAIL)
    tab.page.fill("#password", NEW_PASSWORD)
    tab.click(tab.page.locator("main form[action='/account/signin'] button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_contain_text(
        "The email address or password is not right."
    )
    assert session_cookie(tab) is None
    tab.audit("sign in with errors (deleted account)")


@pytest.mark.browser
def test_a_diary_from_sign_up_to_deleting_the_account(narrow_tab: Tab) -> None:
    tab = narrow_tab
    sign_up(tab)
    the_form_with_errors(tab)
    log_three_episodes(tab)
    the_month(tab)
    edit_check_and_keep(tab)
    patterns_with_too_little(tab)
    diary_that_does_not_improve(tab)
    escalations = patterns_with_enough(tab)
    print(f"time to see a doctor: {[e['rule_id'] for e in escalations]}")
    summary_for_the_doctor(tab)
    tab.goto("/diary/patterns")
    appointment_from_the_diary(tab)
    the_downloads(tab)
    time_zone_page(tab)
    change_the_password(tab)
    sign_out_and_in(tab)
    delete_the_account(tab)
    print(f"checked {len(tab.audited)} pages: {tab.audited}")
    tab.assert_clean()
    assert not tab.failed_requests, tab.failed_requests
