"""The application's own PostgreSQL role (``crampcheck db grant-app-role``): connected as
that role, the application does its normal work (the server starts on the migrated
database, a staff member signs in and reads the inbox and the audit log, each read
audited, and signs out), but TRUNCATE, UPDATE and DELETE of audit events, ALTER TABLE
... DISABLE TRIGGER, DROP TRIGGER and DROP TABLE are all refused, so the events it wrote
stay as written. The owner, a superuser and a missing role are refused as the
application's role, and SQLite is told it has no roles.

Both roles are created for the test (by the user of CRAMPCHECK_TEST_DATABASE_URL) and
dropped afterwards; the owner, no superuser, owns a schema of the test's own and migrates
it with ``crampcheck db upgrade``, which takes the owner's URL
(``CRAMPCHECK_OWNER_DATABASE_URL``) while the application's is the other role's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crampcheck import cli
from crampcheck.clinic import load_clinic
from crampcheck.services.clinics import register_clinic
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.staff import add_staff
from crampcheck.settings import Settings
from crampcheck.storage.database import make_engine, upgrade
from crampcheck.storage.tables import AuditEvent
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.factories import postgres_schema

needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="CRAMPCHECK_TEST_DATABASE_URL is not set"),
]
PASSWORD = "plum orbit lantern 42"
ADMIN = "admin@clinic.example"
REFUSED = r"permission denied|must be owner"


@pytest.fixture
def roles() -> Iterator[tuple[str, str]]:
    """Two login roles of the test's own, the tables' owner (no superuser) and the
    application's (no passwords: the test server trusts local connections)."""
    tag = uuid.uuid4().hex[:12]
    owner, application = f"crampcheck_owner_{tag}", f"crampcheck_app_{tag}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            for role in (owner, application):
                connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        yield owner, application
    finally:
        with admin.begin() as connection:
            for role in (application, owner):
                connection.execute(text(f'DROP OWNED BY "{role}" CASCADE'))
                connection.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


@pytest.fixture
def owner_url(roles: tuple[str, str]) -> Iterator[str]:
    """The owner's URL on a schema of its own (empty)."""
    owner, _application = roles
    with postgres_schema(POSTGRES_URL, owner) as url:
        yield as_role(url, owner)


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def settings_for(clean_env: pytest.MonkeyPatch, owner_url: str, role: str) -> None:
    """The environment of an installation with two roles: the owner's URL and the
    application's role's."""
    clean_env.setenv("CRAMPCHECK_OWNER_DATABASE_URL", owner_url)
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", as_role(owner_url, role))


def migrate(clean_env: pytest.MonkeyPatch, owner_url: str, role: str) -> None:
    """``crampcheck db upgrade``, which migrates as the owner (the application's role may
    not create tables), then the packaged clinic registered by the owner."""
    settings_for(clean_env, owner_url, role)
    assert cli.main(["db", "upgrade"]) == 0
    engine = make_engine(owner_url)
    try:
        with Session(engine) as session, session.begin():
            register_clinic(session, load_clinic())
    finally:
        engine.dispose()


def grant(clean_env: pytest.MonkeyPatch, owner_url: str, role: str) -> int:
    """``crampcheck db grant-app-role ROLE`` with the owner's URL in the settings."""
    settings_for(clean_env, owner_url, role)
    return cli.main(["db", "grant-app-role", role])


def audit_rows(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        query = select(AuditEvent.id, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.at)
        return [tuple(row) for row in session.execute(query)]


def run_the_app_as(settings: Settings, pipeline: Pipeline) -> None:
    """What the server does with its URL: migrate (nothing to do), start, and serve a
    staff member who signs in, reads the inbox and the audit log, invites a member (who
    chooses their password with the link), and signs out."""
    from crampcheck.web.app import create_app
    from tests.web.test_staff_invitations import choose, link_in
    from tests.web.test_staff_pages import sign_in
    from tests.web.test_web_pages import form_to, submit

    upgrade(settings.effective_database_url)
    app: FastAPI = create_app(settings, pipeline)
    try:
        with TestClient(app) as client:
            sign_in(client, ADMIN)
            assert client.get("/staff").status_code == 200
            assert client.get("/staff/audit").status_code == 200
            assert client.get("/staff/audit.csv").status_code == 200
            invited = submit(
                client,
                form_to(client.get("/staff/team").text, "/staff/team"),
                change={"name": "Nia New", "email": "nia@clinic.example", "role": "front_desk"},
            )
            assert invited.status_code == 200, invited.text
            member, chosen = choose(app, link_in(invited.text))
            member.__exit__(None, None, None)
            assert chosen.status_code == 303, chosen.text
            html = client.get("/staff").text
            assert submit(client, form_to(html, "/staff/signout")).status_code == 303
    finally:
        app.state.crampcheck.engine.dispose()


@pytest.mark.usefixtures("fast_hashing")
@pytest.mark.parametrize("_backend", [pytest.param("postgresql", marks=needs_postgres)])
def test_the_application_role_adds_and_reads_audit_events_and_cannot_remove_them(
    _backend: str,
    roles: tuple[str, str],
    owner_url: str,
    clean_env: pytest.MonkeyPatch,
    pipeline: Pipeline,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _owner, app_role = roles
    migrate(clean_env, owner_url, app_role)
    assert grant(clean_env, owner_url, app_role) == 0
    printed = capsys.readouterr().out
    assert "audit_events: SELECT, INSERT\n" in printed
    assert "staff_sessions: SELECT, INSERT, UPDATE, DELETE\n" in printed
    assert "staff_invitations: SELECT, INSERT, UPDATE, DELETE\n" in printed

    settings = Settings(
        environment="test",
        secret_key=TEST_SECRET,
        data_dir=tmp_path / "data",
        database_url=as_role(owner_url, app_role),
    )
    owner = make_engine(owner_url)
    app = make_engine(settings.effective_database_url)
    try:
        with Session(owner) as session, session.begin():
            add_staff(
                session,
                clinic_id=load_clinic().id,
                email=ADMIN,
                name="Ada",
                role="admin",
                password=PASSWORD,
            )
        with app.connect() as connection:
            assert connection.scalar(select(func.current_user())) == app_role
        run_the_app_as(settings, pipeline)
        written = audit_rows(app)
        actions = [action for _id, action, _detail in written]
        assert actions == [
            "sign_in",
            "view_inbox",
            "view_audit",
            "export_audit",
            "invite_staff",
            "accept_invitation",
            "view_inbox",
            "sign_out",
        ]

        attempts = [
            "TRUNCATE audit_events",
            "UPDATE audit_events SET detail = 'rewritten'",
            "DELETE FROM audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "DROP TRIGGER audit_events_append_only ON audit_events",
            "DROP TABLE audit_events",
            # Nor can it move a chain's end back to hide the events after it.
            "DELETE FROM audit_chain_heads",
            "TRUNCATE audit_chain_heads",
        ]
        for statement in attempts:
            with pytest.raises(DBAPIError, match=REFUSED), app.begin() as connection:
                connection.execute(text(statement))
        assert audit_rows(owner) == written
    finally:
        app.dispose()
        owner.dispose()


@pytest.mark.parametrize("_backend", [pytest.param("postgresql", marks=needs_postgres)])
def test_the_owner_its_members_a_superuser_or_a_missing_role_are_refused(
    _backend: str,
    roles: tuple[str, str],
    owner_url: str,
    clean_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner, app_role = roles
    superuser = make_url(POSTGRES_URL).username or "postgres"
    missing = f"nobody_{uuid.uuid4().hex[:8]}"
    migrate(clean_env, owner_url, app_role)
    assert grant(clean_env, owner_url, owner) == 1
    assert f"'{owner}' owns the tables or is a member of their owner" in capsys.readouterr().err
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'GRANT "{owner}" TO "{app_role}"'))
    finally:
        admin.dispose()
    assert grant(clean_env, owner_url, app_role) == 1
    assert "is a member of their owner" in capsys.readouterr().err
    assert grant(clean_env, owner_url, superuser) == 1
    assert "is a superuser" in capsys.readouterr().err
    assert grant(clean_env, owner_url, missing) == 1
    assert f"there is no role '{missing}'; create it first" in capsys.readouterr().err


def test_sqlite_has_no_roles(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'crampcheck.sqlite3'}"
    upgrade(url)
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", url)
    assert cli.main(["db", "grant-app-role", "crampcheck_app"]) == 1
    assert "sqlite has no roles" in capsys.readouterr().err
