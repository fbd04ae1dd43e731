"""Behind a TLS-terminating reverse proxy (the security review's M2), and throttles that
cannot be reset or turned against staff (M3, L1).

The application believes ``X-Forwarded-For`` and ``X-Forwarded-Proto`` only from the
addresses of the ``trusted_proxies`` setting (none by default). From a trusted proxy, a
request that reached the proxy over HTTPS gets ``Secure`` cookies and HSTS, and the
throttles and the audit log count the client's address; from anyone else the headers are
ignored, so a client cannot choose its own address. ``tests/web/test_nginx_proxy.py``
runs the same promises through a real nginx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.testclient import TestClient

from crampcheck.services import throttle
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from tests.services.test_accounts import PASSWORD, api_sign_up
from tests.web.test_staff_inbox import PASSWORD as STAFF_PASSWORD
from tests.web.test_staff_inbox import add_member, events
from tests.web.test_web_pages import form_to, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")

PROXY = "127.0.0.1"
CLINICIAN = "clinician-auger-podiatry@clinic.example"


@pytest.fixture
def proxied_app(web_settings: Settings, pipeline: Pipeline) -> Iterator[FastAPI]:
    """The application with 127.0.0.1 as its trusted proxy."""
    from crampcheck.web.app import create_app

    settings = web_settings.model_copy(update={"trusted_proxies": f"{PROXY}, 10.0.0.0/8"})
    upgrade(settings.effective_database_url)
    application = create_app(settings, pipeline)
    yield application
    application.state.crampcheck.engine.dispose()


def peer(app: FastAPI, address: str) -> TestClient:
    """A client whose connection comes from ``address`` (a proxy, or a client directly)."""
    return TestClient(app, client=(address, 40000))


def forwarded(client_address: str, proto: str = "https") -> dict[str, str]:
    """The headers a proxy adds for a client at ``client_address``."""
    return {"x-forwarded-for": client_address, "x-forwarded-proto": proto}


def staff_sign_in(client: TestClient, password: str, headers: dict[str, str]) -> Any:
    return client.post(
        "/api/staff/session", json={"email": CLINICIAN, "password": password}, headers=headers
    )


def page_sign_up_response(client: TestClient, email: str, headers: dict[str, str]) -> Any:
    """The sign-up page's answer (a 303 that sets the session cookie)."""
    client.headers.update(headers)
    form = form_to(client.get("/account/signup").text, "/account/signup")
    # The connection from the proxy is plain HTTP, so the client library keeps a Secure
    # cookie to itself; send the jar as a browser talking HTTPS to the proxy would.
    client.headers["cookie"] = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
    return submit(
        client,
        form,
        change={"email": email, "password": PASSWORD, "password_again": PASSWORD},
    )


# ---------------------------------------------------------------- the setting


def test_trusted_proxies_refuses_what_is_not_an_address(web_settings: Settings) -> None:
    with pytest.raises(ValidationError, match="CRAMPCHECK_TRUSTED_PROXIES: 'proxy.example'"):
        Settings(**{**web_settings.model_dump(), "trusted_proxies": "127.0.0.1, proxy.example"})
    assert Settings(**{**web_settings.model_dump(), "trusted_proxies": ""}).trusted_proxy_list == []
    for everyone in ("0.0.0.0/0", "::/0"):
        with pytest.raises(ValidationError, match="would trust every address"):
            Settings(**{**web_settings.model_dump(), "trusted_proxies": everyone})


# ---------------------------------------------------------------- scheme: Secure cookies, HSTS


def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(
    proxied_app: FastAPI,
) -> None:
    with peer(proxied_app, PROXY) as client:
        client.follow_redirects = False
        response = page_sign_up_response(client, "secure@example.org", forwarded("198.51.100.4"))
        assert response.status_code == 303, response.text
        cookie = response.headers["set-cookie"]
        assert "; secure" in cookie.lower(), cookie
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_forwarded_headers_from_anyone_else_are_ignored(app: FastAPI, proxied_app: FastAPI) -> None:
    """With no trusted proxy (the default), and from an address that is not one."""
    for application, address in ((app, PROXY), (proxied_app, "192.0.2.9")):
        with peer(application, address) as client:
            client.follow_redirects = False
            response = page_sign_up_response(
                client, f"plain-{address}@example.org", forwarded("198.51.100.4")
            )
            assert response.status_code == 303, response.text
            assert "secure" not in response.headers["set-cookie"].lower()
            assert "strict-transport-security" not in response.headers


# ---------------------------------------------------------------- addresses: throttles, audit


def test_each_client_behind_the_proxy_has_its_own_address_counter(proxied_app: FastAPI) -> None:
    add_member(proxied_app, "clinician")
    with peer(proxied_app, PROXY) as client:
        for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
            wrong = {"email": f"nobody-{n}@clinic.example", "password": "wrong password 1"}
            response = client.post(
                "/api/staff/session", json=wrong, headers=forwarded("203.0.113.1")
            )
            assert response.status_code == 401, response.text
        refused = staff_sign_in(client, STAFF_PASSWORD, forwarded("203.0.113.1"))
        assert refused.status_code == 429, refused.text
        # Another client of the same proxy is not locked out by the first one's guesses.
        assert staff_sign_in(client, STAFF_PASSWORD, forwarded("203.0.113.2")).status_code == 200
    sign_ins = events(proxied_app, action="sign_in")
    assert [e.address for e in sign_ins] == ["203.0.113.2"]


def test_a_client_cannot_choose_its_address_through_the_proxy(proxied_app: FastAPI) -> None:
    """nginx appends the address it saw to whatever the client sent; the client's own
    value, on the left, is not believed."""
    add_member(proxied_app, "clinician")
    with peer(proxied_app, PROXY) as client:
        spoofed = {"x-forwarded-for": "6.6.6.6, 203.0.113.7", "x-forwarded-proto": "https"}
        assert staff_sign_in(client, STAFF_PASSWORD, spoofed).status_code == 200
    with peer(proxied_app, "192.0.2.9") as client:
        assert staff_sign_in(client, STAFF_PASSWORD, forwarded("6.6.6.6")).status_code == 200
    assert [e.address for e in events(proxied_app, action="sign_in")] == [
        "203.0.113.7",
        "192.0.2.9",
    ]


# ---------------------------------------------------------------- throttles (M3, L1)


def test_a_right_password_does_not_reset_the_count_of_guesses_from_an_address(
    client: TestClient,
) -> None:
    """The review's password spray: wrong guesses at other accounts, then one right
    sign-in to one's own, repeated. The right one clears that account's counter only."""
    own = "sprayer@example.org"
    api_sign_up(client, own)
    mine = {"email": own, "password": PASSWORD}
    limit = throttle.MAX_FAILURES_PER_ADDRESS
    for n in range(limit):
        wrong = {"email": f"victim-{n}@example.org", "password": "Summer2026!x"}
        assert client.post("/api/v1/auth/signin", json=wrong).status_code == 401
        if n % 4 == 3 and n < limit - 1:
            assert client.post("/api/v1/auth/signin", json=mine).status_code == 200
    final = {"email": "victim-last@example.org", "password": "Summer2026!x"}
    assert client.post("/api/v1/auth/signin", json=final).status_code == 429
    assert client.post("/api/v1/auth/signin", json=mine).status_code == 429


def test_patients_failures_never_lock_the_clinics_staff_out(
    client: TestClient, app: FastAPI
) -> None:
    """Patients and staff count apart, even from one address (a clinic's front desk
    behind one router)."""
    add_member(app, "clinician")
    for n in range(throttle.MAX_FAILURES_PER_ADDRESS + 1):
        client.post(
            "/api/v1/auth/signin",
            json={"email": f"patient-{n}@example.org", "password": "wrong password 1"},
        )
    assert staff_sign_in(client, STAFF_PASSWORD, {}).status_code == 200


def test_a_flood_of_failed_staff_sign_ins_adds_two_audit_events_not_one_per_attempt(
    client: TestClient, app: FastAPI
) -> None:
    """The review's L1: 300 failed sign-ins added 300 rows. Now one event opens the
    window, one says the account is locked, and attempts the throttle refuses add none."""
    add_member(app, "clinician")
    answers = [staff_sign_in(client, f"guess number {n}", {}).status_code for n in range(60)]
    assert answers[: throttle.MAX_FAILURES_PER_ACCOUNT] == [401] * throttle.MAX_FAILURES_PER_ACCOUNT
    assert set(answers[throttle.MAX_FAILURES_PER_ACCOUNT :]) == {429}
    failed = events(app, action="sign_in_failed")
    assert [e.detail for e in failed] == [
        "wrong password or inactive account; further failures in the next 15 minutes are "
        "counted, not logged (API)",
        "account locked for 15 minutes after 5 failed sign-ins (API)",
    ]
