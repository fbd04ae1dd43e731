"""The database keeps audit events append-only by every path SQL offers, not only plain
UPDATE and DELETE: on SQLite ``INSERT OR REPLACE``, ``REPLACE`` and an upsert (whose
implicit delete fires no DELETE trigger), on PostgreSQL ``TRUNCATE`` and an upsert.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set (``db_url``),
as the database's owner: the triggers hold for the owner too (the application's own role,
which may not even try, is in test_app_role.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crampcheck.services.audit import AuditAction, record
from crampcheck.storage.tables import AuditEvent, StaffMember

REFUSED = "cannot be changed or deleted"
CLINIC = "podiatry"


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """A migrated database, once per backend."""
    return migrated_engine


def actor() -> StaffMember:
    """A staff member as the audit trail names them (never stored here)."""
    return StaffMember(clinic_id=CLINIC, id="s1", email="admin@clinic.example", role="admin")


def add_events(engine: Engine, count: int) -> list[tuple[str, str | None]]:
    """``count`` events of one clinic; their ids and details, oldest first."""
    with Session(engine) as session, session.begin():
        for n in range(count):
            record(
                session,
                actor(),
                AuditAction.VIEW_INBOX,
                address="203.0.113.9",
                detail=f"event {n}",
                now=datetime(2026, 5, 1, 9, 0, n, tzinfo=UTC),
            )
    return stored(engine)


def stored(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        rows = session.execute(select(AuditEvent.id, AuditEvent.detail).order_by(AuditEvent.at))
        return [(row.id, row.detail) for row in rows]


KEPT = "at, staff_id, staff_email, role, action, request_id, patient_ref, address, seq, hash"
COLUMNS = f"clinic_id, id, {KEPT}, detail"


def overwrites(dialect: str) -> list[str]:
    """Statements that would replace the first event with a rewritten one (the same id
    and place, or a new id in its place)."""
    copy = f"SELECT clinic_id, id, {KEPT}, 'rewritten' FROM audit_events WHERE id = :id"
    upsert = (
        f"INSERT INTO audit_events ({COLUMNS}) {copy} "
        "ON CONFLICT (clinic_id, id) DO UPDATE SET detail = 'rewritten'"
    )
    if dialect == "sqlite":
        in_its_place = copy.replace("SELECT clinic_id, id,", "SELECT clinic_id, 'another id',")
        return [
            f"INSERT OR REPLACE INTO audit_events ({COLUMNS}) {copy}",
            f"REPLACE INTO audit_events ({COLUMNS}) {copy}",
            f"REPLACE INTO audit_events ({COLUMNS}) {in_its_place}",
            # SQLite needs a WHERE to tell an upsert's SELECT from a join.
            upsert.replace("WHERE id = :id", "WHERE id = :id AND 1"),
        ]
    return [upsert]


def test_an_event_cannot_be_replaced_or_upserted(engine: Engine) -> None:
    before = add_events(engine, 3)
    first = before[0][0]
    for statement in overwrites(engine.dialect.name):
        with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as connection:
            connection.execute(text(statement), {"id": first})
        assert stored(engine) == before, statement


def test_the_log_cannot_be_truncated(engine: Engine) -> None:
    before = add_events(engine, 3)
    if engine.dialect.name == "sqlite":
        # SQLite has no TRUNCATE; its stand-in is DELETE without WHERE.
        statement = "DELETE FROM audit_events"
    else:
        statement = "TRUNCATE audit_events"
    with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as connection:
        connection.execute(text(statement))
    assert stored(engine) == before
