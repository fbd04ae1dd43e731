"""A patient shares their diary with a clinic explicitly (with an appointment request,
or from the account) and can revoke it; requests made while signed in are linked to
the account. Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crampcheck.services.sharing import is_shared
from crampcheck.storage.tables import AppointmentRequest, DiaryShare, User
from tests.services.test_accounts import (
    api_sign_up,
    bearer,
    csrf_of,
    page_sign_up,
    rows,
)

CLINIC = "auger-podiatry"
TEXT = "Calf cramp last night in bed, gone after I stretched it. I am 40 and well."


pytestmark = pytest.mark.usefixtures("fast_hashing")


def request_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ana Example",
        "phone": "(801) 555-0100",
        "consent_to_share": True,
        "check": {"text": TEXT, "age": 40},
    }
    body.update(changes)
    return body


def shared_now(app: FastAPI, user_id: str) -> bool:
    with app.state.crampcheck.sessions() as session:
        return is_shared(session, user_id, CLINIC)


def user_id_of(app: FastAPI, email: str) -> str:
    (user,) = [u for u in rows(app, User) if u.email == email]
    return user.id


def test_a_request_made_signed_in_is_linked_and_can_share_the_diary(
    client: TestClient, app: FastAPI
) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    response = client.post(
        "/api/v1/appointment-requests", json=request_body(share_diary=True), headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    assert response.json()["diary_shared"] is True
    (stored,) = rows(app, AppointmentRequest)
    assert stored.user_id is not None
    assert shared_now(app, stored.user_id)


def test_sharing_needs_a_session_and_is_off_by_default(client: TestClient, app: FastAPI) -> None:
    response = client.post("/api/v1/appointment-requests", json=request_body(share_diary=True))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "share_diary"
    assert rows(app, AppointmentRequest) == []  # nothing half-written
    token = api_sign_up(client, "bo@example.com")
    client.cookies.clear()
    response = client.post(
        "/api/v1/appointment-requests", json=request_body(), headers=bearer(token)
    )
    assert response.status_code == 201 and response.json()["diary_shared"] is False
    assert rows(app, DiaryShare) == []


def test_share_list_and_revoke_through_the_api(client: TestClient, app: FastAPI) -> None:
    token = api_sign_up(client, "cy@example.com")
    client.cookies.clear()
    auth = bearer(token)
    assert client.get("/api/v1/account/shares", headers=auth).json() == []
    assert client.put(f"/api/v1/account/shares/{CLINIC}").status_code == 401
    assert client.put("/api/v1/account/shares/no-such-clinic", headers=auth).status_code == 404
    shared = client.put(f"/api/v1/account/shares/{CLINIC}", headers=auth)
    assert shared.status_code == 200 and shared.json()["active"] is True
    (listed,) = client.get("/api/v1/account/shares", headers=auth).json()
    assert listed["clinic_id"] == CLINIC and listed["revoked_at"] is None
    assert client.delete(f"/api/v1/account/shares/{CLINIC}", headers=auth).status_code == 204
    assert client.delete(f"/api/v1/account/shares/{CLINIC}", headers=auth).status_code == 404
    (listed,) = client.get("/api/v1/account/shares", headers=auth).json()
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert not shared_now(app, user_id_of(app, "cy@example.com"))
    # Sharing again re-opens it.
    assert client.put(f"/api/v1/account/shares/{CLINIC}", headers=auth).json()["active"]
    assert shared_now(app, user_id_of(app, "cy@example.com"))


def test_share_and_revoke_from_the_account_page(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "di@example.com")
    html = client.get("/account").text
    assert "not shared with any clinic" in html
    token = csrf_of(html)
    refused = client.post("/account/sharing", data={"action": "share", "csrf_token": "x" * 64})
    assert refused.status_code == 400 and rows(app, DiaryShare) == []
    done = client.post(
        "/account/sharing", data={"action": "share", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    html = client.get("/account?done=shared").text
    assert "Shared with" in html and "Stop sharing" in html
    (share,) = rows(app, DiaryShare)
    assert share.revoked_at is None
    client.post(
        "/account/sharing",
        data={"action": "revoke", "clinic_id": CLINIC, "csrf_token": csrf_of(html)},
    )
    (share,) = rows(app, DiaryShare)
    assert share.revoked_at is not None
    assert "no longer see it" in client.get("/account?done=revoked").text


def test_the_appointment_form_offers_diary_sharing_only_when_signed_in(
    client: TestClient,
) -> None:
    def form_html() -> str:
        result = client.post("/check", data={"text": TEXT, "age": "40"})
        state = result.text.split('name="state" value=\'', 1)[1].split("'", 1)[0]
        return client.post("/appointment/new", data={"state": state}).text

    assert 'name="share_diary"' not in form_html()
    page_sign_up(client, "ed@example.com")
    assert 'name="share_diary"' in form_html()
