"""The audit log's CSV export is read a batch at a time, never all at once.

With 2,500 events of one clinic (many sharing a second with another, the order's
ties) and a few of another clinic: the export's first rows come out after one query,
before the rest is read; reading it all takes one query per batch of events; the rows
are every event of the clinic exactly once, newest first, with the filters applied; and
an event written after the export was asked for is not in it (its count stays true).

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set (``db_url``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.services.audit import (
    AuditAction,
    AuditFilter,
    export_csv,
    record,
    start_export,
)
from crampcheck.storage.database import make_engine, session_factory, upgrade
from crampcheck.storage.tables import AuditEvent, StaffMember

EVENTS = 2500
BATCH = 300
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        for clinic, count in (("north", EVENTS), ("south", 7)):
            actor = StaffMember(clinic_id=clinic, id="s1", email=f"admin@{clinic}.example")
            actor.role = "admin"
            for n in range(count):
                record(
                    session,
                    actor,
                    AuditAction.VIEW_REQUEST,
                    address=None,
                    request_id=f"req-{n % 10}",
                    detail=f"{clinic} {n}",
                    now=START + timedelta(seconds=n // 2),  # two events a second
                )
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def queries(engine: Engine) -> Iterator[list[str]]:
    """Every SELECT of audit events the engine runs from now on."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "FROM audit_events" in sql:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def table(chunks: list[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(chunks))))


def expected(sessions: sessionmaker[Session], clinic_id: str, **where: Any) -> list[str]:
    """The clinic's event details, newest first (later written first within a second)."""
    with sessions() as session:
        query = select(AuditEvent.detail).filter_by(clinic_id=clinic_id, **where)
        query = query.order_by(AuditEvent.at.desc(), AuditEvent.seq.desc())
        return [detail or "" for detail in session.scalars(query)]


def test_the_export_yields_before_it_has_read_everything(
    sessions: sessionmaker[Session], queries: list[str]
) -> None:
    with sessions() as session:
        export = start_export(session, "north", AuditFilter())
    assert export.count == EVENTS
    queries.clear()
    chunks = export_csv(sessions, export, batch=BATCH)
    header, first = next(chunks), next(chunks)
    assert header.startswith("at,staff_email,role,action,")
    assert len(queries) == 1, "one batch read so far"
    assert len(table([header, first])) == BATCH
    rest = list(chunks)
    assert len(queries) == math.ceil(EVENTS / BATCH)
    assert all("LIMIT" in sql.upper() for sql in queries)
    rows = table([header, first, *rest])
    assert [row["detail"] for row in rows] == expected(sessions, "north")
    assert len({(row["at"], row["detail"]) for row in rows}) == EVENTS, "each event once"
    assert rows[0]["at"] == (START + timedelta(seconds=(EVENTS - 1) // 2)).isoformat()


def test_the_export_holds_what_was_written_when_it_was_asked_for(
    sessions: sessionmaker[Session],
) -> None:
    where = AuditFilter(request_id="req-3")
    with sessions() as session:
        export = start_export(session, "north", where)
    with sessions() as session, session.begin():
        actor = StaffMember(clinic_id="north", id="s1", email="admin@north.example")
        actor.role = "admin"
        record(session, actor, AuditAction.VIEW_REQUEST, address=None, request_id="req-3")
    rows = table(list(export_csv(sessions, export, batch=BATCH)))
    assert export.count == len(rows) == EVENTS // 10
    assert [row["detail"] for row in rows] == expected(sessions, "north", request_id="req-3")[1:]
    assert {row["request_id"] for row in rows} == {"req-3"}
