"""Sessions end when they expire, for patients and for clinic staff: an expired token is
refused (401 / back to sign-in) and its row is removed. Runs on SQLite, and on PostgreSQL
when CRAMPCHECK_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crampcheck.services import staff
from crampcheck.services.accounts import SESSION_LIFETIME, token_hash
from crampcheck.services.staff import STAFF_SESSION_LIFETIME
from crampcheck.storage.tables import StaffMember, StaffSession, UserSession
from tests.services.test_accounts import PASSWORD, api_sign_up, bearer

STAFF_PASSWORD = "granite meadow kettle 9"


pytestmark = pytest.mark.usefixtures("fast_hashing")


def expire(app: FastAPI, table: type[UserSession] | type[StaffSession], token: str) -> None:
    """Move a session's expiry one second into the past."""
    with app.state.crampcheck.sessions() as session, session.begin():
        session.execute(
            update(table)
            .where(table.token_hash == token_hash(token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def row_exists(app: FastAPI, table: type[UserSession] | type[StaffSession], token: str) -> bool:
    with app.state.crampcheck.sessions() as session:
        found = session.scalar(select(table).where(table.token_hash == token_hash(token)))
        return found is not None


def test_a_patient_session_lasts_its_lifetime_and_not_longer(
    client: TestClient, app: FastAPI
) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    with app.state.crampcheck.sessions() as session:
        row = session.scalar(select(UserSession))
        assert row is not None
        lifetime = row.expires_at.replace(tzinfo=UTC) - row.created_at.replace(tzinfo=UTC)
    assert lifetime == SESSION_LIFETIME
    assert client.get("/api/v1/episodes", headers=bearer(token)).status_code == 200
    expire(app, UserSession, token)
    assert client.get("/api/v1/episodes", headers=bearer(token)).status_code == 401
    client.cookies.set("crampcheck_session", token)
    response = client.get("/diary", follow_redirects=False)
    assert response.status_code == 303 and "/account/signin" in response.headers["location"]
    # The stale row goes at the next sign-in.
    client.cookies.clear()
    signed = client.post(
        "/api/v1/auth/signin", json={"email": "ana@example.com", "password": PASSWORD}
    )
    assert signed.status_code == 200
    assert not row_exists(app, UserSession, token)


def test_a_staff_session_lasts_a_working_day_and_not_longer(
    client: TestClient, app: FastAPI
) -> None:
    with app.state.crampcheck.sessions() as session, session.begin():
        member = staff.add_staff(
            session,
            clinic_id="auger-podiatry",
            email="desk@example.com",
            name="Dee Desk",
            role="front_desk",
            password=STAFF_PASSWORD,
        )
        started = staff.start_staff_session(session, member)
    assert started.expires_at - datetime.now(UTC) <= STAFF_SESSION_LIFETIME
    assert timedelta(hours=12) >= STAFF_SESSION_LIFETIME
    auth = bearer(started.token)
    assert client.get("/api/staff/requests", headers=auth).status_code == 200
    client.cookies.set("crampcheck_staff", started.token, path="/staff")
    assert client.get("/staff", follow_redirects=False).status_code == 200
    expire(app, StaffSession, started.token)
    assert client.get("/api/staff/requests", headers=auth).status_code == 401
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and "/staff/signin" in response.headers["location"]
    with app.state.crampcheck.sessions() as session, session.begin():
        member = session.scalars(select(StaffMember)).one()
        staff.start_staff_session(session, member)  # the next sign-in
    assert not row_exists(app, StaffSession, started.token)
