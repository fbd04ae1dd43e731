"""Appointment requests from the form and the API: sent once, however often they are sent;
a date of birth and a reason; a confirmation that says what happens next and when; and
a signed-in person's own list of requests (issue 14, item 4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.services import request_repeats
from crampcheck.storage.tables import AppointmentRequest
from tests.services.test_accounts import page_sign_up
from tests.web.test_web_pages import (
    SELF_CARE_TEXT,
    appointment_form,
    form_to,
    stored,
    submit,
)

pytestmark = pytest.mark.usefixtures("fast_hashing")

URGENT_TEXT = (
    "Charley horse in my left calf for 35 minutes now and it is still rock hard. I stretched, "
    "walked and had a hot shower, nothing helps. I did not hurt it."
)
DOCTOR_TEXT = "My hand keeps cramping when I write for a long time, it goes when I stop."
FILLED = {
    "name": "Ana Pérez",
    "phone": "(801) 555-0100",
    "date_of_birth": "04/23/1961",
    "reason": "The cramps wake me most nights.",
    "consent_to_share": "yes",
}


def _api_body(text: str = SELF_CARE_TEXT, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ana Example",
        "phone": "(801) 555-0100",
        "consent_to_share": True,
        "check": {"text": text, "age": 45, "sex": "female"},
    }
    return {**body, **changes}


# ---------------------------------------------------------------- the form


def test_the_form_sent_twice_stores_one_request(client: TestClient, app: FastAPI) -> None:
    html = appointment_form(client)
    form = form_to(html, "/appointment")
    key = dict(form.fields)["request_key"]
    assert request_repeats.valid_key(key)
    first = submit(client, form, change=FILLED)
    again = submit(client, form, change=FILLED)  # Back, then send again; or a double tap
    assert first.status_code == again.status_code == 303
    (row,) = stored(app)
    assert first.headers["location"] == f"/appointment/sent/{row.id}"
    assert again.headers["location"] == f"/appointment/sent/{row.id}?again=same"
    page = client.get(again.headers["location"])
    assert page.status_code == 200
    assert "You had already sent this request" in page.text
    assert row.idempotency_key == key
    assert row.date_of_birth is not None and row.date_of_birth.isoformat() == "1961-04-23"
    assert row.reason == "The cramps wake me most nights."
    assert row.check_age is None


def test_changes_after_sending_are_not_sent_and_the_page_says_so(
    client: TestClient, app: FastAPI
) -> None:
    form = form_to(appointment_form(client), "/appointment")
    submit(client, form, change=FILLED)
    again = submit(client, form, change={**FILLED, "name": "Ana María Pérez"})
    assert again.headers["location"].endswith("?again=changed")
    page = client.get(again.headers["location"]).text
    assert "Changes made after sending it were not sent" in page
    (row,) = stored(app)
    assert row.name == "Ana Pérez"


def test_the_form_shown_again_for_the_same_check_sends_it_once(
    client: TestClient, app: FastAPI
) -> None:
    """Back to the form re-sends the result page's button (the form is a POST's answer):
    the form comes back with the same key, so sending it again is a repeat."""
    first = form_to(appointment_form(client), "/appointment")
    shown_again = form_to(appointment_form(client), "/appointment")
    assert dict(first.fields)["request_key"] == dict(shown_again.fields)["request_key"]
    assert submit(client, first, change=FILLED).status_code == 303
    again = submit(client, shown_again, change=FILLED)
    assert again.headers["location"].endswith("?again=same")
    assert len(stored(app)) == 1


def test_another_check_or_another_browser_is_a_new_request(
    client: TestClient, app: FastAPI
) -> None:
    keys = set()
    for text in (SELF_CARE_TEXT, DOCTOR_TEXT):
        form = form_to(appointment_form(client, text), "/appointment")
        keys.add(dict(form.fields)["request_key"])
        assert submit(client, form, change=FILLED).status_code == 303
    client.cookies.clear()  # another browser: another CSRF nonce
    form = form_to(appointment_form(client), "/appointment")
    keys.add(dict(form.fields)["request_key"])
    assert submit(client, form, change=FILLED).status_code == 303
    assert len(keys) == 3
    assert len(stored(app)) == 3


def test_the_key_survives_a_form_with_errors(client: TestClient, app: FastAPI) -> None:
    form = form_to(appointment_form(client), "/appointment")
    key = dict(form.fields)["request_key"]
    wrong = submit(client, form, change={**FILLED, "name": ""})
    assert wrong.status_code == 422
    corrected = form_to(wrong.text, "/appointment")
    assert dict(corrected.fields)["request_key"] == key
    assert submit(client, corrected, change=FILLED).status_code == 303
    assert submit(client, form, change=FILLED).headers["location"].endswith("?again=same")
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12/31/2999", "A date of birth cannot be in the future"),
        ("2999-12-31", "A date of birth cannot be in the future"),
        ("06/01/1899", "Please give a date of birth in 1900 or later"),
        ("13/45/2000", "Please give your date of birth as month/day/year"),
        ("yesterday", "Please give your date of birth as month/day/year"),
        ("02/30/1980", "Please give your date of birth as month/day/year"),
    ],
)
def test_a_bad_date_of_birth_is_explained_and_stores_nothing(
    client: TestClient, app: FastAPI, typed: str, message: str
) -> None:
    form = form_to(appointment_form(client), "/appointment")
    response = submit(client, form, change={**FILLED, "date_of_birth": typed})
    assert response.status_code == 422
    assert message in response.text
    assert 'id="date_of_birth-error"' in response.text
    assert stored(app) == []


def test_date_of_birth_and_reason_are_optional_and_the_reason_is_limited(
    client: TestClient, app: FastAPI
) -> None:
    form = form_to(appointment_form(client), "/appointment")
    too_long = submit(client, form, change={**FILLED, "reason": "x" * 1001})
    assert too_long.status_code == 422
    assert "Please keep the reason to 1000 characters or fewer" in too_long.text
    assert stored(app) == []
    bare = {k: v for k, v in FILLED.items() if k not in ("date_of_birth", "reason")}
    assert submit(client, form, change=bare).status_code == 303
    (row,) = stored(app)
    assert row.date_of_birth is None and row.reason is None


def test_the_confirmation_says_what_happens_next_and_survives_reload(
    client: TestClient, app: FastAPI
) -> None:
    form = form_to(appointment_form(client), "/appointment")
    location = submit(client, form, change=FILLED).headers["location"]
    first, reloaded = client.get(location), client.get(location)
    (row,) = stored(app)
    for page in (first, reloaded):
        assert page.status_code == 200
        assert f"Reference: {row.id[:8].upper()}" in page.text
        assert "within 2 business days" in page.text
    assert len(stored(app)) == 1


@pytest.mark.parametrize(
    ("text", "urgency", "words"),
    [
        (URGENT_TEXT, "urgent", ["within 24 hours", "urgent care", "Call 911 right away"]),
        (DOCTOR_TEXT, "doctor", ["within 2 business days", "few days to weeks", "911"]),
        (SELF_CARE_TEXT, "self_care", ["within 2 business days", "looked after at home"]),
    ],
)
def test_what_happens_next_depends_on_the_urgency(
    client: TestClient, text: str, urgency: str, words: list[str]
) -> None:
    response = client.post("/api/v1/appointment-requests", json=_api_body(text))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["urgency"] == urgency
    page = client.get(f"/appointment/sent/{data['id']}").text
    for word in words:
        assert word in data["next_steps"]
        assert word in page
    assert "GP" not in page and "NHS" not in page


# ---------------------------------------------------------------- signed in


def test_a_signed_in_persons_email_is_filled_in_and_their_requests_listed(
    client: TestClient, app: FastAPI
) -> None:
    page_sign_up(client, "ana@example.com")
    html = appointment_form(client)
    assert 'value="ana@example.com"' in html
    form = form_to(html, "/appointment")
    assert submit(client, form, change=FILLED).status_code == 303
    (row,) = stored(app)
    assert row.email == "ana@example.com" and row.user_id is not None
    account = client.get("/account").text
    assert 'href="/account/requests"' in account
    mine = client.get("/account/requests")
    assert mine.status_code == 200
    assert f"Reference {row.id[:8].upper()}" in mine.text
    assert "the clinic has not contacted you yet" in mine.text
    assert datetime.now(UTC).strftime("%b") in mine.text


def test_only_ones_own_requests_are_listed(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    assert (
        submit(client, form_to(appointment_form(client), "/appointment"), change=FILLED).status_code
        == 303
    )
    (anas,) = stored(app)
    anonymous = client.post("/api/v1/appointment-requests", json=_api_body())
    assert anonymous.status_code == 201
    client.cookies.clear()
    page_sign_up(client, "ben@example.com")
    bens = client.get("/account/requests")
    assert bens.status_code == 200
    assert anas.id[:8].upper() not in bens.text
    assert anonymous.json()["reference"] not in bens.text
    assert "You have not sent an appointment request while signed in" in bens.text


def test_the_list_needs_a_session(client: TestClient) -> None:
    response = client.get("/account/requests", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/signin")


# ---------------------------------------------------------------- the API


def _rows(app: FastAPI) -> list[AppointmentRequest]:
    return stored(app)


@pytest.mark.parametrize("via", ["header", "field"])
def test_the_api_stores_a_request_sent_again_with_its_key_once(
    client: TestClient, app: FastAPI, via: str
) -> None:
    key = "3b0f8f54-2f0e-4d3c-9d7e-6d1b1c1f0a11"
    body = _api_body(date_of_birth="1961-04-23", reason="Cramps at night")
    headers = {"Idempotency-Key": key} if via == "header" else {}
    if via == "field":
        body["idempotency_key"] = key
    first = client.post("/api/v1/appointment-requests", json=body, headers=headers)
    again = client.post("/api/v1/appointment-requests", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["repeated"], again.json()["repeated"]) == (False, True)
    (row,) = _rows(app)
    assert row.idempotency_key == key and row.date_of_birth is not None
    assert (row.check_age, row.check_sex) == (45, "female")


def test_the_api_refuses_a_key_used_for_another_request(client: TestClient, app: FastAPI) -> None:
    headers = {"Idempotency-Key": "retry-key-0001"}
    assert (
        client.post("/api/v1/appointment-requests", json=_api_body(), headers=headers).status_code
        == 201
    )
    other = client.post(
        "/api/v1/appointment-requests", json=_api_body(name="Somebody Else"), headers=headers
    )
    assert other.status_code == 422
    assert "used for a different request" in other.text
    assert len(_rows(app)) == 1


@pytest.mark.parametrize("key", ["short", "with space!", "x" * 65])
def test_the_api_refuses_a_malformed_key(client: TestClient, app: FastAPI, key: str) -> None:
    response = client.post(
        "/api/v1/appointment-requests", json=_api_body(), headers={"Idempotency-Key": key}
    )
    assert response.status_code == 422
    assert _rows(app) == []


@pytest.mark.parametrize(
    ("born", "status"),
    [
        ((datetime.now(UTC) + timedelta(days=2)).date().isoformat(), 422),
        ("1899-12-31", 422),
        ("not a date", 422),
        ("1990-02-01", 201),
    ],
)
def test_the_api_checks_the_date_of_birth(
    client: TestClient, app: FastAPI, born: str, status: int
) -> None:
    response = client.post("/api/v1/appointment-requests", json=_api_body(date_of_birth=born))
    assert response.status_code == status, response.text
    assert len(_rows(app)) == (1 if status == 201 else 0)


def test_two_api_requests_with_one_key_at_once_store_one(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests look the key up before either stores it; one is stored and both are
    answered with it (a 201 and a 200), never a 500. On SQLite and PostgreSQL."""
    both_looked = threading.Barrier(2, timeout=20)
    looked: set[int] = set()
    find = request_repeats.find_by_key

    def find_then_wait(*args: Any) -> AppointmentRequest | None:
        found = find(*args)
        if threading.get_ident() not in looked:
            looked.add(threading.get_ident())
            both_looked.wait()
        return found

    monkeypatch.setattr(request_repeats, "find_by_key", find_then_wait)
    headers = {"Idempotency-Key": "double-tap-0001"}
    with TestClient(app) as client, ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(
                    "/api/v1/appointment-requests", json=_api_body(), headers=headers
                ),
                range(2),
            )
        )
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert len(_rows(app)) == 1
