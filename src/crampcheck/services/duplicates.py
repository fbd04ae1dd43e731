"""Likely duplicates: requests that seem to come from one person, sent close together.

Two requests of a clinic are flagged as likely duplicates of each other when they were
sent within :data:`WINDOW` of each other and either give the same email address (in
any case), or the same name (in any case, spaces aside) and the same date of birth.
A flag is a hint for the front desk (one call may answer both), never a merge: nothing
is changed or hidden. Phone numbers are left out: a household often shares one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crampcheck.domain.times import aware
from crampcheck.storage.tables import AppointmentRequest

WINDOW = timedelta(days=14)
"""How far apart two requests may be sent and still be flagged."""

SAME_EMAIL = "same email address"
SAME_NAME_AND_BIRTH = "same name and date of birth"


@dataclass(frozen=True)
class Duplicate:
    """Another request that looks like the same person's, and why."""

    id: str
    created_at: datetime
    status: str
    why: str


@dataclass(frozen=True)
class _Row:
    id: str
    name: str
    email: str | None
    date_of_birth: date | None
    created_at: datetime
    status: str


def normalised_name(name: str) -> str:
    """A name as duplicates are matched: case and runs of spaces set aside."""
    return " ".join(name.casefold().split())


def _why(one: _Row, other: _Row) -> str | None:
    if abs(one.created_at - other.created_at) > WINDOW:
        return None
    if one.email and other.email and one.email.casefold() == other.email.casefold():
        return SAME_EMAIL
    if (
        one.date_of_birth is not None
        and one.date_of_birth == other.date_of_birth
        and normalised_name(one.name) == normalised_name(other.name)
    ):
        return SAME_NAME_AND_BIRTH
    return None


def _row(request: AppointmentRequest) -> _Row:
    return _Row(
        request.id,
        request.name,
        request.email,
        request.date_of_birth,
        aware(request.created_at),
        request.status,
    )


def likely_duplicates(
    session: Session, clinic_id: str, requests: Sequence[AppointmentRequest]
) -> dict[str, list[Duplicate]]:
    """For each of ``requests`` (of this clinic) that has any, the clinic's other requests
    that look like the same person's, oldest first. One query for them all, bounded by
    the time window around them."""
    rows = [_row(r) for r in requests]
    emails = {r.email.casefold() for r in rows if r.email}
    births = {r.date_of_birth for r in rows if r.date_of_birth is not None}
    if not rows or not (emails or births):
        return {}
    conditions = []
    if emails:
        conditions.append(func.lower(AppointmentRequest.email).in_(sorted(emails)))
    if births:
        conditions.append(AppointmentRequest.date_of_birth.in_(sorted(births)))
    earliest = min(r.created_at for r in rows) - WINDOW
    latest = max(r.created_at for r in rows) + WINDOW
    candidates = [
        _Row(*found)
        for found in session.execute(
            select(
                AppointmentRequest.id,
                AppointmentRequest.name,
                AppointmentRequest.email,
                AppointmentRequest.date_of_birth,
                AppointmentRequest.created_at,
                AppointmentRequest.status,
            )
            .where(
                AppointmentRequest.clinic_id == clinic_id,
                AppointmentRequest.created_at >= earliest,
                AppointmentRequest.created_at <= latest,
                or_(*conditions),
            )
            .order_by(AppointmentRequest.created_at, AppointmentRequest.id)
        )
    ]
    return _matches(rows, [_aware_row(c) for c in candidates])


def _aware_row(row: _Row) -> _Row:
    """``row`` with its time aware (SQLite gives it back without its zone)."""
    return _Row(row.id, row.name, row.email, row.date_of_birth, aware(row.created_at), row.status)


def _matches(rows: Iterable[_Row], candidates: Sequence[_Row]) -> dict[str, list[Duplicate]]:
    found: dict[str, list[Duplicate]] = {}
    for row in rows:
        for other in candidates:
            why = _why(row, other) if other.id != row.id else None
            if why is not None:
                found.setdefault(row.id, []).append(
                    Duplicate(other.id, other.created_at, other.status, why)
                )
    return found
