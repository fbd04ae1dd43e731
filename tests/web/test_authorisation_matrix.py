"""The authorisation matrix: every route of the application, asked by every kind of
visitor, lets exactly the allowed ones through.

Visitors: an anonymous one; the patient who owns the episode and the appointment request
used in the paths (their diary shared with the clinic); another patient; and a
front-desk user, a clinician and an admin of the request's clinic and of another clinic.
Each presents its token both as its cookie and as a bearer token, on every path, so a
patient's session never opens a staff page and a staff session never opens a diary.

"Denied" is 401, 403 or 404, or a redirect to a sign-in page; anything else (200, a
form's 400 for a missing CSRF token, a 422 for a refused change...) got through. Bodies
are well formed where the shape is checked before the owner could be (BODIES), staff
forms carry the session's CSRF token, patient forms none; so what gets through changes
little: an episode's time (PUT), a refused status move, the test's spare staff member
deactivated and activated again (then refused a new link, being deactivated, and with
no link to revoke), and the episode deleted last (DELETE runs after every
other method). Sessions are made anew for every route. A route missing from EXPECTED
fails the test, so a new route has to be classified before it can ship.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crampcheck.clinic import load_clinic
from crampcheck.services import accounts, staff
from crampcheck.services.appointments import RequestInput, create_request
from crampcheck.services.clinics import register_clinic
from crampcheck.services.diary import EpisodeInput, log_episode
from crampcheck.services.serialize import result_to_dict
from crampcheck.services.sharing import share_diary
from crampcheck.storage.tables import StaffMember
from crampcheck.web.staff_auth import staff_csrf
from tests.services.test_accounts import PASSWORD


class Access(Enum):
    """Who a route is for."""

    PUBLIC = "anyone"
    PATIENT = "a signed-in patient (their own data only)"
    STAFF = "any signed-in staff member"
    HANDLE = "staff who handle requests: front desk, clinician, admin"
    CLINICAL = "clinicians only"
    MANAGE = "admins only (the team)"
    AUDIT = "admins only (the audit log)"


ROLES_ALLOWED = {
    Access.STAFF: {"front_desk", "clinician", "admin"},
    Access.HANDLE: {"front_desk", "clinician", "admin"},
    Access.CLINICAL: {"clinician"},
    Access.MANAGE: {"admin"},
    Access.AUDIT: {"admin"},
}

P, PT = Access.PUBLIC, Access.PATIENT
EXPECTED: dict[tuple[str, str], Access] = {
    # the check, knowledge and clinic: public
    **{("POST", p): P for p in ("/api/v1/assess", "/api/v1/interview")},
    **{
        ("GET", f"/api/v1/knowledge/{k}"): P
        for k in ("findings", "questions", "conditions", "advice", "sources")
    },
    ("GET", "/api/v1/clinic"): P,
    ("POST", "/api/v1/appointment-requests"): P,
    ("GET", "/healthz"): P,
    ("GET", "/readyz"): P,
    ("GET", "/openapi.json"): P,
    ("GET", "/docs"): P,
    **{("GET", p): P for p in ("/", "/clinic", "/check", "/check/questions", "/learn")},
    ("GET", "/learn/{slug}"): P,
    ("GET", "/language/{language}"): P,
    # a check in progress and a finished one, found by the unguessable token in the address
    **{
        ("GET", p): P
        for p in ("/check/confirm/{token}", "/check/words/{token}", "/check/question/{token}")
    },
    ("GET", "/check/result/{token}"): P,
    **{("POST", p): P for p in ("/check", "/check/confirm", "/check/questions")},
    **{(m, p): P for m in ("GET", "POST") for p in ("/appointment", "/appointment/new")},
    ("GET", "/appointment/sent/{request_id}"): P,
    # patient accounts
    **{(m, p): P for m in ("GET", "POST") for p in ("/account/signup", "/account/signin")},
    # the links crampcheck emails: the token in the address is the only credential
    **{
        (m, p): P
        for m in ("GET", "POST")
        for p in ("/account/reset", "/account/reset/{token}", "/account/confirm/{token}")
    },
    **{("POST", f"/api/v1/auth/{a}"): P for a in ("signup", "signin")},
    **{("POST", f"/api/v1/auth/{a}"): PT for a in ("signout", "password")},
    ("DELETE", "/api/v1/account"): PT,
    ("POST", "/account/signout"): P,  # signing out asks for nothing
    ("GET", "/account"): PT,
    ("GET", "/account/requests"): PT,
    **{
        (m, f"/account/{p}"): PT
        for m in ("GET", "POST")
        for p in ("password", "timezone", "delete")
    },
    ("GET", "/account/export/{kind}"): PT,
    ("POST", "/account/sharing"): PT,
    ("GET", "/api/v1/account/shares"): PT,
    **{(m, "/api/v1/account/shares/{clinic_id}"): PT for m in ("PUT", "DELETE")},
    # the diary
    **{(m, "/api/v1/episodes"): PT for m in ("GET", "POST")},
    **{(m, "/api/v1/episodes/{episode_id}"): PT for m in ("GET", "PUT", "DELETE")},
    ("GET", "/api/v1/patterns"): PT,
    ("GET", "/api/v1/export"): PT,
    **{("GET", p): PT for p in ("/diary", "/diary/month", "/diary/patterns", "/diary/summary")},
    **{(m, "/diary/new"): PT for m in ("GET", "POST")},
    **{(m, f"/diary/{{episode_id}}/{a}"): PT for m in ("GET", "POST") for a in ("edit", "delete")},
    ("GET", "/diary/{episode_id}/check"): PT,
    ("POST", "/diary/save-check"): PT,
    ("GET", "/diary/charts/{name}.svg"): PT,
    # the staff app
    **{(m, "/staff/signin"): P for m in ("GET", "POST")},
    ("POST", "/staff/signout"): P,
    **{(m, "/staff/password"): Access.STAFF for m in ("GET", "POST")},
    ("POST", "/api/staff/session"): P,
    ("DELETE", "/api/staff/session"): Access.STAFF,
    ("GET", "/staff"): Access.HANDLE,
    ("GET", "/staff/requests/{request_id}"): Access.HANDLE,
    ("POST", "/staff/requests/{request_id}/status"): Access.HANDLE,
    ("GET", "/staff/requests/{request_id}/summary.pdf"): Access.CLINICAL,
    ("GET", "/staff/requests/{request_id}/fhir"): Access.CLINICAL,
    ("GET", "/staff/requests/{request_id}/charts/{name}.svg"): Access.CLINICAL,
    ("GET", "/api/staff/requests"): Access.HANDLE,
    ("GET", "/api/staff/requests/{request_id}"): Access.HANDLE,
    ("POST", "/api/staff/requests/{request_id}/status"): Access.HANDLE,
    ("GET", "/api/staff/requests/{request_id}/fhir"): Access.CLINICAL,
    **{(m, "/staff/team"): Access.MANAGE for m in ("GET", "POST")},
    **{
        ("POST", f"/staff/team/{{staff_id}}/{a}"): Access.MANAGE
        for a in ("activate", "deactivate", "invitation", "invitation/revoke")
    },
    # the page an invitation link opens: the link is the key, no session yet
    **{(m, "/staff/invite/{token}"): P for m in ("GET", "POST")},
    ("GET", "/staff/audit"): Access.AUDIT,
    ("GET", "/staff/audit.csv"): Access.AUDIT,
}

BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("PUT", "/api/v1/episodes/{episode_id}"): {
        "started_at": "2026-11-20T04:00:00Z",
        "site": "site_calf",
    },
    ("POST", "/api/staff/requests/{request_id}/status"): {"status": "closed"},
    ("POST", "/staff/requests/{request_id}/status"): {"status": "closed"},
}
"""A new request cannot be closed: allowed staff get a refused move, others a 404."""

OWNED = ("{episode_id}", "{request_id}")
"""Path parameters naming one person's data: another patient (or another clinic) must
get 404 for them, as if they did not exist."""

HOME = "auger-podiatry"
OTHER = "north-foot"
ROLES = ("front_desk", "clinician", "admin")


@dataclass(frozen=True)
class Visitor:
    """One kind of visitor: ``kind`` is anonymous, owner, other_patient or staff."""

    name: str
    kind: str
    role: str | None = None
    clinic: str | None = None


VISITORS = (
    Visitor("anonymous", "anonymous"),
    Visitor("owner", "owner"),
    Visitor("another patient", "other_patient"),
    *(Visitor(f"{role} of the clinic", "staff", role, HOME) for role in ROLES),
    *(Visitor(f"{role} of another clinic", "staff", role, OTHER) for role in ROLES),
)


@dataclass
class World:
    """The ids the paths are filled with, and the people behind the visitors."""

    patient_ids: dict[str, str]
    staff: dict[tuple[str, str], StaffMember]
    episode_id: str
    request_id: str
    victim_staff_id: str


pytestmark = pytest.mark.usefixtures("fast_hashing")


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """Every (method, path) the application answers (HEAD aside)."""
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                for method in getattr(context.original_route, "methods", None) or ():
                    if method != "HEAD":
                        yield method, context.path
        elif getattr(route, "methods", None):
            for method in route.methods:  # type: ignore[attr-defined]
                if method != "HEAD":
                    yield method, route.path  # type: ignore[attr-defined]


def build_world(app: FastAPI) -> World:
    state = app.state.crampcheck
    other = load_clinic().model_dump(mode="json")
    other.update(id=OTHER, name="North Foot Clinic")
    with state.sessions() as session, session.begin():
        register_clinic(session, type(load_clinic()).model_validate(other))
        owner = accounts.sign_up(session, "owner@example.com", PASSWORD)
        another = accounts.sign_up(session, "another@example.com", PASSWORD)
        episode = log_episode(
            session,
            owner.id,
            EpisodeInput(started_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC), site="site_calf"),
            now=datetime(2026, 11, 21, tzinfo=UTC),
        )
        share_diary(session, owner.id, HOME)
        result = state.pipeline.check_text("Calf cramps most nights for a month.")
        stored = create_request(
            session,
            state.clinic,
            RequestInput("Olive Owner", "(801) 555-0100", None, None, None, True),
            result_to_dict(result, state.pipeline.kb),
            "Calf cramps most nights for a month.",
            user_id=owner.id,
        )
        members = {
            (role, clinic): staff.add_staff(
                session,
                clinic_id=clinic,
                email=f"{role}@{clinic}.example",
                name=f"{role} {clinic}",
                role=role,
                password=PASSWORD,
            )
            for role in ROLES
            for clinic in (HOME, OTHER)
        }
        victim = staff.add_staff(
            session,
            clinic_id=HOME,
            email="victim@example.com",
            name="Vic Tim",
            role="front_desk",
            password=PASSWORD,
        )
        session.flush()
        return World(
            {"owner": owner.id, "other_patient": another.id},
            members,
            episode.id,
            stored.id,
            victim.id,
        )


def fresh_token(session: Session, world: World, visitor: Visitor) -> str | None:
    """A new session for the visitor (routes such as sign-out end the old one)."""
    if visitor.kind == "anonymous":
        return None
    if visitor.kind == "staff":
        assert visitor.role and visitor.clinic
        member = session.merge(world.staff[(visitor.role, visitor.clinic)])
        return staff.start_staff_session(session, member).token
    user = session.get(accounts.User, world.patient_ids[visitor.kind])  # type: ignore[attr-defined]
    return accounts.start_session(session, user).token


def concrete(path: str, world: World) -> str:
    values = {
        "episode_id": world.episode_id,
        "request_id": world.request_id,
        "kind": "json",
        "name": "weekly",
        "slug": "causes",
        "language": "es",
        "clinic_id": HOME,
        "staff_id": world.victim_staff_id,
        "token": "A" * 43,
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def denied(response_status: int, location: str | None) -> bool:
    if response_status in (401, 403, 404):
        return True
    return response_status in (302, 303, 307) and "/signin" in (location or "")


def expected_through(access: Access, visitor: Visitor, path: str) -> bool | None:
    """True or False when the matrix fixes the answer; None when either is right."""
    owned = any(marker in path for marker in OWNED)
    if access is Access.PUBLIC:
        return None  # some public routes answer 404 for a bad slug or id; not access
    if access is Access.PATIENT:
        if visitor.kind == "owner":
            return True
        if visitor.kind == "other_patient":
            return not owned
        return False
    if visitor.kind != "staff":
        return False
    if visitor.role not in ROLES_ALLOWED[access]:
        return False
    if visitor.clinic != HOME:
        return not (owned or "{staff_id}" in path)
    return True


def call(
    client: TestClient,
    method: str,
    url: str,
    token: str | None,
    body: dict[str, object] | None = None,
) -> tuple[int, str | None]:
    headers = {}
    if token:
        headers["authorization"] = f"Bearer {token}"
        headers["cookie"] = f"crampcheck_session={token}; crampcheck_staff={token}"
    kwargs: dict[str, object] = {"headers": headers, "follow_redirects": False}
    if method in ("POST", "PUT", "DELETE") and url.startswith("/api/"):
        kwargs["json"] = body or {}
    elif method == "POST":
        form = dict(body or {})
        if token and url.startswith("/staff/"):
            form["csrf_token"] = staff_csrf(client.app.state.crampcheck, token)  # type: ignore[attr-defined]
        kwargs["data"] = form
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    return response.status_code, response.headers.get("location")


def test_every_route_is_classified(app: FastAPI) -> None:
    found = set(routes(app))
    assert found - set(EXPECTED) == set(), "classify these routes in EXPECTED"
    assert set(EXPECTED) - found == set(), "EXPECTED names routes the app no longer has"


def test_exactly_the_allowed_visitors_get_through(client: TestClient, app: FastAPI) -> None:
    world = build_world(app)
    state = app.state.crampcheck
    wrong: list[str] = []
    checked = 0
    order = sorted(EXPECTED.items(), key=lambda item: (item[0][0] == "DELETE", item[0][1]))
    for (method, path), access in order:
        url = concrete(path, world)
        with state.sessions() as session, session.begin():
            tokens = {v.name: fresh_token(session, world, v) for v in VISITORS}
        for visitor in VISITORS:
            expected = expected_through(access, visitor, path)
            if expected is None:
                continue
            body = BODIES.get((method, path))
            status, location = call(client, method, url, tokens[visitor.name], body)
            checked += 1
            if expected == denied(status, location):
                verdict = "got through" if not expected else f"was refused ({status})"
                wrong.append(f"{method} {path}: {visitor.name} {verdict}; {access.value}")
        with state.sessions() as session, session.begin():
            share_diary(session, world.patient_ids["owner"], HOME)  # a revoke is undone
    assert not wrong, "\n".join(wrong)
    guarded = [key for key, access in EXPECTED.items() if access is not Access.PUBLIC]
    assert checked == len(guarded) * len(VISITORS)


def test_another_clinic_sees_none_of_this_clinics_requests(
    client: TestClient, app: FastAPI
) -> None:
    world = build_world(app)
    with app.state.crampcheck.sessions() as session, session.begin():
        tokens = {
            clinic: fresh_token(session, world, Visitor("x", "staff", "admin", clinic))
            for clinic in (HOME, OTHER)
        }
    for clinic, token in tokens.items():
        for url in ("/staff?status=all", "/api/staff/requests?status=all", "/staff/audit"):
            status, _ = call(client, "GET", url, token)
            assert status == 200
            body = client.get(
                url,
                headers={
                    "authorization": f"Bearer {token}",
                    "cookie": f"crampcheck_staff={token}",
                },
            ).text
            seen = world.request_id in body or "Olive Owner" in body
            assert seen == (clinic == HOME and "audit" not in url), (clinic, url)
