"""What the clinic takes away from a request: the one-page PDF summary and the FHIR
Bundle, each with the diary only while the patient shares it with the clinic. Both are
in the clinic's language: a check done in another language is read from the snapshot's
copy in the clinic's language, the person's words quoted as they wrote them.

Used by the staff pages, the staff API and ``crampcheck report``; the caller records
the read in the audit trail (the command line as an operator event, here).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.i18n import CLINIC_LANGUAGE
from crampcheck.fhir.request import request_bundle
from crampcheck.knowledge import KnowledgeBase, default_knowledge
from crampcheck.knowledge.loader import in_language
from crampcheck.knowledge.units import in_units
from crampcheck.report.summary import build_summary
from crampcheck.services.appointments import request_record
from crampcheck.services.audit import AuditAction, record_operator, record_request_event
from crampcheck.services.clinics import get_clinic
from crampcheck.services.diary import as_measured, by_kind, episode_record
from crampcheck.services.sharing import is_shared
from crampcheck.storage.tables import AppointmentRequest, Episode, StaffMember


class ReportError(ValueError):
    """The summary cannot be made; the message says why."""


def shared_episodes(session: Session, request: AppointmentRequest) -> list[Episode] | None:
    """The patient's diary, oldest first, if it is shared with the request's clinic now;
    None when it is not (or the request came without an account)."""
    if not is_shared(session, request.user_id, request.clinic_id):
        return None
    return list(
        session.scalars(
            select(Episode).where(Episode.user_id == request.user_id).order_by(Episode.started_at)
        )
    )


def request_pdf(
    session: Session, request: AppointmentRequest, kb: KnowledgeBase, clinic: Clinic
) -> bytes:
    """The one-page PDF summary of a request."""
    return _pdf(request, shared_episodes(session, request), kb, clinic)


def _pdf(
    request: AppointmentRequest, rows: list[Episode] | None, kb: KnowledgeBase, clinic: Clinic
) -> bytes:
    # Imported here, not at the top: loading WeasyPrint takes about a second, which
    # every command and the web application's start would otherwise pay.
    from crampcheck.report.pdf import summary_pdf

    now = datetime.now(UTC)
    # The diary measured per kind, as the person's own patterns page measures it, with
    # days and weeks in the clinic's zone (the person's own is not known to the clinic).
    kb = in_units(in_language(kb, CLINIC_LANGUAGE), clinic.temperature_unit)
    kinds = None if rows is None else by_kind([as_measured(r) for r in rows], now, clinic.zone, kb)
    record = request_record(request, CLINIC_LANGUAGE)
    return summary_pdf(build_summary(record, kinds, kb, clinic, now=now))


def request_fhir(
    session: Session, request: AppointmentRequest, kb: KnowledgeBase, clinic: Clinic
) -> dict[str, Any]:
    """The request as a FHIR R4 Bundle (validated with fhir.resources)."""
    return _bundle(request, shared_episodes(session, request), kb, clinic)


def _bundle(
    request: AppointmentRequest, rows: list[Episode] | None, kb: KnowledgeBase, clinic: Clinic
) -> dict[str, Any]:
    kb = in_units(in_language(kb, CLINIC_LANGUAGE), clinic.temperature_unit)
    episodes = None if rows is None else [episode_record(row) for row in rows]
    return request_bundle(request_record(request, CLINIC_LANGUAGE), episodes, kb, clinic)


class Via(StrEnum):
    """The way a clinician read a request's clinical content (named in the audit trail)."""

    PAGES = "pages"
    API = "api"


def _diary_detail(rows: list[Episode] | None, via: Via) -> str:
    """What the audit trail says of the diary that went with a read (None: not shared)."""
    shared = rows is not None
    if via is Via.API:
        return "with the shared diary (API)" if shared else "without a diary, not shared (API)"
    return "with the shared diary" if shared else "without a diary (not shared)"


def read_summary_pdf(
    session: Session,
    member: StaffMember,
    request: AppointmentRequest,
    kb: KnowledgeBase,
    clinic: Clinic,
    address: str | None,
) -> bytes:
    """The PDF summary for a clinician, the read recorded in the audit trail (with
    whether the diary went with it) in the caller's transaction."""
    rows = shared_episodes(session, request)
    pdf = _pdf(request, rows, kb, clinic)
    detail = _diary_detail(rows, Via.PAGES)
    record_request_event(session, member, AuditAction.VIEW_SUMMARY_PDF, address, request, detail)
    return pdf


def export_fhir(
    session: Session,
    member: StaffMember,
    request: AppointmentRequest,
    kb: KnowledgeBase,
    clinic: Clinic,
    address: str | None,
    via: Via,
) -> dict[str, Any]:
    """The request as a FHIR R4 Bundle for a clinician, the export recorded in the audit
    trail (with whether the diary went with it, and the way it was asked for)."""
    rows = shared_episodes(session, request)
    bundle = _bundle(request, rows, kb, clinic)
    record_request_event(
        session, member, AuditAction.EXPORT_FHIR, address, request, _diary_detail(rows, via)
    )
    return bundle


def _find(session: Session, request_id: str, clinic_id: str | None) -> AppointmentRequest:
    query = select(AppointmentRequest).where(AppointmentRequest.id == request_id.strip())
    if clinic_id:
        query = query.where(AppointmentRequest.clinic_id == clinic_id)
    found = list(session.scalars(query.limit(2)))
    if not found:
        raise ReportError(f"there is no appointment request {request_id!r}")
    if len(found) > 1:
        raise ReportError(f"request {request_id!r} exists at several clinics; add --clinic")
    return found[0]


def operator_report(
    session: Session, request_id: str, clinic_id: str | None, now: datetime | None = None
) -> bytes:
    """The PDF summary for ``crampcheck report``, recorded in the clinic's audit trail
    as a read by the operator (the login name of whoever ran the command)."""
    request = _find(session, request_id, clinic_id)
    clinic = get_clinic(session, request.clinic_id)
    if clinic is None:
        raise ReportError(f"the request's clinic {request.clinic_id!r} is not registered")
    pdf = request_pdf(session, request, default_knowledge(), clinic)
    record_operator(
        session,
        request.clinic_id,
        AuditAction.VIEW_SUMMARY_PDF,
        request_id=request.id,
        patient_ref=f"request:{request.id}",
        detail="crampcheck report",
        now=now,
    )
    return pdf
