"""The audit trail: every staff read or change of patient data, and staff management.

An event is added to the caller's transaction, so it is written exactly when the read
or change it records is (a failed change leaves neither). Events are append-only: the
application has no way to edit or delete them and the database refuses to. Each event
is chained to the one before it in its clinic's log
(:mod:`crampcheck.storage.audit_chain`), so a change made behind the application's back
shows: :func:`verify` finds it.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crampcheck.services.export import safe_cell
from crampcheck.storage import audit_chain
from crampcheck.storage.tables import AppointmentRequest, AuditEvent, StaffMember
from crampcheck.storage.times import aware


class AuditAction(StrEnum):
    """What a staff member did."""

    VIEW_INBOX = "view_inbox"
    VIEW_REQUEST = "view_request"
    CHANGE_STATUS = "change_status"
    VIEW_SUMMARY_PDF = "view_summary_pdf"
    EXPORT_FHIR = "export_fhir"
    VIEW_DIARY_CHART = "view_diary_chart"
    ADD_STAFF = "add_staff"
    DEACTIVATE_STAFF = "deactivate_staff"
    ACTIVATE_STAFF = "activate_staff"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    # The name of an action, not a password (bandit B105).
    CHANGE_PASSWORD = "change_password"  # nosec B105


def record(
    session: Session,
    actor: StaffMember,
    action: AuditAction,
    *,
    address: str | None,
    request_id: str | None = None,
    patient_ref: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction, at the end of its clinic's chain."""
    event = AuditEvent(
        clinic_id=actor.clinic_id,
        id=str(uuid.uuid4()),
        at=now or datetime.now(UTC),
        staff_id=actor.id,
        staff_email=actor.email,
        role=actor.role,
        action=action.value,
        request_id=request_id,
        patient_ref=patient_ref,
        address=(address or "")[:80] or None,
        detail=detail[:2000] if detail else None,
    )
    return append(session, event)


def append(session: Session, event: AuditEvent) -> AuditEvent:
    """Add an event built by the caller to its clinic's chain, in the caller's
    transaction (writers of the same clinic take turns until it ends)."""
    return audit_chain.append(session, event)


def record_request_event(
    session: Session,
    actor: StaffMember,
    action: AuditAction,
    address: str | None,
    request: AppointmentRequest | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Record a read or change of one request (or of the inbox, with none) in the
    caller's transaction, naming the request and the patient it is about."""
    return record(
        session,
        actor,
        action,
        address=address,
        request_id=request.id if request is not None else None,
        patient_ref=f"request:{request.id}" if request is not None else None,
        detail=detail,
    )


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log to; None means any."""

    action: str | None = None
    staff_email: str | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(clinic_id: str, where: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.staff_email:
        query = query.where(AuditEvent.staff_email == where.staff_email.strip().lower())
    if where.request_id:
        query = query.where(AuditEvent.request_id == where.request_id)
    if where.since:
        query = query.where(AuditEvent.at >= where.since)
    if where.until:
        query = query.where(AuditEvent.at < where.until)
    return query


def list_events(
    session: Session, clinic_id: str, where: AuditFilter, *, limit: int = 100, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """One page of this clinic's events, newest first, and how many match in all."""
    query = _filtered(clinic_id, where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit).offset(offset)
    )
    return list(rows), total


CSV_COLUMNS = (
    "at",
    "staff_email",
    "role",
    "action",
    "request_id",
    "patient_ref",
    "address",
    "detail",
)


def events_csv(events: Sequence[AuditEvent]) -> str:
    """The events as CSV, times in UTC ISO 8601 (cells that a spreadsheet would run as
    formulas are quoted)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(
            [_utc(event.at).isoformat()]
            + [safe_cell(getattr(event, column)) for column in CSV_COLUMNS[1:]]
        )
    return out.getvalue()


def _utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite returns it without a zone, PostgreSQL in its own)."""
    return aware(moment).astimezone(UTC)


def all_events(session: Session, clinic_id: str, where: AuditFilter) -> list[AuditEvent]:
    """Every matching event of this clinic, newest first (for the CSV export)."""
    return list(session.scalars(_filtered(clinic_id, where).order_by(AuditEvent.at.desc())))


ChainCheck = audit_chain.ChainCheck


def verify(session: Session, clinic_id: str | None = None) -> list[ChainCheck]:
    """Check every clinic's audit chain (or only ``clinic_id``'s), from its first event
    to its head: whether it is whole and, if not, the first event where it breaks."""
    clinics = [clinic_id] if clinic_id else audit_chain.chained_clinics(session)
    return [audit_chain.verify_clinic(session, clinic) for clinic in clinics]
