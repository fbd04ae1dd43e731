"""The clinic's inbox and its requests, for signed-in staff (see :mod:`staff_session`).

- ``GET /staff``: the requests, most urgent first and then longest waiting, filtered
  by status, location and urgency, paged; a banner counts the open urgent ones.
- ``GET /staff/requests/{id}``: who asked and how to reach them, the status with its
  history and a form offering only the moves the workflow allows; for clinicians
  (``READ_CLINICAL``) also the check exactly as the person saw it, their diary while
  they share it with this clinic, and the summary PDF and FHIR export.
- ``POST /staff/requests/{id}/status``: move the request on (CSRF-checked).
- ``GET /staff/requests/{id}/summary.pdf``, ``/fhir``, ``/charts/{name}.svg``:
  clinicians only; the diary goes with them only while it is shared.

Everything is scoped to the member's clinic: another clinic's request is a 404, as if
it did not exist. Times, and the shared diary's hours of the day, are in the clinic's
time zone. Every read and change is written to the audit trail in the route's own
transaction (committed with it, or not at all). The routes are plain ``def``: the PDF
is rendered on the spot and the database is used throughout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.diary import FEELS
from crampcheck.domain.diary_charts import chart_svg
from crampcheck.services import inbox as inbox_service
from crampcheck.services.audit import AuditAction, record_request_event
from crampcheck.services.diary import nothing_logged
from crampcheck.services.duplicates import likely_duplicates
from crampcheck.services.inbox import MAX_REASON, Status, WorkflowError
from crampcheck.services.roles import Permission
from crampcheck.services.sharing import is_shared
from crampcheck.services.summary_report import Via, export_fhir, read_summary_pdf
from crampcheck.storage.tables import AppointmentRequest
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import text_field
from crampcheck.web.pages.guards import (
    Answer,
    StaffForm,
    StaffHandlingRequests,
    StaffReadingClinical,
)
from crampcheck.web.pages.staff_render import no_store, staff_page
from crampcheck.web.pages.staff_snapshot import snapshot_view
from crampcheck.web.pages.staff_views import (
    CHARTS,
    FILTER_FIELDS,
    FilterInput,
    contact_view,
    diary_view,
    duplicate_views,
    filter_detail,
    filter_query,
    history_rows,
    inbox_row,
    kind_labels,
    parse_filter,
    show_time,
    status_filter_choices,
    status_labels,
    urgency_filter_labels,
    urgency_labels,
    waiting_text,
)
from crampcheck.web.staff_auth import StaffSignedIn, staff_csrf, staff_signed_in
from crampcheck.web.staff_shared import (
    attachment,
    download_name,
    is_urgent,
    member_clinic,
    next_statuses,
    open_urgent_count,
    page_link_secret,
    shared_patterns,
)
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

REQUEST_FIELDS = ("status", "reason")


# ---------------------------------------------------------------- shared


def missing_page(request: Request, state: AppState, who: StaffSignedIn) -> HTMLResponse:
    """The 404 for a request that is not this clinic's (or does not exist)."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("There is no such request"),
            "message": _(
                "This clinic has no appointment request at this address. It may have been "
                "typed wrongly; the inbox lists every request."
            ),
        },
        status_code=404,
    )


def find_request(db: Session, who: StaffSignedIn, request_id: str) -> AppointmentRequest | None:
    """A request of the member's clinic, or None (another clinic's included)."""
    return inbox_service.get_request(db, who.member.clinic_id, request_id)


# ---------------------------------------------------------------- the inbox


def _inbox_context(
    db: Session, state: AppState, who: StaffSignedIn, given: FilterInput
) -> tuple[dict[str, Any], str | None]:
    """The inbox page's context, and the audit detail when requests were listed (None
    when the filter was refused and nothing was read)."""
    clinic = member_clinic(db, state, who.member)
    parsed = parse_filter(given, clinic)
    context: dict[str, Any] = {
        "errors": parsed.errors,
        "fields": FILTER_FIELDS,
        "where": parsed.where,
        "status_choices": status_filter_choices(),
        "locations": [(loc.id, loc.name) for loc in clinic.locations],
        "urgencies": list(urgency_filter_labels().items()),
        "open_urgent": open_urgent_count(db, who.member.clinic_id, (Status.NEW,)),
        "urgent_query": "status=open&urgency=urgent",
        "rows": [],
        "total": 0,
        "start": 0,
        "first": None,
        "previous": None,
        "next": None,
        "last": None,
        "link_refused": None,
    }
    if parsed.errors:
        return context, None
    secret = page_link_secret(state)

    def read(cursor: str | None) -> inbox_service.InboxPage:
        return inbox_service.inbox(
            db, who.member.clinic_id, parsed.where, cursor, secret=secret, with_counts=False
        )

    try:
        found = read(parsed.cursor)
    except inbox_service.CursorError as error:
        # An altered or outdated page link: the first page, saying why.
        context["link_refused"] = f"{error} {_('Here is the first page instead.')}"
        found = read(None)
    now = datetime.now(UTC)
    duplicates = likely_duplicates(db, who.member.clinic_id, found.requests)

    def query(cursor: str | None) -> str | None:
        return None if cursor is None else filter_query(parsed.where, cursor)

    context.update(
        rows=[
            inbox_row(r, clinic, now, state.pipeline.kb, duplicates.get(r.id, ()))
            for r in found.requests
        ],
        total=found.total,
        start=found.start,
        first=None if found.first else filter_query(parsed.where),
        previous=query(found.previous),
        next=query(found.next),
        last=query(found.last),
    )
    return context, filter_detail(parsed.where, found.start)


@router.get("/staff")
def inbox_page(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffHandlingRequests,
    status: Annotated[str | None, Query(max_length=20)] = None,
    location: Annotated[str | None, Query(max_length=64)] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """The clinic's appointment requests, most urgent first, then longest waiting; a
    page link (``cursor``) names where a later page starts."""
    given = FilterInput(status, location, urgency, cursor)
    context, detail = _inbox_context(db, state, who, given)
    if detail is None:
        return staff_page(request, state, who, "staff_inbox.html", context, status_code=422)
    record_request_event(
        db, who.member, AuditAction.VIEW_INBOX, client_address(request), detail=detail
    )
    return staff_page(request, state, who, "staff_inbox.html", context)


# ---------------------------------------------------------------- one request


def _clinical_context(
    db: Session, state: AppState, who: StaffSignedIn, found: AppointmentRequest, zone: tzinfo
) -> dict[str, Any]:
    """The check as the person saw it and their shared diary, hours of the day in
    ``zone`` (clinicians only)."""
    if not who.can(Permission.READ_CLINICAL):
        return {"clinical": False, "diary_shared": False, "diary": None}
    kb = state.pipeline.kb
    snapshot = snapshot_view(found.snapshot or {}, kb)
    user_id = found.user_id
    shared = user_id is not None and is_shared(db, user_id, who.member.clinic_id)
    return {
        "clinical": True,
        "snapshot": snapshot,
        "units": snapshot["units"],
        "has_account": user_id is not None,
        "diary_shared": shared,
        "diary": (
            diary_view(db, user_id, kb, datetime.now(UTC), zone) if shared and user_id else None
        ),
    }


def _view_detail(context: dict[str, Any], refused: str | None) -> str:
    """What the request page showed, for the audit trail."""
    if not context["clinical"]:
        shown = "contact and status"
    elif context["diary_shared"]:
        shown = "contact, status, check and shared diary"
    else:
        shown = "contact, status and check"
    return f"{shown}; after a refused status change: {refused}" if refused else shown


def request_page(
    request: Request,
    state: AppState,
    db: Session,
    who: StaffSignedIn,
    found: AppointmentRequest,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The request page, recorded in the audit trail as a read of the request."""
    clinic = member_clinic(db, state, who.member)
    labels = status_labels()
    context: dict[str, Any] = {
        "id": found.id,
        "contact": contact_view(found, clinic),
        "duplicates": duplicate_views(
            likely_duplicates(db, who.member.clinic_id, [found]).get(found.id, ()), clinic
        ),
        "urgent": is_urgent(found),
        "urgency": found.urgency,
        "urgency_label": urgency_labels(state.pipeline.kb).get(found.urgency, found.urgency),
        "kind_label": kind_labels().get(found.kind, found.kind),
        "waiting": waiting_text(found.created_at, datetime.now(UTC)),
        "status": found.status,
        "status_label": labels.get(found.status, found.status),
        "status_changed": show_time(found.status_changed_at, clinic),
        "decline_reason": found.decline_reason or "",
        "history": history_rows(inbox_service.history(db, found), clinic),
        "next_statuses": [(s.value, labels[s.value]) for s in next_statuses(found)],
        "form": form or {"status": "", "reason": ""},
        "errors": errors or {},
        "fields": REQUEST_FIELDS,
        "max_reason": MAX_REASON,
        "notice": notice,
        "csrf_token": staff_csrf(state, who.token),
        **_clinical_context(db, state, who, found, clinic.zone),
    }
    refused = "; ".join((errors or {}).values()) or None
    detail = _view_detail(context, refused)
    record_request_event(
        db, who.member, AuditAction.VIEW_REQUEST, client_address(request), found, detail
    )
    return staff_page(request, state, who, "staff_request.html", context, status_code)


@router.get("/staff/requests/{request_id}")
def request_detail(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffHandlingRequests,
    request_id: str,
    done: str | None = None,
) -> Response:
    """One request: contact, status and history; the clinical detail for clinicians."""
    found = find_request(db, who, request_id)
    if found is None:
        return missing_page(request, state, who)
    notice = None
    if done == "status":
        label = status_labels().get(found.status, found.status)
        notice = _("The request is now: %(status)s.") % {"status": label}
    return request_page(request, state, db, who, found, notice=notice)


def workflow_message(error: WorkflowError, found: AppointmentRequest, target: str) -> str:
    """A refused move in words the page can translate."""
    if error.field == "reason":
        return _(error.message)
    labels = status_labels()
    if target not in labels:
        return _("Please choose one of the statuses offered.")
    return _("A request that is %(current)s cannot be moved to %(target)s.") % {
        "current": labels.get(found.status, found.status).lower(),
        "target": labels[target].lower(),
    }


@router.post("/staff/requests/{request_id}/status")
def status_submit(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffHandlingRequests,
    form: StaffForm,
    request_id: str,
) -> Response:
    """Move the request on; declining needs a reason. Who and when are recorded."""
    found = find_request(db, who, request_id)
    if found is None:
        return missing_page(request, state, who)
    target = text_field(form, "status", 20).strip()
    # Read well past the limit: the service refuses a reason over MAX_REASON after
    # collapsing its spaces, rather than cutting its end off unseen.
    reason = text_field(form, "reason", MAX_REASON * 10)
    values = {"status": target, "reason": reason}
    if not target:
        errors = {"status": _("Please choose the request's new status.")}
        return request_page(
            request, state, db, who, found, form=values, errors=errors, status_code=422
        )
    try:
        change = inbox_service.change_status(db, found, who.member, target, reason)
    except WorkflowError as error:
        errors = {error.field: workflow_message(error, found, target)}
        return request_page(
            request, state, db, who, found, form=values, errors=errors, status_code=422
        )
    detail = f"{change.from_status}->{change.to_status}"
    if change.reason:
        detail += f": {change.reason}"
    record_request_event(
        db, who.member, AuditAction.CHANGE_STATUS, client_address(request), found, detail
    )
    return no_store(RedirectResponse(f"/staff/requests/{found.id}?done=status", status_code=303))


# ---------------------------------------------------------------- downloads and charts


@dataclass(frozen=True)
class _ClinicalRead:
    """A request a clinician asked to take away in full, and what each download of it
    needs: the member's clinic and the address the audit trail records."""

    found: AppointmentRequest
    clinic: Clinic
    address: str | None


def _clinical_read(
    request: Request, state: AppState, db: Session, who: StaffSignedIn, request_id: str
) -> _ClinicalRead:
    """The clinic's request a clinician asked for, or the not-found page instead."""
    found = find_request(db, who, request_id)
    if found is None:
        raise Answer(missing_page(request, state, who))
    return _ClinicalRead(found, member_clinic(db, state, who.member), client_address(request))


@router.get("/staff/requests/{request_id}/summary.pdf")
def summary_download(
    request: Request, state: StateDep, db: DbDep, who: StaffReadingClinical, request_id: str
) -> Response:
    """The one-page summary for a clinician, as a PDF download."""
    read = _clinical_read(request, state, db, who, request_id)
    pdf = read_summary_pdf(db, who.member, read.found, state.pipeline.kb, read.clinic, read.address)
    return attachment(pdf, "application/pdf", download_name(read.found, "pdf"))


@router.get("/staff/requests/{request_id}/fhir")
def fhir_download(
    request: Request, state: StateDep, db: DbDep, who: StaffReadingClinical, request_id: str
) -> Response:
    """The request as a FHIR R4 Bundle, as a download."""
    read = _clinical_read(request, state, db, who, request_id)
    kb = state.pipeline.kb
    bundle = export_fhir(db, who.member, read.found, kb, read.clinic, read.address, Via.PAGES)
    body = json.dumps(bundle, ensure_ascii=False)
    return attachment(body, "application/fhir+json", download_name(read.found, "fhir.json"))


@router.get("/staff/requests/{request_id}/charts/{name}.svg")
def diary_chart(
    request: Request,
    state: StateDep,
    db: DbDep,
    request_id: str,
    name: str,
    kind: Annotated[str, Query(max_length=10)] = "cramp",
) -> Response:
    """One chart of one kind of episode (``kind``: cramp, twitch or other) in a shared
    diary, for a clinician, while the person shares it.

    An image answers with a bare status, not a page: 401 without a staff session, 403
    for a role without clinical access, 404 for another clinic's request, an unknown
    chart, or a diary that is not (or no longer) shared.
    """
    bare = {"Cache-Control": "no-store"}
    who = staff_signed_in(request, db, cookie=True)
    if who is None:
        return Response(status_code=401, headers=bare)
    if not who.can(Permission.READ_CLINICAL):
        return Response(status_code=403, headers=bare)
    found = find_request(db, who, request_id)
    if found is None or found.user_id is None or name not in CHARTS or kind not in FEELS:
        return Response(status_code=404, headers=bare)
    if not is_shared(db, found.user_id, who.member.clinic_id):
        return Response(status_code=404, headers=bare)
    now = datetime.now(UTC)
    zone = member_clinic(db, state, who.member).zone
    kinds = shared_patterns(db, found.user_id, state.pipeline.kb, now, zone)
    found_diary = next((k.patterns for k in kinds if k.kind == kind), None)
    if found_diary is None:
        found_diary = nothing_logged(now, zone, state.pipeline.kb)
    svg = chart_svg(name, found_diary, now, zone)
    record_request_event(
        db,
        who.member,
        AuditAction.VIEW_DIARY_CHART,
        client_address(request),
        found,
        name if kind == "cramp" else f"{name} ({kind})",
    )
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})
