"""The JSON API for clinic staff: sign in and out, the inbox, a request, its workflow
and its FHIR export.

Staff send the token of ``POST /api/staff/session`` as ``Authorization: Bearer <token>``
(no cookie: the staff cookie belongs to the staff pages). Everything is scoped to the
member's clinic; another clinic's request is a 404, as if it did not exist. Roles
decide the rest (403 without the permission): every role that handles requests sees
contact details, status and history; only clinicians (``READ_CLINICAL``) get the
check the person saw, their shared diary and the FHIR export. Every read and change
is recorded in the audit trail in the same transaction as the route's own work.

Sign-in hashes passwords (slow on purpose) and the FHIR export builds a bundle, so the
routes are plain ``def`` and run off the event loop.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from crampcheck.domain.times import aware as _utc
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services import inbox as inbox_service
from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import AccountError, StartedSession
from crampcheck.services.audit import AuditAction, record, record_request_event
from crampcheck.services.duplicates import likely_duplicates
from crampcheck.services.inbox import WorkflowError
from crampcheck.services.request_facts import person_age
from crampcheck.services.roles import Permission
from crampcheck.services.sharing import is_shared
from crampcheck.services.summary_report import Via, export_fhir
from crampcheck.storage.tables import AppointmentRequest, StaffMember
from crampcheck.web.api.diary import patterns_payload
from crampcheck.web.api.errors import (
    SIGN_IN_RESPONSES,
    ApiRoute,
    field_error,
    refused,
    validation_response,
)
from crampcheck.web.api.inputs import PathId
from crampcheck.web.api.schemas import ErrorOut
from crampcheck.web.api.staff_schemas import (
    InboxPageOut,
    RequestOut,
    StaffSessionOut,
    StaffSignInIn,
    StatusFilter,
    StatusIn,
    UrgencyName,
)
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.staff_auth import StaffApiDep, StaffSignedIn, require_permission
from crampcheck.web.staff_shared import (
    DIARY_ZONE,
    attachment,
    download_name,
    is_urgent,
    location_label,
    member_clinic,
    next_statuses,
    open_urgent_count,
    page_link_secret,
    shared_patterns,
)
from crampcheck.web.state import AppState

router = APIRouter(prefix="/api/staff", route_class=ApiRoute, tags=["staff"])

NOT_FOUND = "No such request."

STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in as clinic staff"},
    403: {"model": ErrorOut, "description": "The member's role does not allow this"},
}
ONE_REQUEST: dict[int | str, dict[str, Any]] = {
    **STAFF_ERRORS,
    404: {"model": ErrorOut, "description": "No such request at this clinic"},
}


# ---------------------------------------------------------------- payloads


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return _utc(moment) if moment is not None else None


def member_payload(member: StaffMember) -> dict[str, Any]:
    """The signed-in member as the API shows them."""
    return {
        "id": member.id,
        "clinic_id": member.clinic_id,
        "email": member.email,
        "name": member.name,
        "role": member.role,
    }


def session_payload(started: StartedSession, member: StaffMember) -> dict[str, Any]:
    """A new staff session (:class:`StaffSessionOut` adds its token type)."""
    return {
        "token": started.token,
        "expires_at": started.expires_at,
        "staff": member_payload(member),
    }


def _age(request: AppointmentRequest, zone: tzinfo, now: datetime) -> dict[str, Any]:
    age = person_age(request, zone, now)
    return {"age": age.years, "age_source": age.source}


def item_payload(
    request: AppointmentRequest,
    location: str | None,
    now: datetime,
    zone: tzinfo,
    duplicate: bool,
) -> dict[str, Any]:
    """One inbox row: its age as the inbox shows it, and whether another request looks
    like the same person's."""
    waited = now - _utc(request.created_at)
    return {
        "id": request.id,
        "created_at": _utc(request.created_at),
        "waiting_minutes": max(0, int(waited.total_seconds() // 60)),
        "name": request.name,
        "urgency": request.urgency,
        "urgent": is_urgent(request),
        "kind": request.kind,
        "preferred_location": request.preferred_location,
        "preferred_location_name": location,
        "status": request.status,
        "status_changed_at": _maybe_utc(request.status_changed_at),
        **_age(request, zone, now),
        "likely_duplicate": duplicate,
    }


def _clinical(
    db: Session, who: StaffApiDep, request: AppointmentRequest, kb: KnowledgeBase
) -> dict[str, Any]:
    if not who.can(Permission.READ_CLINICAL):
        return {
            "clinical": False,
            "reason": None,
            "snapshot": None,
            "diary_shared": None,
            "diary": None,
        }
    user_id = request.user_id
    shared = user_id is not None and is_shared(db, user_id, request.clinic_id)
    diary = None
    if shared and user_id is not None:
        now = datetime.now(UTC)
        kinds = shared_patterns(db, user_id, kb, now)
        diary = patterns_payload(kinds, kb, now, DIARY_ZONE)
    return {
        "clinical": True,
        "reason": request.reason,
        "snapshot": request.snapshot,
        "diary_shared": shared,
        "diary": diary,
    }


def request_payload(
    db: Session,
    who: StaffApiDep,
    request: AppointmentRequest,
    location: str | None,
    kb: KnowledgeBase,
    zone: tzinfo,
) -> dict[str, Any]:
    """A request as the API shows it to this member's role: the date of birth, the age
    and likely duplicates to every role (as the inbox shows them), the reason given on
    the form only with the rest of the clinical detail."""
    duplicates = likely_duplicates(db, request.clinic_id, [request]).get(request.id, [])
    return {
        "id": request.id,
        "created_at": _utc(request.created_at),
        "name": request.name,
        "phone": request.phone,
        "email": request.email,
        "preferred_location": request.preferred_location,
        "preferred_location_name": location,
        "preferred_times": request.preferred_times,
        "consent_to_share": request.consent_to_share,
        "date_of_birth": request.date_of_birth,
        **_age(request, zone, datetime.now(UTC)),
        "likely_duplicate": bool(duplicates),
        "duplicates": [
            {"id": d.id, "created_at": _utc(d.created_at), "status": d.status, "why": d.why}
            for d in duplicates
        ],
        "urgency": request.urgency,
        "urgent": is_urgent(request),
        "kind": request.kind,
        "kb_version": request.kb_version,
        "status": request.status,
        "status_changed_at": _maybe_utc(request.status_changed_at),
        "decline_reason": request.decline_reason,
        "next_statuses": [s.value for s in next_statuses(request)],
        "history": [
            {
                "at": _utc(change.at),
                "staff_id": change.staff_id,
                "staff_name": change.staff_name,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
            }
            for change in inbox_service.history(db, request)
        ],
        **_clinical(db, who, request, kb),
    }


def view_detail(payload: dict[str, Any]) -> str:
    """What the request's payload held, for the audit trail."""
    if not payload["clinical"]:
        return "contact and status (API)"
    if payload["diary_shared"]:
        return "contact, status, check and shared diary (API)"
    return "contact, status and check (API)"


def _own_request(db: Session, who: StaffApiDep, request_id: str) -> AppointmentRequest:
    found = inbox_service.get_request(db, who.member.clinic_id, request_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return found


# ---------------------------------------------------------------- sign in and out


@router.post(
    "/session",
    response_model=StaffSessionOut,
    operation_id="staff_sign_in",
    responses=SIGN_IN_RESPONSES,
)
def staff_sign_in(body: StaffSignInIn, request: Request, db: DbDep) -> Any:
    """Sign in as clinic staff: a new bearer token. An unknown address, a deactivated
    account and a wrong password get the same answer; repeated failures are throttled."""
    address = client_address(request)
    try:
        member = staff_service.sign_in_staff(db, body.email, body.password, address, via="API")
    except AccountError as error:
        return refused(error)
    started = staff_service.start_staff_session(db, member)
    return session_payload(started, member)


@router.delete(
    "/session",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="staff_sign_out",
    responses={401: STAFF_ERRORS[401]},
)
def staff_sign_out(request: Request, who: StaffApiDep, db: DbDep) -> Response:
    """End this staff session."""
    record(db, who.member, AuditAction.SIGN_OUT, address=client_address(request), detail="API")
    staff_service.end_staff_session(db, who.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- the inbox


@router.get(
    "/requests",
    response_model=InboxPageOut,
    operation_id="staff_inbox",
    responses=STAFF_ERRORS,
)
def staff_inbox(
    request: Request,
    who: StaffApiDep,
    db: DbDep,
    state: StateDep,
    status_filter: Annotated[StatusFilter, Query(alias="status")] = "open",
    location: Annotated[str | None, Query(max_length=64, description="a location id")] = None,
    urgency: UrgencyName | None = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="a page link from `next_cursor`, `previous_cursor` or `last_cursor` "
            "(none: the first page)",
        ),
    ] = None,
) -> Any:
    """The clinic's requests, most urgent first, then longest waiting; 50 a page. Each
    page gives opaque, signed links to the pages beside it; a link that was altered or
    made for another filter is refused (422, `cursor`)."""
    require_permission(who, Permission.HANDLE_REQUESTS)
    clinic = member_clinic(db, state, who.member)
    if location is not None and clinic.location(location) is None:
        problem = {"type": "value_error", "loc": ["query", "location"]}
        return validation_response([{**problem, "msg": "Not one of the clinic's locations."}])
    where = inbox_service.InboxFilter(status_filter, location, urgency)
    try:
        found = inbox_service.inbox(
            db, who.member.clinic_id, where, cursor, secret=page_link_secret(state)
        )
    except inbox_service.CursorError as error:
        problem = {"type": "value_error", "loc": ["query", "cursor"], "msg": str(error)}
        return validation_response([problem])
    detail = f"status={status_filter} location={location or 'any'} "
    detail += f"urgency={urgency or 'any'} from={found.start + 1} (API)"
    record_request_event(
        db, who.member, AuditAction.VIEW_INBOX, client_address(request), detail=detail
    )
    now = datetime.now(UTC)
    duplicates = likely_duplicates(db, who.member.clinic_id, found.requests)
    return {
        "items": [
            item_payload(
                r,
                location_label(clinic, r.preferred_location) or None,
                now,
                clinic.zone,
                r.id in duplicates,
            )
            for r in found.requests
        ],
        "total": found.total,
        "start": found.start + 1 if found.requests else 0,
        "next_cursor": found.next,
        "previous_cursor": found.previous,
        "last_cursor": found.last,
        "counts": found.counts,
        "open_urgent": open_urgent_count(db, who.member.clinic_id),
    }


# ---------------------------------------------------------------- one request


@router.get(
    "/requests/{request_id}",
    response_model=RequestOut,
    operation_id="staff_get_request",
    responses=ONE_REQUEST,
)
def staff_get_request(
    request_id: PathId, request: Request, who: StaffApiDep, db: DbDep, state: StateDep
) -> Any:
    """A request: contact, status and history (and, for clinicians, the check and the
    shared diary)."""
    require_permission(who, Permission.HANDLE_REQUESTS)
    found = _own_request(db, who, request_id)
    return _read_request(db, state, who, request, found, AuditAction.VIEW_REQUEST, "")


def _read_request(
    db: Session,
    state: AppState,
    who: StaffSignedIn,
    request: Request,
    found: AppointmentRequest,
    action: AuditAction,
    detail: str,
) -> dict[str, Any]:
    """The request as it now is, for this member (for a clinician, the check and the
    diary too), with the audit event saying what was read (after ``detail``)."""
    clinic = member_clinic(db, state, who.member)
    location = location_label(clinic, found.preferred_location) or None
    payload = request_payload(db, who, found, location, state.pipeline.kb, clinic.zone)
    read = view_detail(payload)
    address = client_address(request)
    record_request_event(
        db, who.member, action, address, found, f"{detail}; {read}" if detail else read
    )
    return payload


@router.post(
    "/requests/{request_id}/status",
    response_model=RequestOut,
    operation_id="staff_change_status",
    responses=ONE_REQUEST,
)
def staff_change_status(
    request_id: PathId,
    body: StatusIn,
    request: Request,
    who: StaffApiDep,
    db: DbDep,
    state: StateDep,
) -> Any:
    """Move a request on (only to a status the workflow allows; declining needs a
    reason); the request comes back as it now is."""
    require_permission(who, Permission.HANDLE_REQUESTS)
    found = _own_request(db, who, request_id)
    try:
        change = inbox_service.change_status(db, found, who.member, body.status, body.reason)
    except WorkflowError as error:
        return field_error(error.field, error.message)
    detail = f"{change.from_status}->{change.to_status}"
    if change.reason:
        detail += f": {change.reason}"
    db.flush()
    # The answer carries the request as it now is, so the event says what was read
    # with the change.
    return _read_request(db, state, who, request, found, AuditAction.CHANGE_STATUS, detail)


@router.get(
    "/requests/{request_id}/fhir",
    operation_id="staff_request_fhir",
    response_class=Response,
    responses={
        **ONE_REQUEST,
        200: {
            "description": "The request as a FHIR R4 Bundle (with the diary only while shared)",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        },
    },
)
def staff_request_fhir(
    request_id: PathId, request: Request, who: StaffApiDep, db: DbDep, state: StateDep
) -> Response:
    """The request as a FHIR R4 Bundle, for clinicians, as a download."""
    require_permission(who, Permission.READ_CLINICAL)
    found = _own_request(db, who, request_id)
    clinic = member_clinic(db, state, who.member)
    kb, address = state.pipeline.kb, client_address(request)
    bundle = export_fhir(db, who.member, found, kb, clinic, address, Via.API)
    body = json.dumps(bundle, ensure_ascii=False)
    return attachment(body, "application/fhir+json", download_name(found, "fhir.json"))
