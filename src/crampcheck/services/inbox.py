"""The clinic's inbox: appointment requests by urgency, then by how long they waited,
and their workflow (new -> contacted -> booked -> closed, or declined with a reason).

Every query is scoped by the clinic; a request of another clinic does not exist here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session, load_only
from sqlalchemy.orm.attributes import set_committed_value

from crampcheck.domain.types import Urgency, urgency_order
from crampcheck.storage.tables import AppointmentRequest, RequestStatusChange, StaffMember


class Status(StrEnum):
    """Where a request is in the clinic's workflow."""

    NEW = "new"
    CONTACTED = "contacted"
    BOOKED = "booked"
    CLOSED = "closed"
    DECLINED = "declined"


NEXT_STATUSES: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.CONTACTED, Status.BOOKED, Status.DECLINED),
    Status.CONTACTED: (Status.BOOKED, Status.CLOSED, Status.DECLINED),
    Status.BOOKED: (Status.CLOSED, Status.DECLINED),
    Status.CLOSED: (),
    Status.DECLINED: (Status.NEW,),
}
"""The moves the workflow allows. A contacted person who needs no appointment (or
withdraws) is closed; a request declined by mistake can be reopened as new, so it comes
back to the top of the inbox and the urgent banner; closed is final."""

OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.BOOKED)
PAGE_SIZE = 50
MAX_REASON = 1000


class WorkflowError(ValueError):
    """A status change the workflow does not allow; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: a status (or ``open``/``all``), a location, an urgency."""

    status: str = "open"
    location: str | None = None
    urgency: str | None = None

    def validated(self) -> InboxFilter:
        """This filter, or :class:`WorkflowError` naming the value that is not known."""
        if self.status not in {"open", "all", *Status}:
            raise WorkflowError("status", "Unknown status filter.")
        if self.urgency is not None and self.urgency not in set(Urgency):
            raise WorkflowError("urgency", "Unknown urgency filter.")
        return self


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox and the number of requests that match the filter."""

    requests: list[AppointmentRequest]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


_LIST_COLUMNS = (
    AppointmentRequest.clinic_id,
    AppointmentRequest.id,
    AppointmentRequest.created_at,
    AppointmentRequest.name,
    AppointmentRequest.urgency,
    AppointmentRequest.urgency_order,
    AppointmentRequest.kind,
    AppointmentRequest.status,
    AppointmentRequest.preferred_location,
    AppointmentRequest.status_changed_at,
    AppointmentRequest.email,
    AppointmentRequest.date_of_birth,
    AppointmentRequest.check_age,
)


def _where(clinic_id: str, where: InboxFilter) -> Select[AppointmentRequest]:
    query = select(AppointmentRequest).where(AppointmentRequest.clinic_id == clinic_id)
    if where.status == "open":
        query = query.where(AppointmentRequest.status.in_([s.value for s in OPEN_STATUSES]))
    elif where.status != "all":
        query = query.where(AppointmentRequest.status == where.status)
    if where.location:
        query = query.where(AppointmentRequest.preferred_location == where.location)
    if where.urgency:
        # urgency_order is stored with urgency (one to one) and is in the inbox indexes, so
        # the filter's count is an index range instead of a scan of every clinic's rows.
        query = query.where(
            AppointmentRequest.urgency_order == urgency_order(Urgency(where.urgency))
        )
    return query


def _inbox_order(where: InboxFilter) -> tuple[Any, ...]:
    """Most urgent first, then oldest first. Among open requests, within a level, the
    new ones (nobody has contacted them yet) come before those already in hand, so a
    new urgent request is never below older urgent ones that are being dealt with."""
    order: tuple[Any, ...] = (AppointmentRequest.urgency_order,)
    if where.status == "open":
        order += (case((AppointmentRequest.status == Status.NEW.value, 0), else_=1),)
    return (*order, AppointmentRequest.created_at, AppointmentRequest.id)


def inbox(
    session: Session,
    clinic_id: str,
    where: InboxFilter,
    page: int = 1,
    *,
    with_counts: bool = True,
) -> InboxPage:
    """Requests sorted most urgent first, then oldest first (longest waiting);
    ``counts`` (every status of the clinic) only ``with_counts``: it reads the whole
    clinic's history, and the inbox page does not show it."""
    where = where.validated()
    query = _where(clinic_id, where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        query.options(load_only(*_LIST_COLUMNS))
        .order_by(*_inbox_order(where))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    counts: dict[str, int] = {}
    if with_counts:
        counts = {
            status: count
            for status, count in session.execute(
                select(AppointmentRequest.status, func.count())
                .where(AppointmentRequest.clinic_id == clinic_id)
                .group_by(AppointmentRequest.status)
            )
        }
    return InboxPage(list(rows), total, page, pages, counts)


def get_request(session: Session, clinic_id: str, request_id: str) -> AppointmentRequest | None:
    """One request of this clinic, or None (also for another clinic's request)."""
    if len(request_id) > 36:
        return None
    return session.get(AppointmentRequest, (clinic_id, request_id))


def history(session: Session, request: AppointmentRequest) -> list[RequestStatusChange]:
    """The request's status changes, oldest first."""
    return list(
        session.scalars(
            select(RequestStatusChange)
            .where(
                RequestStatusChange.clinic_id == request.clinic_id,
                RequestStatusChange.request_id == request.id,
            )
            .order_by(RequestStatusChange.at)
        )
    )


def change_status(
    session: Session,
    request: AppointmentRequest,
    actor: StaffMember,
    to: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> RequestStatusChange:
    """Move a request on; declining needs a reason. Records who and when."""
    now = now or datetime.now(UTC)
    try:
        target = Status(to)
    except ValueError:
        raise WorkflowError("status", "Unknown status.") from None
    current = Status(request.status)
    if target not in NEXT_STATUSES[current]:
        raise WorkflowError(
            "status", f"A request that is {current.value} cannot be moved to {target.value}."
        )
    reason = " ".join((reason or "").split()) or None
    if target is Status.DECLINED and reason is None:
        raise WorkflowError("reason", "Please give the reason for declining.")
    if reason is not None and len(reason) > MAX_REASON:
        raise WorkflowError("reason", f"Please keep the reason under {MAX_REASON} characters.")
    # Only if nobody moved it since it was read: two staff acting at once must not both
    # succeed (the second is told to reload), whatever the database's isolation.
    moved = session.execute(
        update(AppointmentRequest)
        .where(
            AppointmentRequest.clinic_id == request.clinic_id,
            AppointmentRequest.id == request.id,
            AppointmentRequest.status == current.value,
        )
        .values(
            status=target.value,
            status_changed_at=now,
            decline_reason=reason if target is Status.DECLINED else request.decline_reason,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise WorkflowError(
            "status", "Someone else changed this request just now. Reload it to see how."
        )
    change = RequestStatusChange(
        clinic_id=request.clinic_id,
        id=str(uuid.uuid4()),
        request_id=request.id,
        at=now,
        staff_id=actor.id,
        staff_name=actor.name,
        from_status=current.value,
        to_status=target.value,
        reason=reason,
    )
    session.add(change)
    set_committed_value(request, "status", target.value)
    set_committed_value(request, "status_changed_at", now)
    if target is Status.DECLINED:
        set_committed_value(request, "decline_reason", reason)
    return change
