"""Email in Chromium, on a ``crampcheck serve`` that sends through a real SMTP server on
127.0.0.1 (aiosmtpd): a new account is finished with the link its confirmation email
carries, and a forgotten password is replaced with the link of the reset email."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.browsing import Tab
from tests.browser.conftest import Server, serving, tabs_on
from tests.smtp import SmtpServer, link_in

pytestmark = pytest.mark.browser

EMAIL = "lena.ortiz@example.com"
PASSWORD = "amber kettle orchard 51"
NEW_PASSWORD = "violet canyon ferry 88"


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, SmtpServer]]:
    from tests.smtp import run_server

    smtp_iter = run_server()
    smtp = next(smtp_iter)
    settings = {
        "CRAMPCHECK_MAIL_HOST": smtp.host,
        "CRAMPCHECK_MAIL_PORT": str(smtp.port),
        "CRAMPCHECK_MAIL_TLS": "none",
        "CRAMPCHECK_MAIL_SENDER": "no-reply@auger-podiatry.example",
    }
    try:
        with serving(Path(tmp_path_factory.mktemp("mail-server")), settings) as running:
            yield running, smtp
    finally:
        next(smtp_iter, None)


def follow(tab: Tab, server: Server, link: str) -> None:
    assert link.startswith(server.base_url + "/"), link
    assert tab.goto(link.removeprefix(server.base_url)) == 200  # noqa: PLR2004


def submit_main_form(tab: Tab) -> None:
    tab.click(tab.page.locator("main form button[type='submit']"))


def test_a_new_account_and_a_forgotten_password_by_email(
    browser: Browser, mail_server: tuple[Server, SmtpServer]
) -> None:
    server, smtp = mail_server
    with tabs_on(browser, server) as open_tab:
        tab = open_tab()
        assert tab.goto("/account/signup") == 200  # noqa: PLR2004
        tab.page.fill("#email", EMAIL)
        tab.page.fill("#password", PASSWORD)
        tab.page.fill("#password_again", PASSWORD)
        submit_main_form(tab)
        expect(tab.page.locator("h1")).to_have_text("Check your email")

        (confirmation,) = smtp.mailbox.wait_for(EMAIL, 1)
        follow(tab, server, link_in(confirmation))
        expect(tab.page.locator("h1")).to_have_text("Finish creating your account")
        tab.page.fill("#password", PASSWORD)
        submit_main_form(tab)
        assert tab.page.url.endswith("/diary?welcome=1"), tab.page.url
        expect(tab.page.locator("h1")).to_have_text("My diary")

        other = open_tab()  # another browser: forgot the password
        assert other.goto("/account/signin") == 200  # noqa: PLR2004
        other.click(other.page.get_by_role("link", name="Forgot password?"))
        expect(other.page.locator("h1")).to_have_text("Forgot your password?")
        other.page.fill("#email", EMAIL)
        submit_main_form(other)
        expect(other.page.locator("h1")).to_have_text("Check your email")

        reset = smtp.mailbox.wait_for(EMAIL, 2)[-1]
        assert "Reset your crampcheck password" in reset["Subject"]
        link = link_in(reset)
        follow(other, server, link)
        expect(other.page.locator("h1")).to_have_text("Choose a new password")
        other.page.fill("#password", NEW_PASSWORD)
        other.page.fill("#password_again", NEW_PASSWORD)
        submit_main_form(other)
        assert "/account/signin?done=reset" in other.page.url, other.page.url
        other.page.fill("#email", EMAIL)
        other.page.fill("#password", NEW_PASSWORD)
        submit_main_form(other)
        expect(other.page.locator("h1")).to_have_text("My diary")

        assert tab.goto("/diary") == 200  # noqa: PLR2004
        expect(tab.page.locator("h1")).not_to_have_text("My diary")  # signed out by the reset
        assert other.goto(link.removeprefix(server.base_url)) == 410  # noqa: PLR2004
        expect(other.page.locator("h1")).to_have_text("This link cannot be used")
