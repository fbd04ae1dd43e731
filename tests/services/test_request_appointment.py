"""One way to ask the clinic for an appointment, whichever door the person came in by."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from crampcheck.services.appointments import (
    AppointmentError,
    RequestInput,
    request_appointment,
)
from crampcheck.services.check_steps import Given
from crampcheck.storage.database import transaction
from crampcheck.storage.tables import AppointmentRequest

NIGHT_CRAMP = "My calf cramps at night a couple of times a week; stretching helps."
EMERGENCY = "My calf is swollen and red and now I'm suddenly short of breath with chest pain."
FORM = RequestInput(
    name="Ana Ruiz",
    phone="801-555-0100",
    email=None,
    preferred_location=None,
    preferred_times=None,
    consent_to_share=True,
)


def _count(app: FastAPI) -> int:
    with app.state.crampcheck.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AppointmentRequest)) or 0)


def test_the_request_stores_the_check_as_assessed(app: FastAPI) -> None:
    state = app.state.crampcheck
    with transaction(state.sessions) as session:
        requested = request_appointment(
            session, state.clinic, state.pipeline, FORM, Given(NIGHT_CRAMP, 40)
        )
        snapshot = requested.request.snapshot
        assert requested.request.urgency == snapshot["urgency"]
        assert snapshot["description"] == NIGHT_CRAMP
        assert not requested.diary_shared
    assert _count(app) == 1


@pytest.mark.parametrize(
    ("given", "share", "field"),
    [
        (Given(EMERGENCY, 50), False, "check"),
        (Given(NIGHT_CRAMP, 40), True, "share_diary"),
    ],
)
def test_what_cannot_be_requested_stores_nothing(
    app: FastAPI, given: Given, share: bool, field: str
) -> None:
    state = app.state.crampcheck
    with (
        pytest.raises(AppointmentError) as refused,
        transaction(state.sessions) as session,
    ):
        request_appointment(session, state.clinic, state.pipeline, FORM, given, share_diary=share)
    assert refused.value.field == field
    assert _count(app) == 0
