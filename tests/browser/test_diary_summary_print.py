"""The diary's summary for a doctor, printed by Chromium the way a person prints it:
a typical diary (the last 8 weeks, about 30 episodes of two kinds) fits on one sheet of
Letter paper, read back with pdfinfo and pdftotext, in type still readable on paper.

Also the summary of a short diary, which lists each episode instead of summing up the
weeks. Every page gets the patient pages' checks (no sideways scroll at 360 px, no
serious or critical axe-core violation, nothing asked of another host).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.browsing import Tab

PASSWORD = "amber orchard whistle 42"
SMALLEST_PRINTED_PT = 7.5
"""The smallest type on the printed page, in points: a table's figures are still read
without a magnifier at 7.5 pt (the clinic's one-page PDF uses 7 pt)."""


def sign_up(tab: Tab, email: str) -> None:
    response = tab.page.request.post(
        tab.url("/api/v1/auth/signup"), data={"email": email, "password": PASSWORD}
    )
    assert response.status == 201, response.text()


def log(tab: Tab, body: dict[str, Any]) -> None:
    response = tab.page.request.post(tab.url("/api/v1/episodes"), data=body)
    assert response.status == 201, response.text()


def typical_diary(tab: Tab) -> int:
    """Eight weeks of a typical diary: 22 calf or foot cramps, mostly at night, with home
    care now and then, and 8 eyelid twitches in the last three weeks; how many."""
    now = datetime.now().astimezone()
    logged = 0
    for index in range(22):
        days = 1 + index * 55 / 22
        tried = [["stretching"], ["stretching", "massage"], [], ["fluids"]][index % 4]
        log(
            tab,
            {
                "started_at": (now - timedelta(days=days, hours=index % 5)).isoformat(),
                "feel": "cramp",
                "site": "site_foot" if index % 5 == 0 else "site_calf",
                "side": ["left", "right", "both"][index % 3],
                "pain": 3 + (index * 5) % 7,
                "duration_minutes": [0.5, 2, 4, 7, 12][index % 5],
                "activity": "sleeping" if index % 4 != 3 else "resting",
                "context": ["poor_sleep"] if index % 3 == 0 else [],
                "tried": tried,
                "helped": [True, False, None][index % 3] if tried else None,
                "notes": "woke me up, hard to walk on in the morning" if index % 6 == 0 else None,
            },
        )
        logged += 1
    for index in range(8):
        log(
            tab,
            {
                "started_at": (now - timedelta(days=1 + index * 2.5, hours=3)).isoformat(),
                "feel": "twitch",
                "site": "site_eyelid",
                "side": "left",
                "pain": 0,
                "duration_minutes": 1,
                "activity": "working",
            },
        )
        logged += 1
    return logged


def printed(tab: Tab) -> tuple[bytes, float]:
    """The page as Chromium prints it (print styles, the page's own Letter size) and the
    smallest font size of any text on it then, in points."""
    tab.page.emulate_media(media="print")
    smallest = tab.page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *')]
            .filter(el => el.offsetParent !== null && [...el.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    body = tab.page.pdf(prefer_css_page_size=True, print_background=True)
    tab.page.emulate_media(media="screen")
    return body, float(smallest) * 72 / 96


def read_back(body: bytes) -> tuple[int, tuple[int, int], str]:
    """Pages, page size in points and text of a PDF, through pdfinfo and pdftotext."""
    info_tool, text_tool = shutil.which("pdfinfo"), shutil.which("pdftotext")
    if info_tool is None or text_tool is None:
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "summary.pdf"
        pdf.write_bytes(body)
        info = subprocess.run(
            [info_tool, str(pdf)], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        text = subprocess.run(
            [text_tool, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    pages = re.search(r"Pages:\s+(\d+)", info)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert pages and size, info
    return int(pages.group(1)), (round(float(size.group(1))), round(float(size.group(2)))), text


@pytest.mark.browser
def test_a_typical_diary_prints_on_one_letter_page(narrow_tab: Tab) -> None:
    tab = narrow_tab
    sign_up(tab, "lena.fox@example.com")
    total = typical_diary(tab)
    assert tab.goto("/diary/summary") == 200
    main = tab.page.locator("main")
    expect(tab.page.locator("h1")).to_have_text("My crampcheck diary, for my doctor")
    expect(main.locator("#cramp-heading")).to_have_text("Cramps")
    expect(main.locator("#twitch-heading")).to_have_text("Twitching")
    # Too many episodes to list on one page: each of the 8 weeks is summed up instead.
    weeks = main.locator("table.diary-weeks tbody tr")
    expect(weeks).to_have_count(8)
    counted = sum(int(weeks.nth(i).locator("td").nth(0).inner_text()) for i in range(8))
    assert counted == total
    expect(main.locator("table.diary-table")).to_have_count(0)
    expect(main).to_contain_text(f"{total} episodes in the last 8 weeks")
    tab.audit("diary summary for a doctor (typical diary)")

    body, smallest = printed(tab)
    pages, size, text = read_back(body)
    print(f"typical diary summary: {pages} page(s), {size}, smallest type {smallest:.1f} pt")
    assert size == (612, 792), "Letter"
    assert pages == 1, text
    assert smallest >= SMALLEST_PRINTED_PT, smallest
    for words in ("Cramps", "Twitching", "Week starting", "Print or save as PDF"):
        assert (words in text) == (words != "Print or save as PDF"), words
    tab.assert_clean()


@pytest.mark.browser
def test_a_short_diary_lists_each_episode(narrow_tab: Tab) -> None:
    tab = narrow_tab
    sign_up(tab, "omar.reed@example.com")
    now = datetime.now().astimezone()
    for days in (2, 9, 20):
        log(
            tab,
            {
                "started_at": (now - timedelta(days=days)).isoformat(),
                "site": "site_calf",
                "pain": 4,
                "duration_minutes": 0.5,
                "tried": ["stretching"],
                "helped": True,
            },
        )
    assert tab.goto("/diary/summary") == 200
    rows = tab.page.locator("main table.diary-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("30 seconds")
    expect(tab.page.locator("main table.diary-weeks")).to_have_count(0)
    tab.audit("diary summary for a doctor (short diary)")
    body, _ = printed(tab)
    pages, _, _ = read_back(body)
    assert pages == 1
    tab.assert_clean()
