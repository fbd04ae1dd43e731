"""The database: migrations on both backends, `crampcheck db upgrade`, SQLite durability
settings, and requests that fail leaving nothing half-written.

Tests taking ``db_url`` run once per backend (SQLite, and PostgreSQL when
CRAMPCHECK_TEST_DATABASE_URL is set), each on an empty database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crampcheck import cli
from crampcheck.services import appointments
from crampcheck.services.appointments import create_request
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings
from crampcheck.storage.database import (
    alembic_config,
    current_revision,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)
from crampcheck.storage.tables import AppointmentRequest, Base

TEXT = "My calf cramped at night for a minute and it went away after I stretched it."


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def row_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(func.count()).select_from(AppointmentRequest)
            return connection.scalar(query) or 0
    finally:
        engine.dispose()


def add_request(url: str, request_id: str = "00000000-0000-0000-0000-000000000001") -> None:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            session.add(
                AppointmentRequest(
                    clinic_id="auger-podiatry",
                    id=request_id,
                    created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                    name="Ana",
                    phone="555",
                    email=None,
                    preferred_location=None,
                    preferred_times=None,
                    consent_to_share=True,
                    urgency="self_care",
                    kind="cramp",
                    kb_version="test",
                    status="new",
                    snapshot={"urgency": "self_care", "findings": [{"id": "site_calf"}]},
                )
            )
    finally:
        engine.dispose()


# ---------------------------------------------------------------- migrations


def test_upgrade_from_empty_to_head_creates_the_tables(db_url: str) -> None:
    assert current_revision(db_url) is None
    assert "appointment_requests" not in table_names(db_url)

    upgrade(db_url)

    assert current_revision(db_url) == head_revision(db_url)
    assert {"appointment_requests", "alembic_version"} <= table_names(db_url)
    engine = make_engine(db_url)
    try:
        inspector = inspect(engine)
        columns = {c["name"] for c in inspector.get_columns("appointment_requests")}
        assert columns == set(AppointmentRequest.__table__.columns.keys())
        assert inspector.get_pk_constraint("appointment_requests")["constrained_columns"] == [
            "clinic_id",
            "id",
        ]
        indexes = {i["name"] for i in inspector.get_indexes("appointment_requests")}
        assert "ix_appointment_requests_clinic_status_created" in indexes
    finally:
        engine.dispose()


def test_the_migrations_match_the_table_definitions(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_twice_keeps_the_rows_and_downgrade_undoes_it(db_url: str) -> None:
    from alembic import command

    upgrade(db_url)
    add_request(db_url)
    upgrade(db_url)
    assert row_count(db_url) == 1

    command.downgrade(alembic_config(db_url), "base")
    assert "appointment_requests" not in table_names(db_url)
    assert current_revision(db_url) is None
    upgrade(db_url)
    assert row_count(db_url) == 0


def test_a_row_round_trips_with_its_snapshot(db_url: str) -> None:
    upgrade(db_url)
    add_request(db_url)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            row = session.scalars(select(AppointmentRequest)).one()
    finally:
        engine.dispose()
    assert row.snapshot == {"urgency": "self_care", "findings": [{"id": "site_calf"}]}
    assert row.consent_to_share is True and row.status == "new"
    assert row.created_at.replace(tzinfo=UTC) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


# ---------------------------------------------------------------- crampcheck db upgrade


def test_db_upgrade_command_prints_the_revision_and_is_idempotent(
    db_url: str,
    clean_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = tmp_path / "data-dir"
    clean_env.setenv("CRAMPCHECK_DATA_DIR", str(data_dir))
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{data_dir / 'crampcheck.sqlite3'}"  # the default inside DATA_DIR
    else:
        clean_env.setenv("CRAMPCHECK_DATABASE_URL", db_url)
        url = db_url
    head = head_revision(url)

    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database at migration {head}\n"
    if db_url.startswith("sqlite"):
        assert (data_dir / "crampcheck.sqlite3").is_file()
    add_request(url)

    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database at migration {head}\n"
    assert row_count(url) == 1


def test_db_upgrade_command_reports_an_unreachable_database_on_one_line(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert cli.main(["db", "upgrade"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("crampcheck: cannot migrate the database: ")
    assert captured.err.count("\n") == 1


def test_db_upgrade_command_refuses_an_invalid_setting(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CRAMPCHECK_MAX_BODY_BYTES", "12")
    assert cli.main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crampcheck: invalid setting: CRAMPCHECK_MAX_BODY_BYTES: ")
    assert err.count("\n") == 1


# ---------------------------------------------------------------- SQLite durability


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    from crampcheck.web.app import create_app

    settings = Settings(environment="development", data_dir=tmp_path, database_url=None)
    upgrade(settings.effective_database_url)
    engine = create_app(settings, pipeline).state.crampcheck.engine
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA synchronous")) == 2  # FULL
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert connection.scalar(text("PRAGMA busy_timeout")) == 5000
    finally:
        engine.dispose()


def test_make_engine_creates_the_folder_of_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "crampcheck.sqlite3"
    upgrade(f"sqlite:///{path}")
    assert path.is_file()


# ---------------------------------------------------------------- all or nothing


def test_a_request_that_fails_after_writing_stores_nothing(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []

    def create_then_fail(session: Session, *args: Any, **kwargs: Any) -> AppointmentRequest:
        request = create_request(session, *args, **kwargs)
        session.flush()  # the INSERT has reached the database, inside the request's transaction
        written.append(request.id)
        raise RuntimeError("failed after writing")

    body = {"name": "Ana", "phone": "555", "consent_to_share": True, "check": {"text": TEXT}}
    with TestClient(app, raise_server_exceptions=False) as client:
        monkeypatch.setattr(appointments, "create_request", create_then_fail)
        assert client.post("/api/v1/appointment-requests", json=body).status_code == 500
        monkeypatch.setattr(appointments, "create_request", create_request)
        stored = client.post("/api/v1/appointment-requests", json=body)
        assert stored.status_code == 201
    assert len(written) == 1
    with app.state.crampcheck.sessions() as session:
        ids = session.scalars(select(AppointmentRequest.id)).all()
    assert ids == [stored.json()["id"]]


def test_a_transaction_that_fails_at_commit_stores_nothing(db_url: str) -> None:
    upgrade(db_url)
    add_request(db_url, "00000000-0000-0000-0000-000000000001")
    engine = make_engine(db_url)
    try:
        with (
            pytest.raises(IntegrityError),
            transaction(session_factory(engine)) as session,
        ):
            session.execute(
                AppointmentRequest.__table__.update().values(status="seen")  # first write
            )
            session.flush()
            session.add(  # then a clash on the primary key
                AppointmentRequest(
                    clinic_id="auger-podiatry",
                    id="00000000-0000-0000-0000-000000000001",
                    created_at=datetime.now(UTC),
                    name="Bo",
                    consent_to_share=True,
                    urgency="doctor",
                    kind="cramp",
                    kb_version="test",
                    status="new",
                    snapshot={},
                )
            )
        with engine.connect() as connection:
            statuses = connection.scalars(select(AppointmentRequest.status)).all()
    finally:
        engine.dispose()
    assert statuses == ["new"]
