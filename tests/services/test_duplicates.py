"""Likely duplicates: one person's requests sent close together are flagged (issue 14,
item 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from crampcheck.services.appointments import RequestInput, create_request
from crampcheck.services.duplicates import SAME_EMAIL, SAME_NAME_AND_BIRTH, likely_duplicates
from crampcheck.storage.tables import AppointmentRequest
from crampcheck.web.api.schemas import CheckIn
from crampcheck.web.checking import assessment_payload, run_check
from tests.web.test_staff_inbox import DOCTOR_TEXT

NOW = datetime.now(UTC).replace(microsecond=0)


def _send(
    app: FastAPI,
    name: str,
    email: str | None,
    born: date | None,
    days_ago: float,
    clinic_id: str | None = None,
) -> str:
    state = app.state.crampcheck
    assessment = assessment_payload(state, run_check(state, CheckIn(text=DOCTOR_TEXT)))
    clinic = (
        state.clinic if clinic_id is None else state.clinic.model_copy(update={"id": clinic_id})
    )
    data = RequestInput(
        name=name,
        phone="801-555-0100" if email is None else None,
        email=email,
        preferred_location=None,
        preferred_times=None,
        consent_to_share=True,
        date_of_birth=born,
    )
    with state.sessions() as session, session.begin():
        when = NOW - timedelta(days=days_ago)
        return create_request(session, clinic, data, assessment, DOCTOR_TEXT, now=when).id


def _flags(app: FastAPI, *ids: str) -> dict[str, list[tuple[str, str]]]:
    state = app.state.crampcheck
    with state.sessions() as session:
        rows = [session.get(AppointmentRequest, (state.clinic.id, i)) for i in ids]
        found = likely_duplicates(session, state.clinic.id, [r for r in rows if r])
        return {k: [(d.id, d.why) for d in v] for k, v in found.items()}


def test_the_same_email_in_any_case_within_14_days_is_flagged(app: FastAPI) -> None:
    first = _send(app, "Ana Ruiz", "Ana@Example.com", None, 10)
    second = _send(app, "A. Ruiz", "ana@example.com", None, 0)
    assert _flags(app, first, second) == {
        first: [(second, SAME_EMAIL)],
        second: [(first, SAME_EMAIL)],
    }


def test_the_same_name_and_date_of_birth_is_flagged(app: FastAPI) -> None:
    born = date(1961, 4, 23)
    first = _send(app, "Ana  Ruiz", None, born, 3)
    second = _send(app, "ana ruiz", "ana@example.com", born, 1)
    other_birthday = _send(app, "Ana Ruiz", None, date(1962, 4, 23), 1)
    flags = _flags(app, first, second, other_birthday)
    assert flags[second] == [(first, SAME_NAME_AND_BIRTH)]
    assert other_birthday not in flags


def test_requests_far_apart_other_people_and_other_clinics_are_not_flagged(
    app: FastAPI,
) -> None:
    old = _send(app, "Ana Ruiz", "ana@example.com", None, 15)
    recent = _send(app, "Ana Ruiz", "ana@example.com", None, 0)
    stranger = _send(app, "Ben Ode", "ben@example.com", date(1961, 4, 23), 0)
    _send(app, "Ana Ruiz", "ana@example.com", None, 0, clinic_id="north-foot")
    assert _flags(app, old, recent, stranger) == {}
