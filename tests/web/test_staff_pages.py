"""The staff app's own pages, used as a browser would with JavaScript off: sign-in (one
message, throttled, rotated, only ever back to a staff page), sign-out, the guards (no
staff session, a patient's session, a role without the permission), the team page
(adding, deactivating, activating; never oneself; the invitations themselves are in
test_staff_invitations.py), the audit log (one clinic's events,
filters, pages, the CSV export, all audited), CSRF on every form, and the database's
refusal to change or delete an audit event.

Runs on the ``app``/``client`` fixtures of conftest.py, so on SQLite and, when
CRAMPCHECK_TEST_DATABASE_URL is set, on PostgreSQL. Staff are created with
``crampcheck.services.staff.add_staff`` in a session of the app's own database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import event as engine_events
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from starlette.testclient import TestClient

from crampcheck.clinic import load_clinic
from crampcheck.services import accounts, throttle
from crampcheck.services import audit as audit_service
from crampcheck.services.audit import AuditAction, record
from crampcheck.services.clinics import register_clinic
from crampcheck.services.staff import add_staff, staff_for_session
from crampcheck.storage.tables import AuditEvent, ClinicRecord, StaffMember
from tests.services.test_accounts import page_sign_up
from tests.web.test_web_pages import form_to, forms_of, submit

PASSWORD = "plum orbit lantern 42"
STAFF_COOKIE = "crampcheck_staff"
OTHER_CLINIC = "other-clinic"
ADMIN = "admin@clinic.example"
DESK = "desk@clinic.example"
DOCTOR = "doctor@clinic.example"
GUARDED_GETS = ["/staff/team", "/staff/audit", "/staff/audit.csv"]
DENVER = ZoneInfo("America/Denver")
"""The packaged clinic's time zone (Salt Lake City, Sandy and West Jordan, Utah)."""


pytestmark = pytest.mark.usefixtures("fast_hashing")


# ---------------------------------------------------------------- helpers


def add_member(
    app: FastAPI,
    email: str,
    role: str,
    *,
    name: str | None = None,
    clinic_id: str | None = None,
) -> str:
    """A staff member added straight to the app's database; their id."""
    state = app.state.crampcheck
    with state.sessions() as session, session.begin():
        member = add_staff(
            session,
            clinic_id=clinic_id or state.clinic.id,
            email=email,
            name=name or email.split("@")[0].title(),
            role=role,
            password=PASSWORD,
        )
        return member.id


def add_other_clinic(app: FastAPI) -> None:
    """A second clinic of the installation (a changed copy of the packaged one)."""
    clinic = load_clinic().model_copy(update={"id": OTHER_CLINIC, "name": "Other Clinic"})
    with app.state.crampcheck.sessions() as session, session.begin():
        register_clinic(session, clinic)


def sign_in(
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    expect: int = 303,
    next_page: str | None = None,
) -> Any:
    """Sign in with the staff sign-in page."""
    params = {"next": next_page} if next_page is not None else None
    html = client.get("/staff/signin", params=params).text
    response = submit(
        client, form_to(html, "/staff/signin"), change={"email": email, "password": password}
    )
    assert response.status_code == expect, response.text
    return response


def staff_token(client: TestClient) -> str | None:
    """The staff session token the browser holds, if any."""
    return client.cookies.get(STAFF_COOKIE)


def alive(app: FastAPI, token: str | None) -> bool:
    """Whether a staff session token still signs someone in."""
    with app.state.crampcheck.sessions() as session:
        return staff_for_session(session, token) is not None


def events(app: FastAPI, **where: Any) -> list[AuditEvent]:
    """Audit events, oldest first, narrowed by column values."""
    with app.state.crampcheck.sessions() as session:
        query = select(AuditEvent).filter_by(**where).order_by(AuditEvent.at)
        return list(session.scalars(query))


def member(app: FastAPI, email: str) -> StaffMember:
    with app.state.crampcheck.sessions() as session:
        found = session.scalar(select(StaffMember).where(StaffMember.email == email))
        assert found is not None
        return found


def add_events(
    app: FastAPI,
    email: str,
    count: int,
    *,
    action: AuditAction = AuditAction.CHANGE_STATUS,
    request_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    """``count`` audit events by a member, one second apart (ending a minute ago, or
    starting ``at``)."""
    start = at or datetime.now(UTC) - timedelta(minutes=1, seconds=count)
    with app.state.crampcheck.sessions() as session, session.begin():
        actor = session.scalar(select(StaffMember).where(StaffMember.email == email))
        assert actor is not None
        for n in range(count):
            record(
                session,
                actor,
                action,
                address="203.0.113.9",
                request_id=request_id,
                detail=detail,
                now=start + timedelta(seconds=n),
            )


def header_of(html: str) -> str:
    return html.split("<main", 1)[0]


def rows_of(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr>")


@pytest.fixture
def admin(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    """The client, signed in as the clinic's admin."""
    add_member(app, ADMIN, "admin", name="Ada Admin")
    sign_in(client, ADMIN)
    yield client


# ---------------------------------------------------------------- sign in and out


def test_sign_in_sets_a_strict_staff_cookie_and_shows_who_is_signed_in(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, ADMIN, "admin", name="Ada Admin")
    response = sign_in(client, ADMIN)
    assert response.headers["location"] == "/staff"
    assert response.headers["cache-control"] == "no-store"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(STAFF_COOKIE))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/staff"} <= flags
    page = client.get("/staff/team")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    header = header_of(page.text)
    assert "Dr. Elizabeth Auger, Podiatrist" in header and "Ada Admin" in header
    assert "Admin" in header
    for link in ('href="/staff"', 'href="/staff/team"', 'href="/staff/audit"'):
        assert link in header
    assert 'action="/staff/signout"' in header
    for patient_link in ('href="/check"', 'href="/diary"', 'href="/account/signin"'):
        assert patient_link not in header, "no patient navigation in the staff app"
    (event,) = events(app, action="sign_in")
    assert event.staff_email == ADMIN and event.role == "admin" and event.address


def test_one_message_for_an_unknown_address_a_wrong_password_and_a_deactivated_member(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, DESK, "front_desk")
    gone = add_member(app, "gone@clinic.example", "front_desk")
    with app.state.crampcheck.sessions() as session, session.begin():
        row = session.get(StaffMember, (app.state.crampcheck.clinic.id, gone))
        assert row is not None
        row.active = False
    attempts = [
        (DESK, "not the password at all"),
        ("nobody@clinic.example", PASSWORD),
        ("gone@clinic.example", PASSWORD),
    ]
    for email, password in attempts:
        response = sign_in(client, email, password, expect=422)
        assert accounts.SIGN_IN_FAILED in response.text
        assert 'aria-invalid="true"' in response.text and 'id="email-error"' in response.text
        assert f'value="{email}"' in response.text, "the address typed is kept"
        assert password not in response.text, "a password is never shown"
        assert STAFF_COOKIE not in client.cookies
    empty = submit(client, form_to(client.get("/staff/signin").text, "/staff/signin"))
    assert empty.status_code == 422
    assert "Please enter your email address." in empty.text
    assert "Please enter your password." in empty.text
    # Only failures against an existing account are recorded (wrong password, deactivated).
    assert {e.action for e in events(app)} <= {"sign_in_failed"}
    assert all(e.staff_email != "nobody@clinic.example" for e in events(app))


def test_staff_sign_in_is_throttled_after_repeated_failures(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, DESK, "front_desk")
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        sign_in(client, DESK, "wrong password guess", expect=422)
    throttled = sign_in(client, DESK, PASSWORD, expect=429)
    assert accounts.THROTTLED in throttled.text
    assert STAFF_COOKIE not in client.cookies
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        sign_in(client, "nobody@clinic.example", "wrong password guess", expect=422)
    unknown = sign_in(client, "nobody@clinic.example", PASSWORD, expect=429)
    assert accounts.THROTTLED in unknown.text


def test_each_sign_in_starts_a_new_session_and_ends_the_one_held(
    app: FastAPI, admin: TestClient
) -> None:
    first = staff_token(admin)
    assert alive(app, first)
    sign_in(admin, ADMIN)
    second = staff_token(admin)
    assert second and second != first
    assert not alive(app, first), "the session the browser held has ended"
    assert alive(app, second)
    with TestClient(app) as stale:
        cookie = {"cookie": f"{STAFF_COOKIE}={first}"}
        redirect = stale.get("/staff/team", headers=cookie, follow_redirects=False)
        assert redirect.status_code == 303
        assert redirect.headers["location"] == "/staff/signin?next=/staff/team"
        assert STAFF_COOKIE + '=""' in redirect.headers["set-cookie"], "the stale cookie goes"


def test_sign_out_ends_the_session(app: FastAPI, admin: TestClient) -> None:
    token = staff_token(admin)
    html = admin.get("/staff/team").text
    response = submit(admin, form_to(html, "/staff/signout"))
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/signin?done=signed_out"
    assert STAFF_COOKIE not in admin.cookies
    assert not alive(app, token), "sign-out ends the session on the server"
    assert "You are signed out." in admin.get(response.headers["location"]).text
    redirect = admin.get("/staff/team", follow_redirects=False)
    assert redirect.headers["location"] == "/staff/signin?next=/staff/team"
    (event,) = events(app, action="sign_out")
    assert event.staff_email == ADMIN


def test_sign_in_goes_back_to_the_staff_page_asked_for_but_never_elsewhere(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, ADMIN, "admin")
    redirect = client.get("/staff/audit?action=sign_in", follow_redirects=False)
    location = redirect.headers["location"]
    assert location == "/staff/signin?next=/staff/audit%3Faction%3Dsign_in"
    html = client.get(location).text
    response = submit(
        client, form_to(html, "/staff/signin"), change={"email": ADMIN, "password": PASSWORD}
    )
    assert response.headers["location"] == "/staff/audit?action=sign_in"
    targets = [
        "https://evil.example/staff",
        "//evil.example/staff",
        "/staff//evil.example",
        "/staff/../account",
        "/staffevil",
        "/diary",
        "/staff/signout",
        "/staff\\evil",
    ]
    for target in targets:
        response = sign_in(client, ADMIN, next_page=target)
        assert response.headers["location"] == "/staff", target
    forged = form_to(client.get("/staff/signin").text, "/staff/signin")
    response = submit(
        client,
        forged,
        change={"email": ADMIN, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/staff", "a forged next field is refused too"


# ---------------------------------------------------------------- guards


@pytest.mark.parametrize("path", GUARDED_GETS)
def test_staff_pages_send_everyone_without_a_staff_session_to_sign_in(
    client: TestClient, path: str
) -> None:
    redirect = client.get(path, follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"/staff/signin?next={path}"
    page_sign_up(client, "patient@example.com")
    assert client.cookies.get("crampcheck_session"), "a patient is signed in"
    again = client.get(path, follow_redirects=False)
    assert again.status_code == 303, "a patient's session counts for nothing here"
    assert again.headers["location"].startswith("/staff/signin")


def test_forms_without_a_staff_session_go_to_sign_in(app: FastAPI, client: TestClient) -> None:
    member_id = add_member(app, DESK, "front_desk")
    for path in (
        "/staff/team",
        f"/staff/team/{member_id}/deactivate",
        f"/staff/team/{member_id}/invitation",
        f"/staff/team/{member_id}/invitation/revoke",
    ):
        response = client.post(path, data={"name": "X"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/signin?next=/staff"
    assert member(app, DESK).active


@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_roles_without_the_permission_get_the_forbidden_page(
    app: FastAPI, client: TestClient, role: str
) -> None:
    email = DESK if role == "front_desk" else DOCTOR
    add_member(app, email, role)
    other = add_member(app, "someone@clinic.example", "front_desk")
    sign_in(client, email)
    for path in GUARDED_GETS:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Your role does not allow this" in response.text
        header = header_of(response.text)
        assert 'href="/staff"' in header
        assert 'href="/staff/team"' not in header and 'href="/staff/audit"' not in header
    token = {"csrf_token": "x"}
    for path in (
        "/staff/team",
        f"/staff/team/{other}/deactivate",
        f"/staff/team/{other}/invitation",
        f"/staff/team/{other}/invitation/revoke",
    ):
        assert client.post(path, data=token).status_code == 403, path
    assert member(app, "someone@clinic.example").active
    assert accounts.verify_password(member(app, "someone@clinic.example").password_hash, PASSWORD)
    assert [e.action for e in events(app)] == ["sign_in"], "nothing was read or changed"


# ---------------------------------------------------------------- CSRF on every form


def test_every_staff_form_needs_its_own_token(app: FastAPI, admin: TestClient) -> None:
    desk_id = add_member(app, DESK, "front_desk")
    gone_id = add_member(app, "gone@clinic.example", "front_desk")
    admin.post(
        f"/staff/team/{gone_id}/deactivate", data={"csrf_token": csrf_of(admin)}
    ).raise_for_status()
    invited = submit(
        admin,
        form_to(admin.get("/staff/team").text, "/staff/team"),
        change={"name": "Ivy Invited", "email": "ivy@clinic.example", "role": "front_desk"},
    )
    assert invited.status_code == 200, invited.text
    ivy_id = member(app, "ivy@clinic.example").id
    html = admin.get("/staff/team").text
    forms = {
        "/staff/team": {"name": "New", "email": "new@clinic.example", "role": "front_desk"},
        f"/staff/team/{desk_id}/deactivate": {},
        f"/staff/team/{gone_id}/activate": {},
        f"/staff/team/{desk_id}/invitation": {},
        f"/staff/team/{ivy_id}/invitation/revoke": {},
        "/staff/signout": {},
    }
    for action, change in forms.items():
        form = form_to(html, action)
        for token in ("", "0" * 64, None):
            fields = dict(change)
            if token is None:
                form_fields = [f for f in form.fields if f[0] != "csrf_token"]
                response = admin.post(action, data=dict(form_fields) | fields)
            else:
                response = submit(admin, form, change={**fields, "csrf_token": token})
            assert response.status_code == 400, (action, token)
            assert "We could not use this form" in response.text
    assert member(app, DESK).active and not member(app, "gone@clinic.example").active
    assert accounts.verify_password(member(app, DESK).password_hash, PASSWORD)
    with app.state.crampcheck.sessions() as session:
        assert session.scalar(select(StaffMember).filter_by(email="new@clinic.example")) is None
    assert [e.action for e in events(app) if "invitation" in e.action] == []
    assert alive(app, staff_token(admin)), "a refused sign-out signs nobody out"
    # another member's token does not work with this session
    with TestClient(app) as other:
        add_member(app, "admin2@clinic.example", "admin")
        sign_in(other, "admin2@clinic.example")
        theirs = csrf_of(other)
    response = admin.post(f"/staff/team/{desk_id}/deactivate", data={"csrf_token": theirs})
    assert response.status_code == 400 and member(app, DESK).active


def test_the_sign_in_form_needs_its_nonce_cookie_and_token(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, DESK, "front_desk")
    form = form_to(client.get("/staff/signin").text, "/staff/signin")
    change = {"email": DESK, "password": PASSWORD}
    assert submit(client, form, change={**change, "csrf_token": "0" * 64}).status_code == 400
    client.cookies.clear()
    response = submit(client, form, change=change)
    assert response.status_code == 400, "without the form's cookie the token means nothing"
    assert STAFF_COOKIE not in client.cookies
    assert events(app) == []


def csrf_of(client: TestClient) -> str:
    """The form token of an admin's session (from the team page)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/team").text)
    assert match is not None
    return match.group(1)


# ---------------------------------------------------------------- the team


def test_an_admin_adds_a_member_by_name_email_and_role(app: FastAPI, admin: TestClient) -> None:
    html = admin.get("/staff/team").text
    assert "Ada Admin" in html and ADMIN in html
    form = form_to(html, "/staff/team")
    assert ("role", "front_desk") in form.checkboxes and ("role", "admin") in form.checkboxes
    assert {name for name, _ in form.fields} == {"csrf_token", "name", "email", "role"}
    assert 'type="password"' not in html, "no password for someone else, anywhere"
    response = submit(
        admin,
        form,
        change={"name": "  Dana   Doctor ", "email": "Dana@Clinic.example", "role": "clinician"},
    )
    assert response.status_code == 200, "the page itself shows the link, this once"
    assert "Dana Doctor was added." in response.text
    row = admin.get("/staff/team").text.split("Dana Doctor", 1)[1].split("</tr>", 1)[0]
    assert "dana@clinic.example" in row and "Clinician" in row and "Invited" in row
    (event,) = events(app, action="invite_staff")
    assert event.staff_email == ADMIN
    assert event.detail and "Dana Doctor" in event.detail
    assert "dana@clinic.example" in event.detail and "clinician" in event.detail
    assert member(app, "dana@clinic.example").clinic_id == app.state.crampcheck.clinic.id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "   "}, "name", "Please enter the staff member"),
        ({"email": "not an email"}, "email", "Please enter a valid email address."),
        ({"email": ADMIN}, "email", "already exists"),
        ({"role": "owner"}, "role", "Please choose a role."),
    ],
)
def test_the_add_form_shows_each_problem_beside_its_field(
    app: FastAPI, admin: TestClient, change: dict[str, str], field: str, message: str
) -> None:
    typed = {"name": "Nia New", "email": "nia@clinic.example", "role": "front_desk"}
    response = submit(
        admin, form_to(admin.get("/staff/team").text, "/staff/team"), change={**typed, **change}
    )
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text, "the message is beside the field"
    assert f'href="#{field}"' in response.text, "and in the summary"
    assert "/staff/invite/" not in response.text
    if field != "email":
        assert 'value="nia@clinic.example"' in response.text, "what was typed is kept"
    if field != "name":
        assert 'value="Nia New"' in response.text
    with app.state.crampcheck.sessions() as session:
        assert session.scalar(select(StaffMember).filter_by(email="nia@clinic.example")) is None
    assert events(app, action="invite_staff") == []


def test_deactivating_ends_the_members_sessions_and_activating_lets_them_back(
    app: FastAPI, admin: TestClient
) -> None:
    desk_id = add_member(app, DESK, "front_desk", name="Dee Desk")
    with TestClient(app) as desk:
        sign_in(desk, DESK)
        desk_session = staff_token(desk)
        assert desk.get("/staff/audit").status_code == 403, "signed in (a front desk role)"
        html = admin.get("/staff/team").text
        response = submit(admin, form_to(html, f"/staff/team/{desk_id}/deactivate"))
        assert response.headers["location"] == "/staff/team?done=deactivated"
        assert not alive(app, desk_session)
        assert desk.get("/staff/audit", follow_redirects=False).status_code == 303
        sign_in(desk, DESK, expect=422)
        page = admin.get("/staff/team").text
        assert "Deactivated" in page.split("Dee Desk", 1)[1].split("</tr>", 1)[0]
        response = submit(admin, form_to(page, f"/staff/team/{desk_id}/activate"))
        assert response.headers["location"] == "/staff/team?done=activated"
        sign_in(desk, DESK)
    (off,) = events(app, action="deactivate_staff")
    (on,) = events(app, action="activate_staff")
    for event in (off, on):
        assert event.detail and "Dee Desk" in event.detail and DESK in event.detail
        assert "front_desk" in event.detail and event.staff_email == ADMIN


def test_an_admin_cannot_deactivate_themselves(app: FastAPI, admin: TestClient) -> None:
    me = member(app, ADMIN)
    html = admin.get("/staff/team").text
    assert f"/staff/team/{me.id}/deactivate" not in html, "no button to deactivate oneself"
    response = admin.post(f"/staff/team/{me.id}/deactivate", data={"csrf_token": csrf_of(admin)})
    assert response.status_code == 422
    assert "You cannot deactivate yourself." in response.text
    assert member(app, ADMIN).active and alive(app, staff_token(admin))
    assert events(app, action="deactivate_staff") == []


def test_members_of_another_clinic_cannot_be_seen_or_changed(
    app: FastAPI, admin: TestClient
) -> None:
    add_other_clinic(app)
    theirs = add_member(app, "far@other.example", "front_desk", clinic_id=OTHER_CLINIC)
    assert "far@other.example" not in admin.get("/staff/team").text
    for action in ("deactivate", "activate", "invitation", "invitation/revoke"):
        response = admin.post(f"/staff/team/{theirs}/{action}", data={"csrf_token": csrf_of(admin)})
        assert response.status_code == 404
        assert "/staff/invite/" not in response.text
    far = member(app, "far@other.example")
    assert far.active and accounts.verify_password(far.password_hash, PASSWORD)
    assert [e.action for e in events(app) if "invit" in e.action] == []


# ---------------------------------------------------------------- the audit log


def test_the_audit_log_shows_only_the_admins_clinic(app: FastAPI, admin: TestClient) -> None:
    add_other_clinic(app)
    add_member(app, "boss@other.example", "admin", clinic_id=OTHER_CLINIC)
    with TestClient(app) as boss:
        sign_in(boss, "boss@other.example")
        add_events(app, "boss@other.example", 3, request_id="req-of-the-other-clinic")
        theirs = boss.get("/staff/audit").text
        assert "boss@other.example" in theirs and ADMIN not in theirs
        assert "Other Clinic" in header_of(theirs)
    page = admin.get("/staff/audit")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert ADMIN in page.text and "Signed in" in page.text
    assert "boss@other.example" not in page.text and "req-of-the-other-clinic" not in page.text
    export = admin.get("/staff/audit.csv").text
    assert "boss@other.example" not in export and ADMIN in export
    assert {e.clinic_id for e in events(app, staff_email=ADMIN)} == {app.state.crampcheck.clinic.id}


def test_viewing_the_audit_log_is_audited(app: FastAPI, admin: TestClient) -> None:
    admin.get("/staff/audit", params={"action": "sign_in", "page": "1"})
    (view,) = events(app, action="view_audit")
    assert view.staff_email == ADMIN and view.detail == "page 1; action=sign_in"
    page = admin.get("/staff/audit").text
    assert "Viewed the audit log" in page, "the last view is in the log"


def test_audit_filters_narrow_the_events(app: FastAPI, admin: TestClient) -> None:
    add_member(app, DESK, "front_desk")
    add_events(app, DESK, 2, request_id="11111111-aaaa-4aaa-8aaa-111111111111")
    for moment in ((2026, 1, 10, 23, 59), (2026, 1, 11, 0, 0), (2026, 1, 12, 0, 0)):
        at = datetime(*moment, tzinfo=DENVER).astimezone(UTC)  # the clinic's midnights
        add_events(app, DESK, 1, action=AuditAction.VIEW_REQUEST, at=at)

    def shown(**params: str) -> str:
        response = admin.get("/staff/audit", params=params)
        assert response.status_code == 200, response.text
        return response.text

    by_request = shown(request_id="11111111-aaaa-4aaa-8aaa-111111111111")
    assert rows_of(by_request) == 2
    assert 'href="/staff/requests/11111111-aaaa-4aaa-8aaa-111111111111"' in by_request
    assert rows_of(shown(staff_email=DESK.upper())) == 5
    assert rows_of(shown(action="change_status")) == 2
    assert rows_of(shown(action="view_request")) == 3
    assert rows_of(shown(action="view_request", **{"from": "2026-01-11"})) == 2
    assert rows_of(shown(action="view_request", to="2026-01-10")) == 1
    one_day = shown(action="view_request", **{"from": "2026-01-11", "to": "2026-01-11"})
    assert rows_of(one_day) == 1 and "2026-01-11 00:00:00 MST" in one_day
    assert 'value="2026-01-11"' in one_day, "the filters typed are kept"
    assert '<option value="view_request" selected>' in one_day
    assert "No events match these filters." in shown(staff_email="nobody@clinic.example")


def test_audit_dates_are_whole_days_in_the_clinics_time_zone(
    app: FastAPI, admin: TestClient
) -> None:
    late_evening = datetime(2026, 1, 16, 6, 30, tzinfo=UTC)  # 23:30 MST on the 15th
    day_before = datetime(2026, 1, 15, 0, 30, tzinfo=UTC)  # 17:30 MST on the 14th
    for at in (late_evening, day_before):
        add_events(app, ADMIN, 1, action=AuditAction.VIEW_REQUEST, at=at)
    page = admin.get(
        "/staff/audit", params={"action": "view_request", "from": "2026-01-15", "to": "2026-01-15"}
    ).text
    assert rows_of(page) == 1
    assert "2026-01-15 23:30:00 MST" in page and "17:30:00" not in page
    assert "Times are in the clinic's time zone (America/Denver)" in page
    assert "UTC date" not in page
    day_before_page = admin.get(
        "/staff/audit", params={"action": "view_request", "from": "2026-01-14", "to": "2026-01-14"}
    ).text
    assert rows_of(day_before_page) == 1 and "2026-01-14 17:30:00 MST" in day_before_page
    export = admin.get(
        "/staff/audit.csv",
        params={"action": "view_request", "from": "2026-01-15", "to": "2026-01-15"},
    ).text
    (row,) = csv.DictReader(io.StringIO(export))
    assert datetime.fromisoformat(row["at"]) == late_evening
    assert row["at"] == "2026-01-16T06:30:00+00:00", "the CSV gives the time in UTC, saying so"


def test_a_clinic_stored_without_a_time_zone_shows_utc(app: FastAPI, client: TestClient) -> None:
    """A clinic definition stored before clinics had a time zone reads as UTC."""
    definition = load_clinic().model_dump(mode="json")
    definition.update(id=OTHER_CLINIC, name="Other Clinic")
    del definition["time_zone"]
    now = datetime.now(UTC)
    with app.state.crampcheck.sessions() as session, session.begin():
        session.add(
            ClinicRecord(
                id=OTHER_CLINIC,
                name="Other Clinic",
                definition=definition,
                created_at=now,
                updated_at=now,
            )
        )
    add_member(app, "boss@other.example", "admin", clinic_id=OTHER_CLINIC)
    sign_in(client, "boss@other.example")
    add_events(
        app,
        "boss@other.example",
        1,
        action=AuditAction.VIEW_REQUEST,
        at=datetime(2026, 1, 16, 6, 30, tzinfo=UTC),
    )
    page = client.get("/staff/audit", params={"from": "2026-01-16", "to": "2026-01-16"}).text
    assert "Other Clinic" in header_of(page)
    assert rows_of(page) == 1 and "2026-01-16 06:30:00 UTC" in page
    assert "Times are in the clinic's time zone (UTC)" in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "10/01/2026"}, "from", "YYYY-MM-DD"),
        ({"to": "yesterday"}, "to", "YYYY-MM-DD"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to", "before the start date"),
        ({"action": "drop_table"}, "action", "from the list"),
    ],
)
def test_audit_filter_problems_are_shown_beside_the_field(
    app: FastAPI, admin: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    for path in ("/staff/audit", "/staff/audit.csv"):
        response = admin.get(path, params=params)
        assert response.status_code == 422
        assert message in response.text and f'id="{field}-error"' in response.text
        assert response.headers["content-type"].startswith("text/html")
    assert events(app, action="view_audit") == events(app, action="export_audit") == []


def test_the_audit_log_comes_a_page_at_a_time(app: FastAPI, admin: TestClient) -> None:
    add_events(app, ADMIN, 120)
    first = admin.get("/staff/audit", params={"action": "change_status"}).text
    assert rows_of(first) == 50 and "Events 1 to 50 of 120" in first
    assert 'href="/staff/audit?action=change_status&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    last = admin.get("/staff/audit", params={"action": "change_status", "page": "3"}).text
    assert rows_of(last) == 20 and "Events 101 to 120 of 120" in last
    assert 'rel="next"' not in last and "page=2" in last
    beyond = admin.get("/staff/audit", params={"action": "change_status", "page": "9"})
    assert beyond.status_code == 200 and "There are no events on this page." in beyond.text
    for bad in ("0", "-1", "abc", "99999999999"):
        assert rows_of(admin.get("/staff/audit", params={"page": bad}).text) >= 1, bad


def test_the_csv_export_holds_the_filtered_events_and_is_audited(
    app: FastAPI, admin: TestClient
) -> None:
    add_events(app, ADMIN, 3, request_id="req-1", detail='=HYPERLINK("http://x")')
    page = admin.get("/staff/audit", params={"request_id": "req-1"}).text
    assert 'href="/staff/audit.csv?request_id=req-1"' in page
    response = admin.get("/staff/audit.csv", params={"request_id": "req-1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 3
    assert {row["request_id"] for row in table} == {"req-1"}
    assert {row["staff_email"] for row in table} == {ADMIN}
    assert all(not row["detail"].startswith("=") for row in table), "formulas are defused"
    (export,) = events(app, action="export_audit")
    assert export.staff_email == ADMIN and export.detail == "3 events; request_id=req-1"
    everything = list(csv.DictReader(io.StringIO(admin.get("/staff/audit.csv").text)))
    actions = {row["action"] for row in everything}
    assert {"sign_in", "view_audit", "export_audit", "change_status"} <= actions


def test_the_csv_export_streams_thousands_of_events_a_batch_at_a_time(
    app: FastAPI, admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_service, "EXPORT_BATCH", 400)
    add_events(app, ADMIN, 3000)
    everything = [(e.action, e.detail or "") for e in reversed(events(app))]
    reads: list[str] = []

    def read(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        if sql.lstrip().startswith("SELECT") and "FROM audit_events" in sql and "LIMIT" in sql:
            reads.append(sql)

    engine = app.state.crampcheck.engine
    engine_events.listen(engine, "before_cursor_execute", read)
    try:
        response = admin.get("/staff/audit.csv")
    finally:
        engine_events.remove(engine, "before_cursor_execute", read)
    assert response.status_code == 200
    assert "content-length" not in response.headers, "sent as it is read, not built whole"
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["action"], row["detail"]) for row in table] == everything
    assert len(table) == 3001 and len(reads) == 8, "3001 events, 400 at a time"
    (export,) = events(app, action="export_audit")
    assert export.detail == "3001 events; no filters"


def test_audit_events_cannot_be_edited_or_deleted(app: FastAPI, admin: TestClient) -> None:
    for method in ("post", "put", "patch", "delete"):
        assert admin.request(method, "/staff/audit").status_code == 405, method
    (event,) = events(app, action="sign_in")
    engine = app.state.crampcheck.engine
    statements = [
        update(AuditEvent).where(AuditEvent.id == event.id).values(detail="rewritten"),
        text("UPDATE audit_events SET staff_email = 'someone@else.example'"),
        text("DELETE FROM audit_events WHERE id = :id").bindparams(id=event.id),
        text("DELETE FROM audit_events"),
    ]
    for statement in statements:
        with (
            pytest.raises(DBAPIError, match="cannot be changed or deleted"),
            engine.begin() as connection,
        ):
            connection.execute(statement)
    (after,) = events(app, action="sign_in")
    assert (after.id, after.staff_email, after.detail) == (event.id, ADMIN, event.detail)


# ---------------------------------------------------------------- the pages themselves


def test_staff_pages_have_one_heading_labels_and_no_inline_script_or_style(
    admin: TestClient, client: TestClient
) -> None:
    pages = [admin.get(path).text for path in ("/staff/team", "/staff/audit")]
    admin.cookies.clear()
    pages.append(client.get("/staff/signin").text)
    for html in pages:
        assert html.count("<h1") == 1
        assert "style=" not in html and "<style" not in html
        assert "<script" not in html
        assert 'href="/static/staff.css"' in html
        for match in re.finditer(r'<input id="([^"]+)"[^>]*type="(?!hidden|radio)', html):
            assert f'for="{match.group(1)}"' in html, match.group(1)
        for form in forms_of(html):
            if form.method == "post":
                assert any(name == "csrf_token" for name, _ in form.fields), form.action


def test_failed_sign_ins_to_a_staff_account_are_in_its_clinics_audit_log(
    app: FastAPI, client: TestClient
) -> None:
    add_member(app, DESK, "front_desk")
    sign_in(client, DESK, "not the password", expect=422)
    sign_in(client, "nobody@clinic.example", "not the password", expect=422)
    response = client.post(
        "/api/staff/session", json={"email": DESK, "password": "still not the password"}
    )
    assert response.status_code == 401
    failed = events(app, action="sign_in_failed")
    # One event opens the window; the second failure (through the API) is only counted.
    assert [(e.staff_email, e.detail) for e in failed] == [
        (
            DESK,
            "wrong password or inactive account; further failures in the next 15 minutes "
            "are counted, not logged",
        ),
    ]
    assert all("not the password" not in (e.detail or "") for e in events(app))
