"""Changing a password: staff change their own from /staff/password; for patients and
staff alike the current password is checked under the sign-in throttle (a stolen session
cannot be used to guess it), every other session ends, and this client gets a new one.
Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.services.throttle import MAX_FAILURES_PER_ACCOUNT
from tests.services.test_accounts import NEW_PASSWORD, api_sign_up, bearer
from tests.web.test_staff_pages import (
    DESK,
    PASSWORD,
    add_member,
    alive,
    events,
    sign_in,
    staff_token,
)
from tests.web.test_web_pages import form_to, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")


def change(client: TestClient, current: str, new: str, again: str | None = None) -> int:
    html = client.get("/staff/password").text
    response = submit(
        client,
        form_to(html, "/staff/password"),
        change={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )
    return response.status_code


def test_staff_change_their_password_and_every_other_session_ends(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, DESK, "front_desk")
    with TestClient(app) as elsewhere:
        sign_in(elsewhere, DESK)
        other_token = staff_token(elsewhere)
    sign_in(client, DESK)
    old_token = staff_token(client)
    assert "/staff/password" in client.get("/staff").text  # in the navigation
    assert change(client, "not the password", NEW_PASSWORD) == 422
    assert change(client, PASSWORD, NEW_PASSWORD, again="something else") == 422
    assert change(client, PASSWORD, "short") == 422
    assert change(client, PASSWORD, NEW_PASSWORD) == 303
    assert not alive(app, other_token) and not alive(app, old_token)
    assert alive(app, staff_token(client))
    assert "Your password was changed" in client.get("/staff/password?done=changed").text
    assert [e.action for e in events(app, action="change_password")] == ["change_password"]
    client.cookies.clear()
    sign_in(client, DESK, PASSWORD, expect=422)
    sign_in(client, DESK, NEW_PASSWORD)


def test_the_staff_password_form_needs_its_token(app: FastAPI, client: TestClient) -> None:
    add_member(app, DESK, "front_desk")
    sign_in(client, DESK)
    response = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 400
    client.cookies.clear()
    sign_in(client, DESK, PASSWORD)  # unchanged


def test_wrong_current_passwords_are_throttled_for_staff(app: FastAPI, client: TestClient) -> None:
    add_member(app, DESK, "front_desk")
    sign_in(client, DESK)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert change(client, "not the password", NEW_PASSWORD) == 422
    assert change(client, PASSWORD, NEW_PASSWORD) == 422  # the right one, too late
    assert not events(app, action="change_password")
    client.cookies.clear()
    sign_in(client, DESK, PASSWORD, expect=429)  # the sign-in shares the counter


def test_wrong_current_passwords_are_throttled_for_patients(client: TestClient) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    wrong = {"current_password": "not the password", "new_password": NEW_PASSWORD}
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        response = client.post("/api/v1/auth/password", json=wrong, headers=bearer(token))
        assert response.status_code == 422
    right = {"current_password": "plum orbit lantern 42", "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=right, headers=bearer(token))
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == "900"
    assert "Too many attempts" in response.json()["detail"]
