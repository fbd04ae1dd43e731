"""Invitations on the pages (the security review's L8: an admin created a clinician with a
password of their own choosing, and could then sign in as them and read clinical data).

An admin adds a member by name, email address and role and is shown their one-time link
once; the member opens it, chooses their own password and is signed in; the link then
no longer works. Every link that cannot be used gets one page (404 for one that never
was, 410 for one that was), never a 500, never cached. The admin can revoke a link or
give a new one, also to someone who forgot their password (whose password and sessions
end then); nowhere can they choose, or learn, a password that signs in as the member.
Every step is in the clinic's audit log and the link is in no log.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from starlette.testclient import TestClient

from crampcheck.services import accounts
from crampcheck.storage.tables import StaffInvitation
from tests.web.test_staff_pages import (
    ADMIN,
    DESK,
    PASSWORD,
    STAFF_COOKIE,
    add_member,
    alive,
    csrf_of,
    events,
    member,
    sign_in,
    staff_token,
)
from tests.web.test_web_pages import form_to, main_of, submit

DANA = "dana@clinic.example"
DANAS_OWN = "juniper dial 5 comet"
UNUSABLE = "This link cannot be used"

pytestmark = pytest.mark.usefixtures("fast_hashing")


# ---------------------------------------------------------------- helpers


@pytest.fixture
def admin(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    """The client, signed in as the clinic's admin."""
    add_member(app, ADMIN, "admin", name="Ada Admin")
    sign_in(client, ADMIN)
    yield client


def link_in(html: str) -> str:
    """The invitation link the team page shows (its path)."""
    found = re.search(
        r'id="invitation-link"[^>]*value="https?://[^/"]+(/staff/invite/[^"]+)"', html
    )
    assert found is not None, "no invitation link on the page"
    return found.group(1)


def invite(admin: TestClient, email: str = DANA, name: str = "Dana Doctor") -> str:
    """Add a clinician through the team page; the path of their link."""
    response = submit(
        admin,
        form_to(admin.get("/staff/team").text, "/staff/team"),
        change={"name": name, "email": email, "role": "clinician"},
    )
    assert response.status_code == 200, response.text
    return link_in(response.text)


def choose(
    app: FastAPI, path: str, password: str = DANAS_OWN, again: str | None = None
) -> tuple[TestClient, httpx.Response]:
    """The invited person, in a browser of their own, opens the link and sends a password.
    Returns their client (still open) and the answer."""
    person = TestClient(app)
    person.__enter__()
    page = person.get(path)
    assert page.status_code == 200, page.text
    answer = submit(
        person,
        form_to(page.text, path),
        change={"password": password, "password_again": password if again is None else again},
    )
    return person, answer


def can_sign_in(app: FastAPI, email: str, password: str) -> bool:
    with TestClient(app) as someone:
        return (
            someone.post(
                "/api/staff/session", json={"email": email, "password": password}
            ).status_code
            == 200
        )  # noqa: PLR2004


def expire_every_link(app: FastAPI) -> None:
    with app.state.crampcheck.sessions() as session, session.begin():
        session.execute(
            update(StaffInvitation).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )


# ---------------------------------------------------------------- the whole way


def test_the_link_is_shown_once_and_the_member_chooses_their_own_password(
    app: FastAPI, admin: TestClient
) -> None:
    path = invite(admin)
    token = path.rsplit("/", 1)[1]
    team = admin.get("/staff/team").text
    assert token not in team, "the link is shown only once"
    waiting = team.split('id="invitations"', 1)[1].split("</table>", 1)[0]
    assert "Dana Doctor" in waiting and DANA in waiting and "Clinician" in waiting
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d M[SD]T", waiting), "the expiry, clinic time"

    person, answer = choose(app, path)
    try:
        assert answer.status_code == 303 and answer.headers["location"] == "/staff"
        assert answer.headers["cache-control"] == "no-store"
        assert person.cookies.get(STAFF_COOKIE), "signed in"
        inbox = person.get("/staff")
        assert inbox.status_code == 200 and "Dana Doctor" in inbox.text
        assert person.get("/staff/team").status_code == 403, "a clinician, not an admin"
        again = person.get(path)
        assert again.status_code == 410 and UNUSABLE in again.text
        resent = person.post(path, data={"password": "x" * 12, "password_again": "x" * 12})
        assert resent.status_code in (400, 410)
    finally:
        person.__exit__(None, None, None)
    assert can_sign_in(app, DANA, DANAS_OWN)
    assert "Every invitation has been accepted or revoked." in admin.get("/staff/team").text
    invited, accepted = events(app, action="invite_staff"), events(app, action="accept_invitation")
    assert [(e.staff_email, e.role) for e in invited] == [(ADMIN, "admin")]
    assert [(e.staff_email, e.role) for e in accepted] == [(DANA, "clinician")]
    assert accepted[0].address, "from where the link was used"
    for event in events(app):
        assert token not in (event.detail or "") and DANAS_OWN not in (event.detail or "")


def test_the_admin_never_learns_a_password_that_signs_in_as_the_member(
    app: FastAPI, admin: TestClient
) -> None:
    """An admin posting the old form, with a password of their choosing, adds a member
    that password does not open; nor does any other they know."""
    response = submit(
        admin,
        form_to(admin.get("/staff/team").text, "/staff/team"),
        change={
            "name": "Dana Doctor",
            "email": DANA,
            "role": "clinician",
            "password": "admins choice 77",
            "password_again": "admins choice 77",
        },
    )
    assert response.status_code == 200
    assert 'type="password"' not in response.text
    for guess in ("admins choice 77", PASSWORD, "", accounts.SIGN_IN_FAILED):
        assert not can_sign_in(app, DANA, guess), guess
    assert sign_in(admin, DANA, "admins choice 77", expect=422)
    person, answer = choose(app, link_in(response.text))
    person.__exit__(None, None, None)
    assert answer.status_code == 303
    assert can_sign_in(app, DANA, DANAS_OWN) and not can_sign_in(app, DANA, "admins choice 77")


# ---------------------------------------------------------------- links that cannot be used


def test_every_link_that_cannot_be_used_gets_the_same_page(
    app: FastAPI, admin: TestClient, client: TestClient
) -> None:
    used = invite(admin, "used@clinic.example", "Una Used")
    choose(app, used)[0].__exit__(None, None, None)
    revoked = invite(admin, "revoked@clinic.example", "Rae Revoked")
    revoke_form = f"/staff/team/{member(app, 'revoked@clinic.example').id}/invitation/revoke"
    submit(admin, form_to(admin.get("/staff/team").text, revoke_form))
    replaced = invite(admin, "replaced@clinic.example", "Rex Replaced")
    new_form = f"/staff/team/{member(app, 'replaced@clinic.example').id}/invitation"
    submit(admin, form_to(admin.get("/staff/team").text, new_form))
    deactivated = invite(admin, "gone@clinic.example", "Gus Gone")
    gone_form = f"/staff/team/{member(app, 'gone@clinic.example').id}/deactivate"
    submit(admin, form_to(admin.get("/staff/team").text, gone_form))
    expired = invite(admin, "late@clinic.example", "Lee Late")
    expire_every_link(app)
    known = {
        "used": used,
        "revoked": revoked,
        "replaced": replaced,
        "deactivated": deactivated,
        "expired": expired,
    }
    unknown = {
        "unknown": "/staff/invite/" + "A" * 43,
        "too short": "/staff/invite/abc",
        "too long": "/staff/invite/" + "A" * 150,
        "not a token": "/staff/invite/a.b~c!d$e'f(g)h*i+j,k;l=m@n",
    }
    # A form token for a browser without a session (the sign-in form's kind), so that
    # a POST gets past the form check to the link itself.
    client.cookies.clear()
    form_token = dict(form_to(client.get("/staff/signin").text, "/staff/signin").fields)
    sent = {"csrf_token": form_token["csrf_token"], "password": DANAS_OWN}
    sent["password_again"] = DANAS_OWN
    mains = set()
    for kind, path in (known | unknown).items():
        expected = 410 if kind in known else 404
        for method in ("GET", "POST"):
            response = client.request(method, path, data=sent if method == "POST" else None)
            assert response.status_code == expected, (kind, method, response.status_code)
            assert response.headers["cache-control"] == "no-store", kind
            assert response.headers["referrer-policy"] == "no-referrer", kind
            assert UNUSABLE in response.text and "ask your clinic's admin" in response.text
            mains.add(main_of(response.text))
    assert len(mains) == 1, "no hint of which: one page for every reason"
    for email in ("used@clinic.example",):
        assert can_sign_in(app, email, DANAS_OWN)
    for email in ("revoked", "replaced", "gone", "late"):
        assert not can_sign_in(app, f"{email}@clinic.example", DANAS_OWN)
    assert events(app, action="accept_invitation")[0].staff_email == "used@clinic.example"
    assert len(events(app, action="accept_invitation")) == 1


def test_a_refused_password_keeps_the_link_working(app: FastAPI, admin: TestClient) -> None:
    path = invite(admin)
    cases = [
        ("short", None, "password", "at least 10 characters"),
        ("password123", None, "password", "too common"),
        (DANA, None, "password", "too common"),
        (DANAS_OWN, "something else", "password_again", "not the same"),
        ("", None, "password", "Please choose a password."),
    ]
    for password, again, field, message in cases:
        person, answer = choose(app, path, password, again)
        person.__exit__(None, None, None)
        assert answer.status_code == 422, (password, answer.text)
        assert message in answer.text
        assert f'id="{field}-error"' in answer.text
        assert not password or password == DANA or password not in answer.text
        assert STAFF_COOKIE not in person.cookies
    assert events(app, action="accept_invitation") == []
    person, answer = choose(app, path)
    person.__exit__(None, None, None)
    assert answer.status_code == 303


def test_the_password_form_needs_its_own_token(app: FastAPI, admin: TestClient) -> None:
    path = invite(admin)
    with TestClient(app) as person:
        form = form_to(person.get(path).text, path)
        for token in ("", "0" * 64):
            change = {"password": DANAS_OWN, "password_again": DANAS_OWN, "csrf_token": token}
            response = submit(person, form, change=change)
            assert response.status_code == 400 and STAFF_COOKIE not in person.cookies
        person.cookies.clear()
        response = submit(person, form, change={"password": DANAS_OWN, "password_again": DANAS_OWN})
        assert response.status_code == 400, "without the form's cookie the token means nothing"
    assert not can_sign_in(app, DANA, DANAS_OWN)
    with TestClient(app) as person:
        assert person.get(path).status_code == 200, "the link still works"


# ---------------------------------------------------------------- the admin's side


def test_the_admin_revokes_a_link_or_gives_a_new_one(app: FastAPI, admin: TestClient) -> None:
    first = invite(admin)
    dana_id = member(app, DANA).id
    response = submit(
        admin, form_to(admin.get("/staff/team").text, f"/staff/team/{dana_id}/invitation")
    )
    assert response.status_code == 200 and "any earlier link no longer works" in response.text
    second = link_in(response.text)
    assert second != first
    with TestClient(app) as person:
        assert person.get(first).status_code == 410
        assert person.get(second).status_code == 200
    response = submit(
        admin, form_to(admin.get("/staff/team").text, f"/staff/team/{dana_id}/invitation/revoke")
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/team?done=revoked"
    team = admin.get(response.headers["location"]).text
    assert "The invitation link no longer works." in team
    assert "Every invitation has been accepted or revoked." in team
    with TestClient(app) as person:
        assert person.get(second).status_code == 410
    again = admin.post(
        f"/staff/team/{dana_id}/invitation/revoke", data={"csrf_token": csrf_of(admin)}
    )
    assert again.status_code == 422 and "no invitation link to revoke" in again.text
    assert [(e.action, e.staff_email) for e in events(app) if "invit" in e.action] == [
        ("invite_staff", ADMIN),
        ("reissue_invitation", ADMIN),
        ("revoke_invitation", ADMIN),
    ]


def test_a_forgotten_password_is_a_new_link_which_ends_the_password_and_the_sessions(
    app: FastAPI, admin: TestClient
) -> None:
    desk_id = add_member(app, DESK, "front_desk", name="Dee Desk")
    with TestClient(app) as desk:
        sign_in(desk, DESK)
        held = staff_token(desk)
        response = submit(
            admin, form_to(admin.get("/staff/team").text, f"/staff/team/{desk_id}/invitation")
        )
        assert response.status_code == 200
        assert 'type="password"' not in response.text
        assert not alive(app, held), "signed out everywhere"
        assert desk.get("/staff", follow_redirects=False).status_code == 303
    assert not can_sign_in(app, DESK, PASSWORD), "the old password no longer works"
    row = admin.get("/staff/team").text.split("Dee Desk", 1)[1].split("</tr>", 1)[0]
    assert "Invited" in row
    person, answer = choose(app, link_in(response.text), "a brand new one 88")
    person.__exit__(None, None, None)
    assert answer.status_code == 303
    assert can_sign_in(app, DESK, "a brand new one 88")
    (event,) = events(app, action="reissue_invitation")
    assert event.detail and "their password was removed and their sessions ended" in event.detail


def test_an_admin_cannot_give_themselves_a_new_link(app: FastAPI, admin: TestClient) -> None:
    me = member(app, ADMIN)
    html = admin.get("/staff/team").text
    assert f"/staff/team/{me.id}/invitation" not in html
    response = admin.post(f"/staff/team/{me.id}/invitation", data={"csrf_token": csrf_of(admin)})
    assert response.status_code == 422 and "change your own password" in response.text
    assert "/staff/invite/" not in response.text
    assert alive(app, staff_token(admin)) and can_sign_in(app, ADMIN, PASSWORD)


def test_deactivating_a_member_ends_their_link(app: FastAPI, admin: TestClient) -> None:
    path = invite(admin)
    dana_id = member(app, DANA).id
    submit(admin, form_to(admin.get("/staff/team").text, f"/staff/team/{dana_id}/deactivate"))
    with TestClient(app) as person:
        assert person.get(path).status_code == 410
    (revoked,) = events(app, action="revoke_invitation")
    assert revoked.detail and revoked.detail.endswith("(deactivated)")
    submit(admin, form_to(admin.get("/staff/team").text, f"/staff/team/{dana_id}/activate"))
    with TestClient(app) as person:
        assert person.get(path).status_code == 410, "activating again does not revive it"
    response = admin.post(f"/staff/team/{dana_id}/invitation", data={"csrf_token": csrf_of(admin)})
    assert response.status_code == 200
    person, answer = choose(app, link_in(response.text))
    person.__exit__(None, None, None)
    assert answer.status_code == 303


def test_accepting_ends_the_staff_session_the_browser_held(app: FastAPI, admin: TestClient) -> None:
    path = invite(admin)
    held = staff_token(admin)
    page = admin.get(path)
    answer = submit(
        admin, form_to(page.text, path), change={"password": DANAS_OWN, "password_again": DANAS_OWN}
    )
    assert answer.status_code == 303
    assert not alive(app, held), "the admin's session in this browser ended"
    assert staff_token(admin) != held and alive(app, staff_token(admin))
    assert admin.get("/staff/team").status_code == 403, "now signed in as the clinician"


def test_the_link_is_in_no_log(
    app: FastAPI, admin: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = invite(admin)
    token = path.rsplit("/", 1)[1]
    person, answer = choose(app, path)
    person.get(path)
    person.__exit__(None, None, None)
    assert answer.status_code == 303
    csv_export = admin.get("/staff/audit.csv").text
    assert "accept_invitation" in csv_export and token not in csv_export
    server_side = [r for r in caplog.records if not r.name.startswith("httpx")]
    for record in server_side:
        assert token not in record.getMessage() and DANAS_OWN not in record.getMessage()
    client_side = [r for r in caplog.records if r.name.startswith("httpx")]
    assert any(token in r.getMessage() for r in client_side), "the capture works"
