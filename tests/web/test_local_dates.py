"""Dates and times on the staff request page and the person's account pages are written
as the clinic's locale writes them (through Babel, the one-page summary's and the
diary's way), never in ISO form: issue 14's walk-through found "2026-12-06 14:26 MST"
and "02/11/1958" on the request page and "since 2026-12-06" on the account page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from crampcheck.clinic import load_clinic
from crampcheck.services.clinics import register_clinic
from crampcheck.storage.tables import AppointmentRequest
from tests.services.test_accounts import csrf_of, page_sign_up
from tests.web.test_spanish_pages import SPANISH
from tests.web.test_staff_inbox import add_member, as_member, make_request

pytestmark = pytest.mark.usefixtures("fast_hashing")

RECEIVED = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
BORN = date(1958, 2, 11)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
UK_CLINIC = "north-uk"


def visible(html: str) -> str:
    """The page's words, without its tags and attributes (a ``<time datetime>`` keeps
    its machine-readable ISO time on purpose)."""
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def born_on(app: FastAPI, request_id: str, born: date) -> None:
    with app.state.crampcheck.sessions() as session, session.begin():
        row = session.scalars(
            select(AppointmentRequest).where(AppointmentRequest.id == request_id)
        ).one()
        row.date_of_birth = born


def test_the_request_page_writes_times_and_birth_dates_as_a_us_clinic_does(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app, created=RECEIVED)
    born_on(app, request_id, BORN)
    as_member(client, add_member(app, "front_desk"))
    text = visible(client.get(f"/staff/requests/{request_id}").text)
    assert "Thu, Jan 15, 2026, 10:30 AM MST" in text
    assert "2/11/1958 (age" in text and "02/11/1958" not in text
    assert not ISO_DAY.search(text), ISO_DAY.search(text)
    inbox = client.get("/staff", params={"status": "all"}).text
    assert "Received Thu, Jan 15, 2026, 10:30 AM MST" in inbox
    assert "from the date of birth, 2/11/1958" in inbox


def test_a_clinic_in_the_uk_reads_day_before_month_on_a_24_hour_clock(
    app: FastAPI, client: TestClient
) -> None:
    uk = load_clinic().model_copy(
        update={
            "id": UK_CLINIC,
            "name": "North UK",
            "time_zone": "Europe/London",
            "locale": "en_GB",
        }
    )
    with app.state.crampcheck.sessions() as session, session.begin():
        register_clinic(session, uk)
    request_id = make_request(app, created=RECEIVED, clinic_id=UK_CLINIC)
    born_on(app, request_id, BORN)
    as_member(client, add_member(app, "front_desk", clinic_id=UK_CLINIC))
    text = visible(client.get(f"/staff/requests/{request_id}").text)
    assert "Thu, 15 Jan 2026, 17:30" in text
    assert "11/02/1958 (age" in text and "2/11/1958" not in text
    assert not ISO_DAY.search(text), ISO_DAY.search(text)


def test_the_account_page_says_since_when_in_words(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    token = csrf_of(client.get("/account").text)
    client.post("/account/sharing", data={"action": "share", "csrf_token": token})
    text = visible(client.get("/account").text)
    day = r"[A-Z][a-z]{2} \d{1,2}, \d{4}"
    assert re.search(rf"with an account since {day}\.", text), text
    assert re.search(rf"Shared with .+ since {day}\.", text), text
    assert not ISO_DAY.search(text), ISO_DAY.search(text)
    client.headers.update(SPANISH)
    spanish = visible(client.get("/account").text)
    assert re.search(r"\d{1,2} [a-z]{3}\.? \d{4}", spanish), spanish
    assert not ISO_DAY.search(spanish), ISO_DAY.search(spanish)
