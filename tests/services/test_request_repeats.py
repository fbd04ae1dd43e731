"""The same appointment request sent twice is stored once (issue 14, item 4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from crampcheck.services import request_repeats
from crampcheck.services.appointments import (
    AppointmentError,
    Requested,
    RequestInput,
    request_appointment,
)
from crampcheck.services.check_steps import Given
from crampcheck.storage.database import transaction
from crampcheck.storage.tables import AppointmentRequest

NIGHT_CRAMP = "My calf cramps at night a couple of times a week; stretching helps."
FORM = RequestInput(
    name="Ana Ruiz",
    phone="801-555-0100",
    email=None,
    preferred_location=None,
    preferred_times=None,
    consent_to_share=True,
    date_of_birth=date(1961, 4, 2),
    reason="Cramps keep waking me up.",
)
KEY = "form-key-0123456789abcdef"


def _count(app: FastAPI) -> int:
    with app.state.crampcheck.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AppointmentRequest)) or 0)


def _send(app: FastAPI, form: RequestInput = FORM, key: str | None = KEY) -> Requested:
    state = app.state.crampcheck
    with transaction(state.sessions) as session:
        return request_appointment(
            session, state.clinic, state.pipeline, form, Given(NIGHT_CRAMP, 64), idempotency_key=key
        )


def test_a_request_sent_again_with_its_key_is_the_first_one(app: FastAPI) -> None:
    first = _send(app)
    again = _send(app)
    assert not first.repeated and again.repeated and not again.changed
    assert again.request.id == first.request.id
    assert _count(app) == 1
    stored = again.request
    assert stored.date_of_birth == date(1961, 4, 2)
    assert stored.reason == "Cramps keep waking me up."
    assert stored.check_age == 64


def test_a_key_sent_again_with_something_else_keeps_the_first(app: FastAPI) -> None:
    first = _send(app)
    again = _send(app, replace(FORM, name="Ana Maria Ruiz"))
    assert again.repeated and again.changed
    assert again.request.id == first.request.id
    assert again.request.name == "Ana Ruiz"
    assert _count(app) == 1


def test_other_keys_and_no_key_store_each_request(app: FastAPI) -> None:
    _send(app, key="key-aaaaaaaaaaaa")
    _send(app, key="key-bbbbbbbbbbbb")
    _send(app, key=None)
    _send(app, key=None)
    assert _count(app) == 4


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it", "ünïcode-key-123"])
def test_a_malformed_key_is_refused_and_stores_nothing(app: FastAPI, key: str) -> None:
    with pytest.raises(AppointmentError) as refused:
        _send(app, key=key)
    assert refused.value.field == "idempotency_key"
    assert _count(app) == 0


def test_two_sent_at_once_store_one(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both look for the key before either stores it (a barrier holds them there), so
    the database's unique index decides: one is stored, the other gets its
    confirmation. Runs on SQLite and PostgreSQL."""
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
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: _send(app), range(2)))
    assert _count(app) == 1
    assert results[0].request.id == results[1].request.id
    assert sorted(r.repeated for r in results) == [False, True]


@pytest.mark.parametrize(
    ("born", "message"),
    [(date(2999, 1, 1), "in the future"), (date(1899, 12, 31), "1900 or later")],
)
def test_an_impossible_date_of_birth_is_refused(app: FastAPI, born: date, message: str) -> None:
    with pytest.raises(AppointmentError) as refused:
        _send(app, replace(FORM, date_of_birth=born))
    assert refused.value.field == "date_of_birth"
    assert message in refused.value.message
    assert _count(app) == 0


def test_a_reason_too_long_is_refused(app: FastAPI) -> None:
    with pytest.raises(AppointmentError) as refused:
        _send(app, replace(FORM, reason="x" * 1001))
    assert refused.value.field == "reason"
    assert _count(app) == 0
