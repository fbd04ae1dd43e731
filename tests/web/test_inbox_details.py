"""The inbox and a request page show age, the check's kind and likely duplicates; the
date of birth and the reason reach staff (issue 14, item 8)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.domain.birth import age_on
from crampcheck.services.appointments import RequestInput, request_appointment
from crampcheck.services.check_steps import Given
from tests.web.test_staff_inbox import URGENT_TEXT, add_member, as_member

pytestmark = pytest.mark.usefixtures("fast_hashing")

BORN = date(1961, 4, 23)


def send(
    app: FastAPI,
    name: str,
    *,
    email: str | None = None,
    born: date | None = None,
    check_age: int | None = None,
    reason: str | None = None,
    text: str = URGENT_TEXT,
) -> str:
    state = app.state.crampcheck
    data = RequestInput(
        name=name,
        phone="801-555-0100",
        email=email,
        preferred_location=None,
        preferred_times=None,
        consent_to_share=True,
        date_of_birth=born,
        reason=reason,
    )
    with state.sessions() as session, session.begin():
        sent = request_appointment(
            session, state.clinic, state.pipeline, data, Given(text, check_age)
        )
        return sent.request.id


def row_of(html: str, name: str) -> str:
    rows = re.findall(r"<tr class=\"inbox-row.*?</tr>", html, re.S)
    (row,) = [r for r in rows if f">{name}</a>" in r]
    return row


def test_each_row_shows_age_and_kind(app: FastAPI, client: TestClient) -> None:
    send(app, "Born Known", born=BORN, check_age=30)
    send(app, "Age In Check", check_age=47)
    send(app, "No Age")
    as_member(client, add_member(app, "front_desk"))
    html = client.get("/staff").text
    assert '<th scope="col" role="columnheader">Age</th>' in html
    expected = age_on(BORN, datetime.now(UTC).date())
    born_row = row_of(html, "Born Known")
    assert f">{expected}</span>" in born_row and "(check)" not in born_row
    assert "from the date of birth, 4/23/1961" in born_row
    check_row = row_of(html, "Age In Check")
    assert ">47</span>" in check_row and "(check)" in check_row
    assert "Not given" in row_of(html, "No Age")
    # A possible blood clot: the check's own words, not "Other".
    assert 'data-label="Kind">Not an ordinary cramp or spasm</td>' in born_row
    assert "Other</td>" not in html


def test_likely_duplicates_are_flagged_in_the_inbox_and_on_the_request(
    app: FastAPI, client: TestClient
) -> None:
    first = send(app, "Ana Ruiz", email="ana@example.com")
    second = send(app, "Ana R.", email="ANA@example.com")
    by_birth = send(app, "Ben Ode", born=BORN)
    again_by_birth = send(app, "ben  ode", born=BORN)
    alone = send(app, "Cy Lone", email="cy@example.com", born=BORN)
    as_member(client, add_member(app, "front_desk"))
    html = client.get("/staff").text
    for name in ("Ana Ruiz", "Ana R.", "Ben Ode", "ben  ode"):
        assert "Possible duplicate" in row_of(html, name), name
    assert "Possible duplicate" not in row_of(html, "Cy Lone")
    page = client.get(f"/staff/requests/{second}").text
    assert "1 other request may be from the same person" in page
    assert f'href="/staff/requests/{first}"' in page and "same email address" in page
    page = client.get(f"/staff/requests/{again_by_birth}").text
    assert f'href="/staff/requests/{by_birth}"' in page
    assert "same name and date of birth" in page
    assert "may be from the same person" not in client.get(f"/staff/requests/{alone}").text


def test_staff_see_the_date_of_birth_and_clinicians_the_reason(
    app: FastAPI, client: TestClient
) -> None:
    request_id = send(app, "Ana Ruiz", born=BORN, reason="Cramps wake me <every> night")
    as_member(client, add_member(app, "front_desk"))
    desk = client.get(f"/staff/requests/{request_id}").text
    assert "4/23/1961" in desk and "04/23/1961" not in desk and "Cramps wake me" not in desk
    as_member(client, add_member(app, "clinician", name="Dr Who"))
    clinician = client.get(f"/staff/requests/{request_id}").text
    assert "4/23/1961" in clinician
    assert "Cramps wake me &lt;every&gt; night" in clinician
