"""Home, Learn and the clinic page in Chromium (issue 14, item 7): the check's button on
a phone's first screen, the drawings of the stretches loaded with their text
alternatives, and no serious or critical axe-core violation at 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.browsing import Tab
from tests.browser.conftest import Server, tabs_on

PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 640}]
LEARN = [
    "/learn",
    "/learn/cramps-and-spasms",
    "/learn/causes",
    "/learn/home-treatment",
    "/learn/professional-treatment",
    "/learn/when-to-see-a-doctor",
    "/learn/sources",
]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_check_button_is_on_a_phones_first_screen(
    browser: Browser, server: Server, viewport: dict[str, int]
) -> None:
    with tabs_on(browser, server) as open_tab:
        tab = open_tab(viewport)
        assert tab.goto("/") == 200
        button = tab.page.locator('main a.button.primary[href="/check"]')
        box = button.bounding_box()
        assert box is not None
        print(
            f"{viewport}: the check's button spans y {box['y']:.0f}-{box['y'] + box['height']:.0f}"
        )
        assert box["y"] >= 0 and box["x"] >= 0
        assert box["y"] + box["height"] <= viewport["height"], box
        assert box["x"] + box["width"] <= viewport["width"], box
        # the way to 911 comes first, on the same screen
        call = tab.page.locator('main a[href="tel:911"]').first.bounding_box()
        assert call is not None and call["y"] + call["height"] <= box["y"]


@pytest.mark.browser
def test_home_learn_and_clinic_pass_axe_at_360_px(narrow_tab: Tab) -> None:
    tab = narrow_tab
    for path in ["/", *LEARN, "/clinic"]:
        assert tab.goto(path) == 200, path
        tab.audit(path)
    tab.goto("/learn/home-treatment")
    images = tab.page.locator("main figure.drawing img")
    assert images.count() == 4
    for i in range(images.count()):
        image = images.nth(i)
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), i
        assert len(image.get_attribute("alt") or "") > 40
    print(f"checked {len(tab.audited)} pages: {tab.audited}")
    tab.assert_clean()
