"""Migrations keep data: appointment requests written at 0001 are all there, field for
field, after upgrading to the newest migration; the new tables work; and on an empty
database every migration can be undone down to nothing and applied again. Runs on
SQLite, and on PostgreSQL too when CRAMPCHECK_TEST_DATABASE_URL is set (`db_url`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, TableClause, column, delete, inspect, select, table
from sqlalchemy.orm import Session

from crampcheck.storage.database import alembic_config, current_revision, make_engine, upgrade
from crampcheck.storage.tables import AppointmentRequest, Episode, LoginThrottle, User, UserSession

FIRST = "0001"
APP_TABLES = {"appointment_requests", "users", "user_sessions", "login_throttle", "episodes"}


def head(url: str) -> str:
    revision = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert revision is not None
    return revision


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def request_rows() -> list[dict[str, Any]]:
    """Appointment requests as 0001 stores them: every column, nulls, text beyond ASCII,
    and a nested snapshot."""
    base = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    rows = []
    for i in range(25):
        rows.append(
            {
                "clinic_id": "podiatry" if i % 5 else "other-clinic",
                "id": f"00000000-0000-4000-8000-{i:012d}",
                "created_at": base + timedelta(hours=i, seconds=i),
                "name": f"Zoë Ñúñez-O'Brien {i}" if i % 2 else f"Person {i}",
                "phone": f"+44 (0)20 7946 {i:04d}" if i % 3 else None,
                "email": f"person{i}@example.org" if i % 4 else None,
                "preferred_location": "main" if i % 2 else None,
                "preferred_times": "Tuesdays after 5 pm; not Fridays\nthanks" if i % 3 else None,
                "consent_to_share": bool(i % 2),
                "urgency": ("routine", "soon", "urgent", "emergency")[i % 4],
                "kind": "cramp" if i % 2 else "spasm",
                "kb_version": f"2026.{i % 3}",
                "status": ("new", "contacted", "closed")[i % 3],
                "snapshot": {
                    "urgency": "routine",
                    "findings": [{"id": "site_calf", "words": "my calf — at night"}],
                    "reasons": [f"reason {i}", "ünïcode ✓"],
                    "score": i / 7,
                    "nested": {"list": [1, 2, None, True], "empty": {}},
                },
            }
        )
    return rows


def first_requests_table() -> TableClause:
    """appointment_requests with only the columns migration 0001 created."""
    columns = AppointmentRequest.__table__.c
    return table("appointment_requests", *(column(n, columns[n].type) for n in request_rows()[0]))


def read_requests(engine: Engine) -> list[dict[str, Any]]:
    first = first_requests_table()
    with engine.connect() as connection:
        rows = connection.execute(select(first).order_by(first.c.id)).mappings()
        return [{**row, "created_at": utc(row["created_at"])} for row in rows]


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_from_first_migration_keeps_appointment_requests(db_url: str) -> None:
    upgrade(db_url, FIRST)
    assert current_revision(db_url) == FIRST
    engine = make_engine(db_url)
    try:
        assert table_names(engine) & APP_TABLES == {"appointment_requests"}
        rows = request_rows()
        with engine.begin() as connection:
            connection.execute(first_requests_table().insert(), rows)
        assert read_requests(engine) == rows
    finally:
        engine.dispose()

    upgrade(db_url)
    assert current_revision(db_url) == head(db_url)
    engine = make_engine(db_url)
    try:
        assert table_names(engine) >= APP_TABLES
        assert read_requests(engine) == rows  # nothing lost, every field as written
        with engine.connect() as connection:
            orders = {
                urgency: order
                for urgency, order in connection.execute(
                    select(AppointmentRequest.urgency, AppointmentRequest.urgency_order)
                )
            }
        # 0003 sorts the inbox on urgency_order; known levels are back-filled, and levels
        # this version does not know sort with the most urgent (0), never last.
        assert orders == {"urgent": 1, "emergency": 0, "routine": 0, "soon": 0}

        # The new tables work: an account with a session, a throttle entry and a diary;
        # deleting the account takes its sessions and episodes with it.
        now = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
        with Session(engine) as session, session.begin():
            session.add(
                User(
                    id="u1",
                    email="someone@example.org",
                    password_hash="$argon2id$not-a-real-hash",
                    created_at=now,
                    password_changed_at=now,
                )
            )
            session.flush()
            session.add(
                UserSession(token_hash="h" * 64, user_id="u1", created_at=now, expires_at=now)
            )
            session.add(LoginThrottle(key="account:u1", failures=2, window_started_at=now))
            session.add(
                Episode(
                    user_id="u1",
                    id="e1",
                    started_at=now - timedelta(hours=3),
                    created_at=now,
                    updated_at=now,
                    site="site_calf",
                    side="left",
                    duration_minutes=2.5,
                    pain=6,
                    feel="cramp",
                    activity="sleeping",
                    at_night=True,
                    context=["low_fluid"],
                    tried=["stretching"],
                    helped=True,
                    notes="calf at night",
                    check={"urgency": "routine"},
                )
            )
        with Session(engine) as session:
            episode = session.get(Episode, ("u1", "e1"))
            assert episode is not None
            assert (episode.pain, episode.context, episode.tried, episode.check) == (
                6,
                ["low_fluid"],
                ["stretching"],
                {"urgency": "routine"},
            )
            assert utc(episode.started_at) == now - timedelta(hours=3)
            assert session.get(LoginThrottle, "account:u1") is not None
        with Session(engine) as session, session.begin():
            session.execute(delete(User).where(User.id == "u1"))
        with Session(engine) as session:
            assert session.scalars(select(Episode)).all() == []
            assert session.scalars(select(UserSession)).all() == []
        assert read_requests(engine) == rows
    finally:
        engine.dispose()

    # Going back to the first migration drops the account tables and keeps the requests.
    command.downgrade(alembic_config(db_url), FIRST)
    assert current_revision(db_url) == FIRST
    engine = make_engine(db_url)
    try:
        assert table_names(engine) & APP_TABLES == {"appointment_requests"}
        assert read_requests(engine) == rows
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again_on_an_empty_database(db_url: str) -> None:
    upgrade(db_url)
    assert current_revision(db_url) == head(db_url)
    command.downgrade(alembic_config(db_url), "base")
    assert current_revision(db_url) is None
    engine = make_engine(db_url)
    try:
        assert table_names(engine) & APP_TABLES == set()
    finally:
        engine.dispose()

    upgrade(db_url)
    assert current_revision(db_url) == head(db_url)
    engine = make_engine(db_url)
    try:
        assert table_names(engine) >= APP_TABLES
        rows = request_rows()[:3]
        with engine.begin() as connection:
            connection.execute(first_requests_table().insert(), rows)
        assert read_requests(engine) == rows
    finally:
        engine.dispose()
