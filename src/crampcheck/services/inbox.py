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

from sqlalchemy import Select, case, func, literal, select, tuple_, update
from sqlalchemy.orm import Session, load_only
from sqlalchemy.orm.attributes import set_committed_value

from crampcheck.domain.types import Urgency, urgency_order
from crampcheck.services.inbox_cursor import Cursor, CursorError, InboxKey, decode, encode
from crampcheck.services.input_errors import FieldError
from crampcheck.storage.tables import AppointmentRequest, RequestStatusChange, StaffMember

__all__ = [
    "MAX_REASON",
    "NEXT_STATUSES",
    "OPEN_STATUSES",
    "PAGE_SIZE",
    "CursorError",
    "InboxFilter",
    "LIST_COLUMNS",
    "InboxPage",
    "Status",
    "WorkflowError",
    "change_status",
    "filtered",
    "get_request",
    "history",
    "inbox",
    "inbox_order",
]


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


class WorkflowError(FieldError):
    """A status change the workflow does not allow; ``field`` names the input at fault."""


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

    @property
    def values(self) -> tuple[str, str | None, str | None]:
        """The filter as a page link records it."""
        return (self.status, self.location, self.urgency)


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox and the number of requests that match the filter.

    ``start`` is how many matching requests come before this page's first (0 on the
    first page). ``previous``, ``next`` and ``last`` are signed page links (None where
    there is no such page: ``last`` is None on the last page)."""

    requests: list[AppointmentRequest]
    total: int
    start: int
    previous: str | None
    next: str | None
    last: str | None
    counts: dict[str, int]

    @property
    def first(self) -> bool:
        """Whether this is the first page."""
        return self.previous is None


LIST_COLUMNS = (
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


def filtered(clinic_id: str, where: InboxFilter) -> Select[AppointmentRequest]:
    """The clinic's requests that ``where`` lets through, unsorted."""
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


def inbox_order(where: InboxFilter) -> tuple[Any, ...]:
    """Most urgent first, then oldest first. Among open requests, within a level, the
    new ones (nobody has contacted them yet) come before those already in hand, so a
    new urgent request is never below older urgent ones that are being dealt with."""
    order: tuple[Any, ...] = (AppointmentRequest.urgency_order,)
    if where.status == "open":
        order += (case((AppointmentRequest.status == Status.NEW.value, 0), else_=1),)
    return (*order, AppointmentRequest.created_at, AppointmentRequest.id)


def _key_of(request: AppointmentRequest) -> InboxKey:
    fresh = 0 if request.status == Status.NEW.value else 1
    return InboxKey(request.urgency_order, fresh, request.created_at, request.id)


def _key_values(where: InboxFilter, key: InboxKey) -> tuple[Any, ...]:
    """``key`` as values to compare with :func:`inbox_order`'s columns, each bound with
    its column's type (a date as the database stores dates)."""
    values: list[Any] = [literal(key.urgency_order, AppointmentRequest.urgency_order.type)]
    if where.status == "open":
        values.append(literal(key.fresh))
    values += [
        literal(key.created_at, AppointmentRequest.created_at.type),
        literal(key.id, AppointmentRequest.id.type),
    ]
    return tuple(values)


def _rows(
    session: Session, clinic_id: str, where: InboxFilter, cursor: Cursor | None
) -> tuple[list[AppointmentRequest], bool]:
    """One page's rows in inbox order from ``cursor`` (None: the first page), and whether
    there are more beyond them in the direction read. One row more than a page is read
    to know that; the row comparison is a range of the inbox index, so a deep page
    costs what the first does."""
    order = inbox_order(where)
    query = filtered(clinic_id, where).options(load_only(*LIST_COLUMNS))
    forward = cursor is None or cursor.forward
    if cursor is not None and cursor.key is not None:
        columns, values = tuple_(*order), tuple_(*_key_values(where, cursor.key))
        query = query.where(columns > values if forward else columns < values)
    sort = order if forward else tuple(column.desc() for column in order)
    rows = list(session.scalars(query.order_by(*sort).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not forward:
        rows.reverse()
    return rows, more


def inbox(
    session: Session,
    clinic_id: str,
    where: InboxFilter,
    cursor: str | None = None,
    *,
    secret: bytes,
    with_counts: bool = True,
) -> InboxPage:
    """A page of requests sorted most urgent first, then oldest first (longest waiting):
    the first page, or the one a page link (``cursor``, signed with ``secret``) names.
    A link that was altered or made for another filter raises :class:`CursorError`.
    ``counts`` (every status of the clinic) only ``with_counts``: it reads the whole
    clinic's history, and the inbox page does not show it."""
    where = where.validated()
    position = decode(cursor, where.values, clinic_id, secret) if cursor else None
    total = session.scalar(select(func.count()).select_from(filtered(clinic_id, where).subquery()))
    total = total or 0
    rows, more = _rows(session, clinic_id, where, position)
    if position is not None and position.forward and not rows:
        # Everything after the link's row left the filter meanwhile: the last page.
        position = Cursor(forward=False, key=None, position=total)
        rows, more = _rows(session, clinic_id, where, position)
    elif position is not None and not rows:
        # Everything before it left the filter meanwhile: the first page.
        position = None
        rows, more = _rows(session, clinic_id, where, position)
    if position is None:
        start, has_previous, has_next = 0, False, more
    elif position.forward:
        start, has_previous, has_next = position.position, True, more
    else:
        start, has_previous, has_next = max(0, position.position - len(rows)), more, True
        if position.key is None:
            start, has_next = max(0, total - len(rows)), False
        if not has_previous:
            start = 0
    start = min(start, max(0, total - len(rows)))

    def link(forward: bool, row: AppointmentRequest | None, at: int) -> str:
        key = None if row is None else _key_of(row)
        return encode(Cursor(forward, key, at), where.values, clinic_id, secret)

    previous = link(False, rows[0], start) if has_previous and rows else None
    following = link(True, rows[-1], start + len(rows)) if has_next and rows else None
    last = link(False, None, total) if following is not None else None
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
    return InboxPage(rows, total, start, previous, following, last, counts)


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
