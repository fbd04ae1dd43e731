"""The staff app's audit log page.

``/staff/audit`` (READ_AUDIT) shows the clinic's audit events newest first, filtered
by action, staff email, request and dates (whole days in the clinic's time zone), a
page at a time, with times in that zone; ``/staff/audit.csv`` downloads the filtered
events with ISO 8601 UTC timestamps, streamed as they are read a batch at a time.
Reading and exporting are audited too. There is no way here to edit or delete an event.
Everything is scoped to the member's clinic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.datastructures import QueryParams

from crampcheck.domain.limits import EARLIEST_YEAR, LATEST_YEAR, sane_year
from crampcheck.domain.times import aware as _aware
from crampcheck.services.audit import (
    AuditAction,
    AuditFilter,
    action_label,
    export_csv,
    list_events,
    record,
    start_export,
)
from crampcheck.services.roles import role_label
from crampcheck.storage.tables import AuditEvent
from crampcheck.web.auth import DbDep, client_address
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import whole_number
from crampcheck.web.pages.guards import StaffReadingAudit
from crampcheck.web.pages.staff_render import no_store, staff_page
from crampcheck.web.staff_auth import StaffSignedIn
from crampcheck.web.staff_shared import member_clinic
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

AUDIT_PATH = "/staff/audit"
AUDIT_PAGE_SIZE = 50
MAX_PAGE = 100_000


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
