"""A signed-in person's own appointment requests, for their account page.

Only requests sent while signed in are linked to an account (``user_id``), and a person
sees only those linked to theirs: never another person's, whatever the address says.
What they see is what they sent and where it stands, not the clinic's notes (a reason
for declining is the clinic's own record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.domain.times import aware
from crampcheck.services.request_next_steps import reference_of
from crampcheck.storage.tables import AppointmentRequest, ClinicRecord

MAX_LISTED = 200
"""The most requests listed, newest first (nobody sends more by hand)."""


@dataclass(frozen=True)
class MyRequest:
    """One of the person's requests, as their account page lists it."""

    id: str
    reference: str
    clinic_id: str
    clinic_name: str
    sent_at: datetime
    """Aware, in UTC."""
    status: str
    status_changed_at: datetime | None
    urgency: str


def requests_of(session: Session, user_id: str) -> list[MyRequest]:
    """The person's requests to any clinic of this installation, newest first."""
    rows = session.execute(
        select(AppointmentRequest, ClinicRecord.name)
        .outerjoin(ClinicRecord, ClinicRecord.id == AppointmentRequest.clinic_id)
        .where(AppointmentRequest.user_id == user_id)
        .order_by(AppointmentRequest.created_at.desc(), AppointmentRequest.id)
        .limit(MAX_LISTED)
    )
    return [
        MyRequest(
            id=request.id,
            reference=reference_of(request.id),
            clinic_id=request.clinic_id,
            clinic_name=name or request.clinic_id,
            sent_at=aware(request.created_at),
            status=request.status,
            status_changed_at=aware(request.status_changed_at)
            if request.status_changed_at
            else None,
            urgency=request.urgency,
        )
        for request, name in rows
    ]
