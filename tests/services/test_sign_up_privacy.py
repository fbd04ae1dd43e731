"""Sign-up does not tell who has an account by its timing, and is throttled per address
(the security review's L7: a refusal took 3.6 ms and a new account 295 ms, and 40 of 40
sign-ups from one address went through in 5.3 s)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.services import accounts, throttle
from tests.services.test_accounts import PASSWORD
from tests.web.test_web_pages import form_to, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")


def test_a_refusal_costs_the_same_password_hash_as_a_new_account(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work is counted, not timed: both answers hash the password exactly once."""
    hashes: list[str] = []
    real = accounts.hash_password

    def counting(password: str) -> str:
        hashes.append(password)
        return real(password)

    monkeypatch.setattr(accounts, "hash_password", counting)
    body = {"email": "taken@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/signup", json=body).status_code == 201
    assert len(hashes) == 1
    assert client.post("/api/v1/auth/signup", json=body).status_code == 422
    assert len(hashes) == 2  # noqa: PLR2004


def test_sign_up_is_throttled_per_address_in_the_api_and_the_pages(app: FastAPI) -> None:
    limit = throttle.MAX_SIGN_UPS_PER_ADDRESS
    with TestClient(app, client=("198.51.100.20", 1)) as one:
        for n in range(limit):
            body = {"email": f"new-{n}@example.org", "password": PASSWORD}
            assert one.post("/api/v1/auth/signup", json=body).status_code == 201
        refused = one.post(
            "/api/v1/auth/signup", json={"email": "one-more@example.org", "password": PASSWORD}
        )
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "900"
        assert "Too many new accounts" in refused.json()["detail"]
        page = submit(
            one,
            form_to(one.get("/account/signup").text, "/account/signup"),
            change={
                "email": "by-page@example.org",
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
        )
        assert page.status_code == 429
        assert "Too many new accounts" in page.text
    with TestClient(app, client=("198.51.100.21", 1)) as other:
        body = {"email": "elsewhere@example.org", "password": PASSWORD}
        assert other.post("/api/v1/auth/signup", json=body).status_code == 201
