"""The staff app's admin pages: the clinic's team and its audit log.

``/staff/team`` (MANAGE_STAFF) lists the clinic's staff and adds a member by name,
email address and role: never a password, which only the member chooses, with the
one-time invitation link the page then shows once for the admin to hand over
(:mod:`crampcheck.services.invitations`). It lists the invitations not yet accepted
with when each link stops working, revokes one or issues a new link (which ends the
old one; for a member who forgot their password it also ends the password and their
sessions), and activates or deactivates members (deactivating ends their sessions and
their link; nobody can deactivate themselves or give themselves a new link). Each change
is an audit event naming the member and role, never a password or a link.

``/staff/audit`` (READ_AUDIT) shows the clinic's audit events newest first, filtered
by action, staff email, request and dates (whole days in the clinic's time zone), a
page at a time, with times in that zone; ``/staff/audit.csv`` downloads the filtered
events with ISO 8601 UTC timestamps, streamed as they are read a batch at a time.
Reading and exporting are audited too. There is no way here to edit or delete an event.
Everything is scoped to the member's clinic.

The routes are plain ``def`` (run off the event loop): password hashing is slow on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from crampcheck.domain.limits import EARLIEST_YEAR, LATEST_YEAR, sane_year
from crampcheck.services import invitations
from crampcheck.services import staff as staff_service
from crampcheck.services.accounts import AccountError, normalise_email
from crampcheck.services.audit import (
    AuditAction,
    AuditFilter,
    export_csv,
    list_events,
    record,
    start_export,
)
from crampcheck.services.roles import Role
from crampcheck.storage.tables import AuditEvent, StaffMember
from crampcheck.storage.times import aware as _aware
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import text_field, whole_number
from crampcheck.web.pages.guards import StaffForm, StaffManagingStaff, StaffReadingAudit
from crampcheck.web.pages.staff_render import no_store, role_label, staff_page
from crampcheck.web.staff_auth import StaffSignedIn, staff_csrf
from crampcheck.web.staff_shared import member_clinic
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

TEAM_PATH = "/staff/team"
AUDIT_PATH = "/staff/audit"
AUDIT_PAGE_SIZE = 50
MAX_PAGE = 100_000
ADD_FIELDS = ("name", "email", "role")
INVITE_PAGE = "invitation_form"
"""The route name of the page an invitation link opens (staff_invite.py)."""


# ---------------------------------------------------------------- the team


def _member_row(member: StaffMember, me: StaffMember, zone: tzinfo) -> dict[str, Any]:
    """One staff member as the team table shows them (the day added in ``zone``)."""
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "role": role_label(member.role),
        "active": member.active,
        "has_password": staff_service.has_password(member),
        "added": _aware(member.created_at).astimezone(zone).date().isoformat(),
        "is_self": member.id == me.id,
    }


def _when(moment: datetime, zone: tzinfo) -> str:
    """A time in ``zone`` (the clinic's), to the minute."""
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _invitation_row(invitation: invitations.OpenInvitation, zone: tzinfo) -> dict[str, Any]:
    """One invitation not yet accepted, as the invitations table shows it."""
    member = invitation.member
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "role": role_label(member.role),
        "issued": _when(invitation.created_at, zone),
        "expires": _when(invitation.expires_at, zone),
        "expired": invitation.expired,
    }


def _issued_panel(
    request: Request, issued: invitations.IssuedInvitation, zone: tzinfo
) -> dict[str, str]:
    """The new link, shown this once: only its hash is kept."""
    return {
        "name": issued.member.name,
        "email": issued.member.email,
        "link": str(request.url_for(INVITE_PAGE, token=issued.token)),
        "expires": _when(issued.expires_at, zone),
    }


def _team_page(
    request: Request,
    state: AppState,
    db: Session,
    who: StaffSignedIn,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    issued: invitations.IssuedInvitation | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The team table, the invitations not yet accepted, a link just issued (shown
    once), and the form to add a member (with what was typed, on error)."""
    members = staff_service.list_staff(db, who.member.clinic_id)
    zone = member_clinic(db, state, who.member).zone
    waiting = invitations.open_invitations(db, who.member.clinic_id)
    return staff_page(
        request,
        state,
        who,
        "staff_team.html",
        {
            "members": [_member_row(m, who.member, zone) for m in members],
            "invitations": [_invitation_row(i, zone) for i in waiting],
            "issued": _issued_panel(request, issued, zone) if issued is not None else None,
            "lifetime_hours": int(invitations.INVITATION_LIFETIME.total_seconds() // 3600),
            "roles": [(role.value, role_label(role.value)) for role in Role],
            "form": values or {"name": "", "email": "", "role": Role.FRONT_DESK.value},
            "errors": errors or {},
            "notice": notice,
            "csrf_token": staff_csrf(state, who.token),
        },
        status_code=status_code,
    )


@router.get(TEAM_PATH)
def team(
    request: Request, state: StateDep, db: DbDep, who: StaffManagingStaff, done: str | None = None
) -> Response:
    """The clinic's staff, and adding, inviting, activating and deactivating them."""
    notices = {
        "deactivated": _("The staff member was deactivated and signed out everywhere."),
        "activated": _("The staff member can sign in again."),
        "revoked": _(
            "The invitation link no longer works. They cannot sign in until you give them "
            "a new link."
        ),
    }
    return _team_page(request, state, db, who, notice=notices.get(done or ""))


def _add_form_errors(values: dict[str, str]) -> dict[str, str]:
    """What is wrong with the add-a-member form before anything is written."""
    errors: dict[str, str] = {}
    if not values["name"].strip():
        errors["name"] = _("Please enter the staff member's name.")
    if not values["email"]:
        errors["email"] = _("Please enter their work email address.")
    else:
        try:
            normalise_email(values["email"])
        except AccountError as error:
            errors["email"] = _(error.message)
    if values["role"] not in {role.value for role in Role}:
        errors["role"] = _("Please choose a role.")
    return errors


@router.post(TEAM_PATH)
def team_add(
    request: Request, state: StateDep, db: DbDep, who: StaffManagingStaff, form: StaffForm
) -> Response:
    """Add a staff member to this clinic, without a password, and show their invitation
    link this once. A password sent with the form (an older page) is ignored."""
    values = {
        "name": text_field(form, "name", 120).strip(),
        "email": text_field(form, "email", 254).strip(),
        "role": text_field(form, "role", 16),
    }
    errors = _add_form_errors(values)
    if not errors:
        try:
            issued = invitations.invite_staff(
                db,
                who.member,
                clinic_id=who.member.clinic_id,
                email=values["email"],
                name=values["name"],
                role=values["role"],
                address=client_address(request),
            )
        except AccountError as error:
            errors[error.field if error.field in ADD_FIELDS else "email"] = _(error.message)
    if errors:
        values = {key: value[:254] for key, value in values.items()}
        return _team_page(request, state, db, who, values=values, errors=errors, status_code=422)
    notice = _("%(name)s was added. Give them the link below to choose their password.") % {
        "name": issued.member.name
    }
    return _team_page(request, state, db, who, notice=notice, issued=issued)


@router.post(TEAM_PATH + "/{staff_id}/invitation")
def team_reissue(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffManagingStaff,
    _form: StaffForm,
    staff_id: str,
) -> Response:
    """A new invitation link for a member (a lost or expired link, or a forgotten
    password): the old link stops working, and so do their password and sessions."""
    member = staff_service.find_member(db, who.member.clinic_id, staff_id)
    if member is None:
        return _no_such_member(request, state, who)
    try:
        issued = invitations.reissue_invitation(
            db, who.member, member, address=client_address(request)
        )
    except AccountError as error:
        return _team_page(
            request, state, db, who, errors={"team": _(error.message)}, status_code=422
        )
    notice = _("There is a new link for %(name)s; any earlier link no longer works.") % {
        "name": member.name
    }
    return _team_page(request, state, db, who, notice=notice, issued=issued)


@router.post(TEAM_PATH + "/{staff_id}/invitation/revoke")
def team_revoke(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffManagingStaff,
    _form: StaffForm,
    staff_id: str,
) -> Response:
    """Make a member's invitation link stop working."""
    member = staff_service.find_member(db, who.member.clinic_id, staff_id)
    if member is None:
        return _no_such_member(request, state, who)
    if not invitations.revoke_invitation(db, who.member, member, address=client_address(request)):
        message = _("This member has no invitation link to revoke.")
        return _team_page(request, state, db, who, errors={"team": message}, status_code=422)
    return no_store(RedirectResponse(f"{TEAM_PATH}?done=revoked", status_code=303))


def _set_active(
    request: Request,
    state: AppState,
    db: Session,
    who: StaffSignedIn,
    staff_id: str,
    active: bool,
) -> Response:
    """Activate or deactivate a member of the signed-in admin's clinic."""
    if staff_id == who.member.id and not active:
        message = _("You cannot deactivate yourself. Ask another admin if you are leaving.")
        return _team_page(request, state, db, who, errors={"team": message}, status_code=422)
    member = staff_service.find_member(db, who.member.clinic_id, staff_id)
    if member is None:
        return _no_such_member(request, state, who)
    if member.active != active:
        address = client_address(request)
        if not active:
            invitations.revoke_invitation(
                db, who.member, member, address=address, reason="deactivated"
            )
        staff_service.set_active(db, who.member.clinic_id, member.id, active)
        action = AuditAction.ACTIVATE_STAFF if active else AuditAction.DEACTIVATE_STAFF
        verb = "Activated" if active else "Deactivated"
        detail = f"{verb} {member.name} <{member.email}>, {member.role}"
        record(db, who.member, action, address=address, detail=detail)
    done = "activated" if active else "deactivated"
    return no_store(RedirectResponse(f"{TEAM_PATH}?done={done}", status_code=303))


def _no_such_member(request: Request, state: AppState, who: StaffSignedIn) -> HTMLResponse:
    """404: no member with this id at the admin's clinic (another clinic's look the same)."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("There is no such staff member"),
            "message": _("Nobody with this id works at your clinic. Nothing was changed."),
        },
        status_code=404,
    )


@router.post(TEAM_PATH + "/{staff_id}/deactivate")
def team_deactivate(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffManagingStaff,
    _form: StaffForm,
    staff_id: str,
) -> Response:
    """Deactivate a member: they can no longer sign in, and their sessions end."""
    return _set_active(request, state, db, who, staff_id, active=False)


@router.post(TEAM_PATH + "/{staff_id}/activate")
def team_activate(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: StaffManagingStaff,
    _form: StaffForm,
    staff_id: str,
) -> Response:
    """Let a deactivated member sign in again."""
    return _set_active(request, state, db, who, staff_id, active=True)


# ---------------------------------------------------------------- the audit log


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


@dataclass(frozen=True)
class AuditQuery:
    """The audit page's filters as typed (``values``), as a filter, and their problems."""

    where: AuditFilter
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    page: int = 1


def _param(params: QueryParams, name: str, max_chars: int) -> str:
    return (params.get(name) or "").strip()[:max_chars]


def _day(values: dict[str, str], name: str, errors: dict[str, str]) -> date | None:
    """A YYYY-MM-DD filter date, or None (and a message when it is not one)."""
    if not values[name]:
        return None
    try:
        day = date.fromisoformat(values[name])
    except ValueError:
        errors[name] = _("Please enter a date as YYYY-MM-DD, such as 2026-03-31.")
        return None
    if not sane_year(day.year):
        errors[name] = _("Please enter a date between %(first)d and %(last)d.") % {
            "first": EARLIEST_YEAR,
            "last": LATEST_YEAR,
        }
        return None
    return day


def _midnight(day: date, zone: tzinfo) -> datetime:
    """When ``day`` starts in ``zone``, in UTC (as the events are stored)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def read_audit_query(params: QueryParams, zone: tzinfo) -> AuditQuery:
    """The filters from the query string: dates are whole days in ``zone`` (the clinic's),
    both ends included."""
    values = {
        "action": _param(params, "action", 40),
        "staff_email": _param(params, "staff_email", 254),
        "request_id": _param(params, "request_id", 36),
        "from": _param(params, "from", 10),
        "to": _param(params, "to", 10),
    }
    errors: dict[str, str] = {}
    if values["action"] and values["action"] not in {a.value for a in AuditAction}:
        errors["action"] = _("Please choose an action from the list.")
    since, until = _day(values, "from", errors), _day(values, "to", errors)
    if since and until and until < since:
        errors["to"] = _("The end date is before the start date.")
    raw_page = params.get("page") or "1"
    number = whole_number(raw_page)
    page = number if number is not None and 0 < number <= MAX_PAGE else 1
    where = AuditFilter(
        action=values["action"] or None,
        staff_email=values["staff_email"] or None,
        request_id=values["request_id"] or None,
        since=_midnight(since, zone) if since else None,
        until=_midnight(until + timedelta(days=1), zone) if until else None,
    )
    return AuditQuery(where, values, errors, page)


def _describe(query: AuditQuery) -> str:
    """The filters in use, for an audit event's detail."""
    used = [f"{name}={value}" for name, value in query.values.items() if value]
    return "; ".join(used) or "no filters"


def _query_string(query: AuditQuery, page: int | None = None) -> str:
    """The filters (and a page) as a query string, for links."""
    pairs = [(name, value) for name, value in query.values.items() if value]
    if page is not None and page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


def _at(moment: datetime, zone: tzinfo) -> str:
    """An event's time in ``zone`` (the clinic's), as people read it."""
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def _event_row(event: AuditEvent, zone: tzinfo) -> dict[str, Any]:
    """One audit event as the audit table shows it (its time in ``zone``)."""
    return {
        "at": _at(event.at, zone),
        "staff_email": event.staff_email,
        "role": role_label(event.role),
        "action": action_label(event.action),
        "request_id": event.request_id,
        "patient_ref": event.patient_ref,
        "address": event.address,
        "detail": event.detail,
    }


def _pages(query: AuditQuery, total: int) -> dict[str, Any]:
    """Where this page starts and ends, and the links to its neighbours."""
    last = max(1, -(-total // AUDIT_PAGE_SIZE))
    first_shown = (query.page - 1) * AUDIT_PAGE_SIZE + 1
    return {
        "total": total,
        "first": first_shown if total else 0,
        "last_shown": min(total, query.page * AUDIT_PAGE_SIZE),
        "page": query.page,
        "pages": last,
        "prev": _query_string(query, query.page - 1) if query.page > 1 else None,
        "next": _query_string(query, query.page + 1) if query.page < last else None,
    }


def _audit_page(
    request: Request,
    state: AppState,
    who: StaffSignedIn,
    query: AuditQuery,
    events: list[AuditEvent],
    total: int,
    zone: tzinfo,
) -> HTMLResponse:
    """The filter form, one page of events (times in ``zone``) and the pager (422 with
    messages on error)."""
    return staff_page(
        request,
        state,
        who,
        "staff_audit.html",
        {
            "form": query.values,
            "errors": query.errors,
            "actions": [(a.value, action_label(a.value)) for a in AuditAction],
            "events": [_event_row(event, zone) for event in events],
            "pager": _pages(query, total),
            "csv_link": AUDIT_PATH + ".csv?" + _query_string(query),
        },
        status_code=422 if query.errors else 200,
    )


@router.get(AUDIT_PATH)
def audit(request: Request, state: StateDep, db: DbDep, who: StaffReadingAudit) -> Response:
    """The clinic's audit events, newest first, filtered and a page at a time."""
    zone = member_clinic(db, state, who.member).zone
    query = read_audit_query(request.query_params, zone)
    if query.errors:
        return _audit_page(request, state, who, query, [], 0, zone)
    offset = (query.page - 1) * AUDIT_PAGE_SIZE
    events, total = list_events(
        db, who.member.clinic_id, query.where, limit=AUDIT_PAGE_SIZE, offset=offset
    )
    detail = f"page {query.page}; {_describe(query)}"
    record(db, who.member, AuditAction.VIEW_AUDIT, address=client_address(request), detail=detail)
    return _audit_page(request, state, who, query, events, total, zone)


@router.get(AUDIT_PATH + ".csv")
def audit_csv(request: Request, state: StateDep, db: DbDep, who: StaffReadingAudit) -> Response:
    """Every filtered event of the clinic as a CSV download.

    The dates filter as on the page (whole days in the clinic's time zone), but the
    file's ``at`` column keeps each event's ISO 8601 timestamp in UTC, as stored: it is
    for machines, which should not have to know the clinic's zone.
    """
    zone = member_clinic(db, state, who.member).zone
    query = read_audit_query(request.query_params, zone)
    if query.errors:
        return _audit_page(request, state, who, query, [], 0, zone)
    export = start_export(db, who.member.clinic_id, query.where)
    detail = f"{export.count} events; {_describe(query)}"
    record(db, who.member, AuditAction.EXPORT_AUDIT, address=client_address(request), detail=detail)
    name = f"audit-log-{who.member.clinic_id}-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    # Read and sent a batch at a time, each in a session of its own: this route's
    # session (and the export's audit event) is committed before the first byte goes.
    response = StreamingResponse(
        export_csv(state.sessions, export),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
    return no_store(response)
