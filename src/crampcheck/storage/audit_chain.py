"""The audit log's hash chains: each clinic's events in one line that can be checked.

Every event takes its clinic's next place (``seq``, from 1) and a ``hash``: SHA-256 of a
canonical serialisation of its fields, its place and the hash of the event before it (64
zeros before the first). Changing any field of an event, removing one or putting one in
another's place breaks the chain there, and :func:`verify_clinic` names the first event
where it breaks. ``clinic_id`` is part of every event's key, so every event belongs to
one clinic's chain; the command line's operator reads go in the chain of the request's
clinic.

Appending (:func:`append`) first moves the clinic's row in ``audit_chain_heads`` one
place on. That update is the lock: on PostgreSQL a second writer of the same clinic
waits on the row until the first commits (and then reads the new head), and on SQLite
it takes the database's one write lock. So two writers never take the same place (the
unique index on ``(clinic_id, seq)`` would refuse it if they did), and the chain never
forks. The head also says where the chain must end, so events removed from its end are
found too.

What the chain cannot do alone: someone who can write to the database and knows this
format can rewrite an event and every hash after it. ``crampcheck audit verify`` prints
each chain's last hash; kept somewhere else (with the backups, say), it shows such a
rewrite, since the rewritten chain ends in another hash.

The serialisation is a JSON array of :data:`FORMAT`, the fields in :data:`HASHED` order
(times in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``) and the previous hash. Changing it
needs a migration that hashes every event again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Insert, Row, Table, func, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crampcheck.storage.tables import AuditChainHead, AuditEvent
from crampcheck.storage.times import aware

FORMAT = "crampcheck audit event 1"
GENESIS = "0" * 64
HASHED = (
    "clinic_id",
    "seq",
    "id",
    "at",
    "staff_id",
    "staff_email",
    "role",
    "action",
    "request_id",
    "patient_ref",
    "address",
    "detail",
)
VERIFY_BATCH = 1000

_EVENTS = cast(Table, AuditEvent.__table__)
_HEADS = cast(Table, AuditChainHead.__table__)


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def event_hash(event: Any, previous: str) -> str:
    """The hash of ``event`` (anything with the :data:`HASHED` attributes: an
    :class:`AuditEvent` or a row) after an event whose hash is ``previous``."""
    fields = [FORMAT, *(_text(getattr(event, name)) for name in HASHED), previous]
    canonical = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def append(session: Session, event: AuditEvent) -> AuditEvent:
    """Give ``event`` its clinic's next place and its hash, and add it to the caller's
    transaction (the clinic's head stays locked until that transaction ends)."""
    # Stored as UTC, so that the time read back is the time that was hashed (SQLite
    # keeps no zone).
    event.at = aware(event.at).astimezone(UTC)
    event.seq, previous = _next_place(session, event.clinic_id)
    event.hash = event_hash(event, previous)
    session.execute(
        update(_HEADS).where(_HEADS.c.clinic_id == event.clinic_id).values(hash=event.hash)
    )
    session.add(event)
    return event


def _next_place(session: Session, clinic_id: str) -> tuple[int, str]:
    """Move the clinic's head one place on (locking it); the new place and the hash of
    the event before it."""
    bump = (
        update(_HEADS)
        .where(_HEADS.c.clinic_id == clinic_id)
        .values(seq=_HEADS.c.seq + 1)
        .returning(_HEADS.c.seq, _HEADS.c.hash)
    )
    row = session.execute(bump).first()
    if row is None:  # the clinic's first event
        session.execute(_new_head(session, clinic_id))
        row = session.execute(bump).one()
    return int(row.seq), str(row.hash)


def _new_head(session: Session, clinic_id: str) -> Insert:
    """An empty chain's head, unless another writer has just made it (it then waits on
    that writer, and the update that follows reads its head)."""
    values = {"clinic_id": clinic_id, "seq": 0, "hash": GENESIS}
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(_HEADS).values(values).on_conflict_do_nothing()
    return sqlite.insert(_HEADS).values(values).on_conflict_do_nothing()


# ---------------------------------------------------------------- checking a chain


@dataclass(frozen=True)
class ChainCheck:
    """What checking one clinic's chain found."""

    clinic_id: str
    events: int
    """Events found whole, from the first."""
    last_hash: str | None
    """The hash of the last whole event (None when there is none)."""
    broken_at: int | None = None
    """The place of the first event where the chain breaks (None when it is whole)."""
    event_id: str | None = None
    """That event's id, when there is such an event (not when events are missing at
    the end)."""
    problem: str | None = None

    @property
    def whole(self) -> bool:
        return self.broken_at is None


def chained_clinics(session: Session) -> list[str]:
    """Every clinic with audit events or a chain head, in id order."""
    query = union(select(_EVENTS.c.clinic_id).distinct(), select(_HEADS.c.clinic_id)).subquery()
    return list(session.scalars(select(query.c.clinic_id).order_by(query.c.clinic_id)))


def verify_clinic(session: Session, clinic_id: str, batch: int = VERIFY_BATCH) -> ChainCheck:
    """Check the clinic's chain from its first event to its head, a batch at a time.

    Events appended while the check runs are past the head it read first, and are left
    for the next check.
    """
    head = session.execute(
        select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.clinic_id == clinic_id)
    ).first()
    end = int(head.seq) if head is not None else None
    previous, count = GENESIS, 0
    while True:
        rows = _events_after(session, clinic_id, count, end, batch)
        for row in rows:
            place = count + 1
            if row.seq != place:
                missing = _places(place, row.seq - 1)
                return _broken(clinic_id, count, previous, row, f"{missing} missing before it")
            if event_hash(row, previous) != row.hash:
                return _broken(
                    clinic_id,
                    count,
                    previous,
                    row,
                    "it does not match its hash: it was changed, or put in the place of another",
                )
            previous, count = row.hash, place
        if len(rows) < batch:
            break
    return _ends(session, clinic_id, head, count, previous)


def _events_after(
    session: Session, clinic_id: str, after: int, end: int | None, batch: int
) -> list[Row[Any]]:
    columns = [_EVENTS.c[name] for name in HASHED] + [_EVENTS.c.hash]
    query = select(*columns).where(_EVENTS.c.clinic_id == clinic_id, _EVENTS.c.seq > after)
    if end is not None:
        query = query.where(_EVENTS.c.seq <= end)
    return list(session.execute(query.order_by(_EVENTS.c.seq).limit(batch)))


def _broken(clinic_id: str, count: int, previous: str, row: Row[Any], problem: str) -> ChainCheck:
    return ChainCheck(
        clinic_id,
        count,
        previous if count else None,
        broken_at=int(row.seq),
        event_id=row.id,
        problem=problem,
    )


def _ends(session: Session, clinic_id: str, head: Any, count: int, previous: str) -> ChainCheck:
    """The chain read whole so far: does it end where its head says?"""
    whole = ChainCheck(clinic_id, count, previous if count else None)
    if head is None:
        if count:
            return _short(whole, "the chain's head is missing")
        return whole
    if count < head.seq:
        missing = _places(count + 1, head.seq)
        return _short(whole, f"{missing} missing at the end (the head says {head.seq})")
    if head.hash != previous:
        return _short(whole, "the chain's head does not match its last event")
    # Read after the head: an event past it that is committed now had its head moved
    # in the same transaction, so it would show in a head read now.
    last = select(func.max(_EVENTS.c.seq)).where(_EVENTS.c.clinic_id == clinic_id)
    beyond = session.scalar(last)
    now = session.scalar(select(_HEADS.c.seq).where(_HEADS.c.clinic_id == clinic_id))
    if beyond is not None and now is not None and beyond > now:
        return _short(whole, f"events past the head ({now}) were written without moving it")
    return whole


def _short(whole: ChainCheck, problem: str) -> ChainCheck:
    return ChainCheck(
        whole.clinic_id,
        whole.events,
        whole.last_hash,
        broken_at=whole.events + 1,
        problem=problem,
    )


def _places(first: int, last: int) -> str:
    return f"event {first} is" if first == last else f"events {first} to {last} are"
