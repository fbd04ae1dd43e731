"""What the staff pages and the staff API share: the member's clinic (read once per
request), the audit trail written in the route's own transaction, the urgent-and-open
count, which statuses may follow, where a request asks to be seen, the shared diary's
patterns, the key of the inbox's page links, and downloads with safe names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from fastapi import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.diary import KindPatterns
from crampcheck.domain.types import Urgency
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services import diary
from crampcheck.services.clinics import get_clinic
from crampcheck.services.inbox import NEXT_STATUSES, OPEN_STATUSES, Status
from crampcheck.storage.tables import AppointmentRequest, StaffMember
from crampcheck.web.state import AppState

DIARY_ZONE = UTC
"""The zone of the shared diary's hours when none is given (the staff API's, which stays
machine-readable UTC); the staff pages give the clinic's zone."""


def location_label(clinic: Clinic, location_id: str | None) -> str:
    """A preferred location's name ('' when none; the id when no longer listed)."""
    if not location_id:
        return ""
    location = clinic.location(location_id)
    return location.name if location is not None else location_id


def page_link_secret(state: AppState) -> bytes:
    """The key the inbox's page links are signed with (the installation's secret key)."""
    return state.settings.secret_key.get_secret_value().encode()


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    """A download that no cache keeps."""
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def download_name(request: AppointmentRequest, extension: str) -> str:
    """The file name of a request's download (the request id, no personal data)."""
    return f"crampcheck-request-{request.id}.{extension}"


def open_urgent_count(
    db: Session, clinic_id: str, statuses: Iterable[str] = tuple(OPEN_STATUSES)
) -> int:
    """How many of the clinic's requests in ``statuses`` (open ones by default) are
    urgent; the inbox's banner counts the new ones, which nobody has contacted yet."""
    count = db.scalar(
        select(func.count())
        .select_from(AppointmentRequest)
        .where(
            AppointmentRequest.clinic_id == clinic_id,
            AppointmentRequest.urgency == Urgency.URGENT.value,
            AppointmentRequest.status.in_([str(s) for s in statuses]),
        )
    )
    return int(count or 0)


def is_urgent(request: AppointmentRequest) -> bool:
    """Whether a request must not be missed (urgent; an emergency never gets here)."""
    return request.urgency in (Urgency.URGENT.value, Urgency.EMERGENCY.value)


def is_open(request: AppointmentRequest) -> bool:
    """Whether the clinic still has to act on the request."""
    return request.status in {s.value for s in OPEN_STATUSES}


def next_statuses(request: AppointmentRequest) -> tuple[Status, ...]:
    """Where the workflow lets this request go next (nothing once closed or declined)."""
    try:
        return NEXT_STATUSES[Status(request.status)]
    except ValueError:
        return ()


def shared_patterns(
    db: Session, user_id: str, kb: KnowledgeBase, now: datetime, zone: tzinfo = DIARY_ZONE
) -> tuple[KindPatterns, ...]:
    """The person's diary measured as their own patterns page measures it, each kind of
    episode apart (most episodes first), with hours of the day and calendar days those
    of ``zone`` (the pages give the clinic's)."""
    return diary.patterns_by_kind(db, user_id, kb, now=now, zone=zone)


_CLINICS_READ = "crampcheck.staff_clinics"
"""Where a database session keeps the clinics it has read (one look-up per request)."""


def registered_clinic(db: Session | None, clinic_id: str) -> Clinic | None:
    """A registered clinic, read once per database session (each request has its own)."""
    if db is None:
        return None
    read: dict[str, Clinic | None] = db.info.setdefault(_CLINICS_READ, {})
    if clinic_id not in read:
        read[clinic_id] = get_clinic(db, clinic_id)
    return read[clinic_id]


def member_clinic(db: Session, state: AppState, member: StaffMember) -> Clinic:
    """The member's clinic (the installation's public one, or its registered record):
    its locations, its name and the time zone its staff read times in."""
    if member.clinic_id == state.clinic.id:
        return state.clinic
    clinic = registered_clinic(db, member.clinic_id)
    if clinic is None:  # pragma: no cover - staff rows reference a clinic row
        raise LookupError(f"clinic {member.clinic_id!r} is not registered")
    return clinic
