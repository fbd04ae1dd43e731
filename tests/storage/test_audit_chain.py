"""Each clinic's audit events form a hash chain that ``crampcheck audit verify`` checks.

- A whole chain verifies (exit 0), each clinic's on its own, with its last hash, and an
  event's hash is SHA-256 of the documented serialisation.
- Someone with the owner's rights who sets the triggers aside and changes a field of an
  event, removes one from the middle (with or without renumbering the rest) or from the
  end is found: exit 1, naming the first event where the chain breaks.
- Writers appending to one clinic at once keep one chain: every place taken once, no
  fork, no error.
- Migration 0005 chains the events already written, in the order they happened, and
  new events carry on from there.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set (``db_url``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from crampcheck import cli
from crampcheck.services.audit import AuditAction, record
from crampcheck.storage.database import make_engine, upgrade
from crampcheck.storage.tables import AuditEvent, StaffMember

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """A migrated database, once per backend."""
    return migrated_engine


def actor(clinic_id: str) -> StaffMember:
    return StaffMember(clinic_id=clinic_id, id="s1", email="admin@clinic.example", role="admin")


def add_events(engine: Engine, clinic_id: str, count: int) -> None:
    with Session(engine) as session, session.begin():
        for n in range(count):
            record(
                session,
                actor(clinic_id),
                AuditAction.VIEW_REQUEST,
                address="203.0.113.9",
                request_id=f"req-{n}",
                detail=f"event {n}",
                now=START + timedelta(minutes=n),
            )


def chain(engine: Engine, clinic_id: str) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id)
        return list(session.scalars(query.order_by(AuditEvent.seq)))


def verify(
    clean_env: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str]]:
    """``crampcheck audit verify ARGS``: its exit code and output lines."""
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", db_url)
    code = cli.main(["audit", "verify", *args])
    return code, capsys.readouterr().out.splitlines()


def as_attacker(engine: Engine, *statements: tuple[str, dict[str, object]]) -> None:
    """Run statements as someone with the owner's rights would: the triggers that refuse
    changes set aside first (dropped on SQLite, disabled on PostgreSQL)."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for trigger in ("no_update", "no_delete", "no_overwrite"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS audit_events_{trigger}"))
        else:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        for statement, params in statements:
            connection.execute(text(statement), params)


# ---------------------------------------------------------------- a whole chain


def test_a_whole_chain_verifies_clinic_by_clinic(
    engine: Engine, db_url: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_events(engine, "north", 5)
    add_events(engine, "south", 3)
    add_events(engine, "north", 2)  # a later transaction carries the chain on
    north, south = chain(engine, "north"), chain(engine, "south")
    assert [event.seq for event in north] == [1, 2, 3, 4, 5, 6, 7]
    assert [event.seq for event in south] == [1, 2, 3]

    code, lines = verify(clean_env, db_url, capsys)
    assert code == 0
    assert lines == [
        f"clinic north: whole, 7 events; last hash {north[-1].hash}",
        f"clinic south: whole, 3 events; last hash {south[-1].hash}",
    ]
    code, lines = verify(clean_env, db_url, capsys, "--clinic", "south")
    assert (code, lines) == (0, [f"clinic south: whole, 3 events; last hash {south[-1].hash}"])
    code, lines = verify(clean_env, db_url, capsys, "--clinic", "east")
    assert (code, lines) == (0, ["clinic east: no audit events"])


def test_an_events_hash_covers_its_fields_its_place_and_the_hash_before(engine: Engine) -> None:
    add_events(engine, "north", 2)
    first, second = chain(engine, "north")
    fields = [
        "crampcheck audit event 1",
        "north",
        2,
        second.id,
        "2026-05-01T09:01:00.000000Z",
        "s1",
        "admin@clinic.example",
        "admin",
        "view_request",
        "req-1",
        "request:req-1" if second.patient_ref else None,
        "203.0.113.9",
        "event 1",
        first.hash,
    ]
    canonical = json.dumps(fields, separators=(",", ":")).encode()
    assert second.hash == hashlib.sha256(canonical).hexdigest()


# ---------------------------------------------------------------- tampering


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("detail", "nothing to see"),
        ("staff_email", "someone@else.example"),
        ("action", "view_inbox"),
        ("at", "2026-05-01 09:30:00"),
        ("request_id", None),
    ],
)
def test_a_changed_field_is_found(
    engine: Engine,
    db_url: str,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str | None,
) -> None:
    add_events(engine, "north", 5)
    third = chain(engine, "north")[2]
    as_attacker(
        engine,
        (
            f"UPDATE audit_events SET {column} = :value WHERE id = :id",
            {"value": value, "id": third.id},
        ),
    )
    code, lines = verify(clean_env, db_url, capsys)
    assert code == 1
    assert lines == [
        f"clinic north: BROKEN at event 3 (id {third.id}): it does not match its hash: it was "
        "changed, or put in the place of another; the 2 events before it are whole"
    ]


def test_an_event_removed_from_the_middle_is_found(
    engine: Engine, db_url: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_events(engine, "north", 5)
    add_events(engine, "south", 2)
    events = chain(engine, "north")
    as_attacker(engine, ("DELETE FROM audit_events WHERE id = :id", {"id": events[2].id}))
    code, lines = verify(clean_env, db_url, capsys)
    assert code == 1
    assert lines[0] == (
        f"clinic north: BROKEN at event 4 (id {events[3].id}): event 3 is missing before it; "
        "the 2 events before it are whole"
    )
    assert lines[1].startswith("clinic south: whole, 2 events"), "other clinics are unharmed"

    # Closing the gap does not hide it: the next event no longer matches its hash.
    renumber = [
        ("UPDATE audit_events SET seq = :seq WHERE id = :id", {"seq": n, "id": event.id})
        for n, event in enumerate(events[3:], start=3)
    ]
    as_attacker(engine, *renumber)
    code, lines = verify(clean_env, db_url, capsys, "--clinic", "north")
    assert code == 1
    assert lines[0].startswith(
        f"clinic north: BROKEN at event 3 (id {events[3].id}): it does not match its hash"
    )


def test_events_removed_from_the_end_are_found(
    engine: Engine, db_url: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_events(engine, "north", 5)
    events = chain(engine, "north")
    as_attacker(
        engine,
        *[("DELETE FROM audit_events WHERE id = :id", {"id": event.id}) for event in events[3:]],
    )
    code, lines = verify(clean_env, db_url, capsys)
    assert code == 1
    assert lines == [
        "clinic north: BROKEN at event 4: events 4 to 5 are missing at the end (the head "
        "says 5); the 3 events before it are whole"
    ]


# ---------------------------------------------------------------- writers at once


def test_writers_appending_at_once_keep_one_chain(
    engine: Engine, db_url: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    writers, each = 4, 12
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(each):
                with Session(engine) as session, session.begin():
                    record(
                        session,
                        actor("north"),
                        AuditAction.VIEW_INBOX,
                        address=None,
                        detail=f"writer {writer} event {n}",
                    )
                    # Hold the chain's head a moment, so the others must wait for it.
                    time.sleep(0.005)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    events = chain(engine, "north")
    assert [event.seq for event in events] == list(range(1, writers * each + 1))
    assert len({event.detail for event in events}) == writers * each
    code, lines = verify(clean_env, db_url, capsys)
    assert code == 0 and lines[0].startswith(f"clinic north: whole, {writers * each} events")


# ---------------------------------------------------------------- the migration


def test_the_migration_chains_the_events_already_written(
    db_url: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(db_url, "0004")
    before = sa.table(
        "audit_events",
        *(
            sa.column(name, sa.DateTime(timezone=True) if name == "at" else sa.String)
            for name in (
                "clinic_id",
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
        ),
    )
    # Written out of order, two at the same moment (then ordered by id).
    minutes = {"e4": 4, "e1": 1, "e3": 2, "e2": 2, "e0": 0}
    rows = [
        {
            "clinic_id": clinic,
            "id": f"{clinic}-{name}",
            "at": START + timedelta(minutes=minute),
            "staff_id": "s1",
            "staff_email": "admin@clinic.example",
            "role": "admin",
            "action": "view_inbox",
            "request_id": None,
            "patient_ref": None,
            "address": None,
            "detail": f"{clinic} {name}",
        }
        for clinic in ("north", "south")
        for name, minute in minutes.items()
    ]
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(before.insert(), rows)
        upgrade(db_url)
        for clinic in ("north", "south"):
            ids = [event.id for event in chain(engine, clinic)]
            assert ids == [f"{clinic}-e{n}" for n in range(5)], "in the order they happened"
        add_events(engine, "north", 1)
        assert [event.seq for event in chain(engine, "north")] == [1, 2, 3, 4, 5, 6]
    finally:
        engine.dispose()
    code, lines = verify(clean_env, db_url, capsys)
    assert code == 0
    assert [line.split(";")[0] for line in lines] == [
        "clinic north: whole, 6 events",
        "clinic south: whole, 5 events",
    ]
