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
import getpass
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from crampcheck.domain.i18n import _
from crampcheck.services.export import safe_cell
from crampcheck.storage import audit_chain
from crampcheck.storage.tables import (
    AppointmentRequest,
    AuditChainHead,
    AuditEvent,
    StaffMember,
)
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
    INVITE_STAFF = "invite_staff"
    REISSUE_INVITATION = "reissue_invitation"
    REVOKE_INVITATION = "revoke_invitation"
    ACCEPT_INVITATION = "accept_invitation"
    DEACTIVATE_STAFF = "deactivate_staff"
    ACTIVATE_STAFF = "activate_staff"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    # The name of an action, not a password (bandit B105).
    CHANGE_PASSWORD = "change_password"  # nosec B105


def action_label(action: str) -> str:
    """An audit action as people read it."""
    labels = {
        AuditAction.VIEW_INBOX.value: _("Viewed the inbox"),
        AuditAction.VIEW_REQUEST.value: _("Viewed a request"),
        AuditAction.CHANGE_STATUS.value: _("Changed a request's status"),
        AuditAction.VIEW_SUMMARY_PDF.value: _("Opened a summary PDF"),
        AuditAction.EXPORT_FHIR.value: _("Exported FHIR"),
        AuditAction.VIEW_DIARY_CHART.value: _("Viewed a diary chart"),
        AuditAction.ADD_STAFF.value: _("Added a staff member"),
        AuditAction.INVITE_STAFF.value: _("Invited a staff member"),
        AuditAction.REISSUE_INVITATION.value: _("Gave a staff member a new link"),
        AuditAction.REVOKE_INVITATION.value: _("Revoked an invitation link"),
        AuditAction.ACCEPT_INVITATION.value: _("Accepted their invitation"),
        AuditAction.DEACTIVATE_STAFF.value: _("Deactivated a staff member"),
        AuditAction.ACTIVATE_STAFF.value: _("Activated a staff member"),
        AuditAction.VIEW_AUDIT.value: _("Viewed the audit log"),
        AuditAction.EXPORT_AUDIT.value: _("Exported the audit log"),
        AuditAction.SIGN_IN.value: _("Signed in"),
        AuditAction.SIGN_IN_FAILED.value: _("Failed to sign in"),
        AuditAction.SIGN_OUT.value: _("Signed out"),
        AuditAction.CHANGE_PASSWORD.value: _("Changed their password"),
    }
    return labels.get(action, action)


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
    about = _About(request_id, patient_ref, detail, now)
    return _append_by(session, actor, action, (address or "")[:80] or None, about)


OPERATOR_ROLE = "operator"
"""The role recorded for the command line, run by whoever operates the installation."""


def record_operator(
    session: Session,
    clinic_id: str,
    action: AuditAction,
    *,
    request_id: str | None = None,
    patient_ref: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an event done at the command line to a clinic's chain (the caller's
    transaction), naming the operator by the login name of whoever ran the command."""
    operator = _Actor(clinic_id, "-", f"command line ({_login_name()})"[:254], OPERATOR_ROLE)
    return _append_by(session, operator, action, None, _About(request_id, patient_ref, detail, now))


class _Actor(NamedTuple):
    """Who did it, as an event names them: a staff member, or the operator."""

    clinic_id: str
    id: str
    email: str
    role: str


class _About(NamedTuple):
    """What an event is about, and when it happened (now, unless given)."""

    request_id: str | None
    patient_ref: str | None
    detail: str | None
    at: datetime | None


def _append_by(
    session: Session,
    actor: StaffMember | _Actor,
    action: AuditAction,
    address: str | None,
    about: _About,
) -> AuditEvent:
    event = AuditEvent(
        clinic_id=actor.clinic_id,
        id=str(uuid.uuid4()),
        at=about.at or datetime.now(UTC),
        staff_id=actor.id,
        staff_email=actor.email,
        role=actor.role,
        action=action.value,
        request_id=about.request_id,
        patient_ref=about.patient_ref,
        address=address,
        detail=about.detail[:2000] if about.detail else None,
    )
    return append(session, event)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


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


EXPORT_BATCH = 500
"""Events read at a time for the CSV export."""


@dataclass(frozen=True)
class AuditExport:
    """A CSV export as it was asked for: the matching events of the clinic up to its
    chain's place at that moment (so neither the export's own event nor later ones)."""

    clinic_id: str
    where: AuditFilter
    up_to: int
    count: int


def start_export(session: Session, clinic_id: str, where: AuditFilter) -> AuditExport:
    """What an export of this clinic's matching events will hold, and how many."""
    up_to = session.scalar(select(AuditChainHead.seq).where(AuditChainHead.clinic_id == clinic_id))
    query = _filtered(clinic_id, where).where(AuditEvent.seq <= (up_to or 0))
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return AuditExport(clinic_id, where, up_to or 0, count)


def export_csv(
    sessions: Callable[[], Session], export: AuditExport, *, batch: int | None = None
) -> Iterator[str]:
    """The export as CSV, newest first, times in UTC ISO 8601 (cells that a spreadsheet
    would run as formulas are quoted): the header, then the rows of each batch of events
    as it is read.

    Each batch is one query in a short session of its own, starting after the last event
    of the one before (by time, then place in the chain: a keyset, so no event is read
    twice or skipped however long the log); memory and transactions stay the size of a
    batch, and the first rows go out before the rest is read.
    """
    size = batch or EXPORT_BATCH
    yield _csv_lines([list(CSV_COLUMNS)])
    query = _filtered(export.clinic_id, export.where).where(AuditEvent.seq <= export.up_to)
    newest_first = (AuditEvent.at.desc(), AuditEvent.seq.desc())
    after: tuple[datetime, int] | None = None
    while True:
        page = query
        if after is not None:
            at, seq = after
            page = page.where(
                or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.seq < seq))
            )
        with sessions() as session:
            events = list(session.scalars(page.order_by(*newest_first).limit(size)))
        if not events:
            return
        yield _csv_lines(
            [_utc(event.at).isoformat()]
            + [safe_cell(getattr(event, column)) for column in CSV_COLUMNS[1:]]
            for event in events
        )
        if len(events) < size:
            return
        after = (events[-1].at, events[-1].seq)


def _csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite returns it without a zone, PostgreSQL in its own)."""
    return aware(moment).astimezone(UTC)


ChainCheck = audit_chain.ChainCheck


def verify(session: Session, clinic_id: str | None = None) -> list[ChainCheck]:
    """Check every clinic's audit chain (or only ``clinic_id``'s), from its first event
    to its head: whether it is whole and, if not, the first event where it breaks."""
    clinics = [clinic_id] if clinic_id else audit_chain.chained_clinics(session)
    return [audit_chain.verify_clinic(session, clinic) for clinic in clinics]
