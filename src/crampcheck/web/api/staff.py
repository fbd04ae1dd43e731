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
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from crampcheck.domain.times import aware as _utc
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services import inbox as inbox_service
from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import AccountError, ThrottledError
from crampcheck.services.audit import AuditAction, record, record_request_event
from crampcheck.services.inbox import MAX_REASON, WorkflowError
from crampcheck.services.roles import Permission
from crampcheck.services.sharing import is_shared
from crampcheck.services.staff import StartedStaffSession
from crampcheck.services.summary_report import Via, export_fhir
from crampcheck.storage.tables import AppointmentRequest, StaffMember
from crampcheck.web.api.account import throttled
from crampcheck.web.api.diary import patterns_payload
from crampcheck.web.api.errors import ApiRoute, field_error, validation_response
from crampcheck.web.api.inputs import PathId, StrictInput
from crampcheck.web.api.schemas import (
    CauseOut,
    ErrorOut,
    FindingOut,
    OpenQuestionOut,
    PatternsOut,
    ReasonOut,
)
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.staff_auth import StaffApiDep, require_permission
from crampcheck.web.staff_shared import (
    attachment,
    download_name,
    is_urgent,
    location_label,
    member_clinic,
    next_statuses,
    open_urgent_count,
    shared_patterns,
)

router = APIRouter(prefix="/api/staff", route_class=ApiRoute, tags=["staff"])

NOT_FOUND = "No such request."
StatusName = Literal["new", "contacted", "booked", "closed", "declined"]
StatusFilter = Literal["open", "all", "new", "contacted", "booked", "closed", "declined"]
UrgencyName = Literal["emergency", "urgent", "doctor", "self_care"]

STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in as clinic staff"},
    403: {"model": ErrorOut, "description": "The member's role does not allow this"},
}
ONE_REQUEST: dict[int | str, dict[str, Any]] = {
    **STAFF_ERRORS,
    404: {"model": ErrorOut, "description": "No such request at this clinic"},
}


# ---------------------------------------------------------------- shapes


class _In(StrictInput):
    """A request body of this module (see :class:`StrictInput`)."""


class StaffSignInIn(_In):
    """A staff member's work email address and password."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class StaffMemberOut(BaseModel):
    id: str
    clinic_id: str
    email: str
    name: str
    role: Literal["front_desk", "clinician", "admin"]


class StaffSessionOut(BaseModel):
    """A staff session: send ``token`` as ``Authorization: Bearer <token>``."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    staff: StaffMemberOut


class InboxItemOut(BaseModel):
    """One request as the inbox lists it."""

    id: str
    created_at: datetime
    waiting_minutes: int = Field(description="minutes since the request arrived")
    name: str
    urgency: UrgencyName
    urgent: bool = Field(description="urgent: contact within 24 hours")
    kind: str
    preferred_location: str | None
    preferred_location_name: str | None
    status: StatusName
    status_changed_at: datetime | None


class InboxPageOut(BaseModel):
    """A page of the inbox: most urgent first, then longest waiting."""

    items: list[InboxItemOut]
    total: int = Field(description="requests matching the filter")
    page: int
    pages: int
    counts: dict[str, int] = Field(description="the clinic's requests by status")
    open_urgent: int = Field(description="open urgent requests (contact within 24 hours)")


class StatusChangeOut(BaseModel):
    at: datetime
    staff_id: str
    staff_name: str
    from_status: str
    to_status: str
    reason: str | None


class SnapshotOut(BaseModel):
    """The check exactly as the person saw it when they sent the request."""

    urgency: str
    action: str | None = None
    kind: str
    kind_reasons: list[str] = Field(default_factory=list)
    findings: list[FindingOut] = Field(default_factory=list)
    reasons: list[ReasonOut] = Field(default_factory=list)
    causes: list[CauseOut] = Field(default_factory=list)
    open_questions: list[OpenQuestionOut] = Field(default_factory=list)
    kb_version: str
    disclaimer: str | None = None
    description: str | None = Field(default=None, description="the person's own words")
    version: int = Field(default=1, description="the snapshot's format (1: before it was stored)")


class RequestOut(BaseModel):
    """A request: who, how to reach them, status and history; for clinicians also the
    check and, while the person shares it with the clinic, their diary's patterns."""

    id: str
    created_at: datetime
    name: str
    phone: str | None
    email: str | None
    preferred_location: str | None
    preferred_location_name: str | None
    preferred_times: str | None
    consent_to_share: bool
    urgency: UrgencyName
    urgent: bool
    kind: str
    kb_version: str
    status: StatusName
    status_changed_at: datetime | None
    decline_reason: str | None
    next_statuses: list[StatusName] = Field(description="the moves the workflow allows")
    history: list[StatusChangeOut]
    clinical: bool = Field(description="whether the member's role sees clinical detail")
    snapshot: SnapshotOut | None = Field(description="clinicians only")
    diary_shared: bool | None = Field(description="clinicians only")
    diary: PatternsOut | None = Field(description="clinicians only, while shared")


class StatusIn(_In):
    """Move a request on; declining needs a reason."""

    status: StatusName
    reason: str | None = Field(default=None, max_length=MAX_REASON)


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


def session_payload(started: StartedStaffSession, member: StaffMember) -> dict[str, Any]:
    """A new staff session (token type "bearer": the OAuth term, not a password)."""
    token_type = "bearer"  # nosec B105
    return {
        "token": started.token,
        "token_type": token_type,
        "expires_at": started.expires_at,
        "staff": member_payload(member),
    }


def item_payload(
    request: AppointmentRequest, location: str | None, now: datetime
) -> dict[str, Any]:
    """One inbox row."""
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
    }


def _clinical(
    db: Session, who: StaffApiDep, request: AppointmentRequest, kb: KnowledgeBase
) -> dict[str, Any]:
    if not who.can(Permission.READ_CLINICAL):
        return {"clinical": False, "snapshot": None, "diary_shared": None, "diary": None}
    user_id = request.user_id
    shared = user_id is not None and is_shared(db, user_id, request.clinic_id)
    diary = None
    if shared and user_id is not None:
        diary = patterns_payload(shared_patterns(db, user_id, kb, datetime.now(UTC)), kb)
    return {"clinical": True, "snapshot": request.snapshot, "diary_shared": shared, "diary": diary}


def request_payload(
    db: Session,
    who: StaffApiDep,
    request: AppointmentRequest,
    location: str | None,
    kb: KnowledgeBase,
) -> dict[str, Any]:
    """A request as the API shows it to this member's role."""
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
    responses={
        401: {"model": ErrorOut, "description": "Wrong email address or password"},
        429: {"model": ErrorOut, "description": "Too many failed attempts"},
    },
)
def staff_sign_in(body: StaffSignInIn, request: Request, db: DbDep) -> Any:
    """Sign in as clinic staff: a new bearer token. An unknown address, a deactivated
    account and a wrong password get the same answer; repeated failures are throttled."""
    address = client_address(request)
    try:
        member = staff_service.sign_in_staff(db, body.email, body.password, address, via="API")
    except ThrottledError as error:
        return throttled(error)
    except AccountError as error:
        return JSONResponse({"detail": error.message}, status_code=401)
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
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Any:
    """The clinic's requests, most urgent first, then longest waiting; 50 a page."""
    require_permission(who, Permission.HANDLE_REQUESTS)
    clinic = member_clinic(db, state, who.member)
    if location is not None and clinic.location(location) is None:
        problem = {"type": "value_error", "loc": ["query", "location"]}
        return validation_response([{**problem, "msg": "Not one of the clinic's locations."}])
    where = inbox_service.InboxFilter(status_filter, location, urgency)
    found = inbox_service.inbox(db, who.member.clinic_id, where, page)
    detail = f"status={status_filter} location={location or 'any'} "
    detail += f"urgency={urgency or 'any'} page={found.page} (API)"
    record_request_event(
        db, who.member, AuditAction.VIEW_INBOX, client_address(request), detail=detail
    )
    now = datetime.now(UTC)
    return {
        "items": [
            item_payload(r, location_label(clinic, r.preferred_location) or None, now)
            for r in found.requests
        ],
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
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
    clinic = member_clinic(db, state, who.member)
    location = location_label(clinic, found.preferred_location) or None
    payload = request_payload(db, who, found, location, state.pipeline.kb)
    record_request_event(
        db,
        who.member,
        AuditAction.VIEW_REQUEST,
        client_address(request),
        found,
        view_detail(payload),
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
    clinic = member_clinic(db, state, who.member)
    location = location_label(clinic, found.preferred_location) or None
    payload = request_payload(db, who, found, location, state.pipeline.kb)
    # The answer carries the request as it now is (for a clinician, the check and the
    # diary too), so the event says what was read with the change.
    record_request_event(
        db,
        who.member,
        AuditAction.CHANGE_STATUS,
        client_address(request),
        found,
        f"{detail}; {view_detail(payload)}",
    )
    return payload


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
