"""The staff inbox and request pages, used as a browser would with JavaScript off: the
inbox's order (urgent, then doctor, then self-care; oldest first within a level), its
filters and pages, the urgent marking (badge, row class, banner), what each role sees of
a request (front desk and admin: contact and status; clinicians: the check as the
person saw it and their diary while it is shared), one clinic never reaching another's
requests, the workflow (allowed and refused moves, a reason to decline, who and when),
CSRF, the audit event of every read and change (in the route's own transaction), and
the summary PDF, the FHIR bundle and the diary charts.

Runs on the ``app``/``client`` fixtures of conftest.py, so on SQLite and, when
CRAMPCHECK_TEST_DATABASE_URL is set, on PostgreSQL. Staff and their sessions are made
with the services (``add_staff``, ``start_staff_session``); requests are made with
``create_request`` from real assessments of the app's own pipeline.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from markupsafe import escape
from sqlalchemy import select
from starlette.testclient import TestClient

from crampcheck.clinic import load_clinic
from crampcheck.domain.diary_charts import US_STYLE
from crampcheck.services import accounts, diary, inbox, roles
from crampcheck.services.appointments import RequestInput, create_request
from crampcheck.services.clinics import register_clinic
from crampcheck.services.diary import EpisodeInput
from crampcheck.services.roles import Permission, Role
from crampcheck.services.sharing import revoke_share, share_diary
from crampcheck.services.staff import add_staff, start_staff_session
from crampcheck.storage.tables import AppointmentRequest, AuditEvent, RequestStatusChange
from crampcheck.web.api.schemas import CheckIn
from crampcheck.web.checking import assessment_payload, run_check
from crampcheck.web.pages import staff_inbox
from tests.web.test_web_pages import form_to, submit

PASSWORD = "plum orbit lantern 42"
STAFF_COOKIE = "crampcheck_staff"
OTHER_CLINIC = "other-clinic"
URGENT_TEXT = (
    "My left calf has been swollen, red and warm for two days and the cramp will not go "
    "away after a long flight. No fever."
)
DOCTOR_TEXT = "My hand keeps cramping when I write for a long time, it goes when I stop."
SELF_CARE_TEXT = "I get a calf cramp at night after running; it eases when I stretch"
URGENT_BADGE = "Urgent — contact within 24 hours"
CLINICAL_HEADING = "The check, as the person saw it"
CLINICIANS_ONLY = "is for clinicians"
DENVER = ZoneInfo("America/Denver")
"""The packaged clinic's time zone (Salt Lake City, Sandy and West Jordan, Utah)."""
CLINIC_TIME = "Times are in the clinic's time zone (America/Denver)"


pytestmark = pytest.mark.usefixtures("fast_hashing")


# -------------------------------------------------------- helpers (shared with the API tests)


def add_member(app: FastAPI, role: str, *, clinic_id: str | None = None, name: str = "") -> str:
    """A staff member added with the service, signed in with the service; their token."""
    state = app.state.crampcheck
    clinic = clinic_id or state.clinic.id
    email = f"{role}-{clinic}@clinic.example"
    with state.sessions() as session, session.begin():
        member = add_staff(
            session,
            clinic_id=clinic,
            email=email,
            name=name or f"{role.replace('_', ' ').title()} of {clinic}",
            role=role,
            password=PASSWORD,
        )
        return start_staff_session(session, member).token


def add_other_clinic(app: FastAPI) -> None:
    """A second clinic of the installation (a changed copy of the packaged one)."""
    clinic = load_clinic().model_copy(update={"id": OTHER_CLINIC, "name": "Other Clinic"})
    with app.state.crampcheck.sessions() as session, session.begin():
        register_clinic(session, clinic)


def make_request(
    app: FastAPI,
    text: str = URGENT_TEXT,
    *,
    name: str = "Ana Lima",
    age: timedelta = timedelta(hours=1),
    location: str | None = "sandy",
    user_id: str | None = None,
    clinic_id: str | None = None,
    answers: dict[str, str] | None = None,
    created: datetime | None = None,
) -> str:
    """An appointment request made from a real check of ``text`` (and ``answers``),
    ``age`` ago or at ``created``; its id."""
    state = app.state.crampcheck
    check = CheckIn.model_validate({"text": text, "findings": answers or {}})
    assessment = assessment_payload(state, run_check(state, check))
    clinic = state.clinic
    if clinic_id is not None:
        clinic = clinic.model_copy(update={"id": clinic_id})
    data = RequestInput(
        name=name,
        phone="(801) 555-0100",
        email="ana+clinic@example.com",
        preferred_location=location,
        preferred_times="Weekday mornings",
        consent_to_share=True,
    )
    with state.sessions() as session, session.begin():
        created = created or datetime.now(UTC) - age
        request = create_request(
            session, clinic, data, assessment, text, now=created, user_id=user_id
        )
        return request.id


def make_patient(app: FastAPI, email: str = "patient@example.com", episodes: int = 3) -> str:
    """A patient account with a few diary episodes; its id."""
    with app.state.crampcheck.sessions() as session, session.begin():
        user = accounts.sign_up(session, email, PASSWORD)
        now = datetime.now(UTC)
        for day in range(episodes):
            diary.log_episode(
                session,
                user.id,
                EpisodeInput(
                    started_at=now - timedelta(days=day + 1, hours=3),
                    site="site_calf",
                    pain=6,
                    duration_minutes=4,
                    tried=("stretching",),
                    helped=True,
                ),
            )
        return user.id


def set_sharing(app: FastAPI, user_id: str, shared: bool, clinic_id: str | None = None) -> None:
    state = app.state.crampcheck
    with state.sessions() as session, session.begin():
        if shared:
            share_diary(session, user_id, clinic_id or state.clinic.id)
        else:
            revoke_share(session, user_id, clinic_id or state.clinic.id)


def as_member(client: TestClient, token: str) -> TestClient:
    """The client, holding only this staff session's cookie (sent to /staff only)."""
    client.cookies.clear()
    client.cookies.set(STAFF_COOKIE, token, domain="testserver.local", path="/staff")
    return client


def events(app: FastAPI, action: str | None = None) -> list[AuditEvent]:
    with app.state.crampcheck.sessions() as session:
        query = select(AuditEvent).order_by(AuditEvent.at)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query))


def stored(app: FastAPI, request_id: str) -> AppointmentRequest:
    with app.state.crampcheck.sessions() as session:
        found = session.scalar(
            select(AppointmentRequest).where(AppointmentRequest.id == request_id)
        )
        assert found is not None
        return found


def inbox_names(html: str) -> list[str]:
    """The names in the inbox's rows, in order."""
    return re.findall(r'<th scope="row"[^>]*><a href="/staff/requests/[^"]+">([^<]+)</a>', html)


def change(client: TestClient, request_id: str, **fields: str) -> Any:
    """Submit the request page's status form with these fields."""
    html = client.get(f"/staff/requests/{request_id}").text
    return submit(client, form_to(html, f"/staff/requests/{request_id}/status"), change=fields)


# ---------------------------------------------------------------- guards


def test_without_a_staff_session_the_pages_send_to_sign_in(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app)
    for path, back in (
        ("/staff?status=all", "/staff%3Fstatus%3Dall"),
        (f"/staff/requests/{request_id}", f"/staff/requests/{request_id}"),
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/staff/signin?next={back}"
    posted = client.post(
        f"/staff/requests/{request_id}/status",
        data={"status": "contacted"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"] == "/staff/signin?next=/staff"
    assert stored(app, request_id).status == "new"
    # A patient's session counts for nothing here.
    patient = accounts_token(app)
    client.cookies.set("crampcheck_session", patient)
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert events(app) == []


def accounts_token(app: FastAPI) -> str:
    with app.state.crampcheck.sessions() as session, session.begin():
        user = accounts.sign_up(session, "someone@example.com", PASSWORD)
        return accounts.start_session(session, user).token


def test_a_role_without_the_permission_gets_403(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = make_request(app)
    token = add_member(app, "admin")
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.ADMIN, frozenset({Permission.MANAGE_STAFF}))
    as_member(client, token)
    assert client.get("/staff").status_code == 403
    assert client.get(f"/staff/requests/{request_id}").status_code == 403
    assert events(app) == []


# ---------------------------------------------------------------- the inbox


def test_the_inbox_lists_urgent_then_doctor_then_self_care_oldest_first(
    app: FastAPI, client: TestClient
) -> None:
    make_request(app, SELF_CARE_TEXT, name="Self Care Old", age=timedelta(days=5))
    make_request(app, DOCTOR_TEXT, name="Doctor New", age=timedelta(hours=2))
    make_request(app, URGENT_TEXT, name="Urgent New", age=timedelta(minutes=5))
    make_request(app, DOCTOR_TEXT, name="Doctor Old", age=timedelta(days=2))
    make_request(app, URGENT_TEXT, name="Urgent Old", age=timedelta(hours=30))
    as_member(client, add_member(app, "front_desk"))
    response = client.get("/staff")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert inbox_names(response.text) == [
        "Urgent Old",
        "Urgent New",
        "Doctor Old",
        "Doctor New",
        "Self Care Old",
    ]
    html = response.text
    assert "30 hours" in html and "5 minutes" in html and "2 days" in html
    assert "Sandy" in html and "Cramp" in html


def test_the_inbox_filters_by_status_location_and_urgency(app: FastAPI, client: TestClient) -> None:
    make_request(app, URGENT_TEXT, name="At Sandy", location="sandy")
    make_request(app, DOCTOR_TEXT, name="At West Jordan", location="west-jordan")
    declined = make_request(app, SELF_CARE_TEXT, name="Declined One", location=None)
    as_member(client, add_member(app, "front_desk"))
    assert change(client, declined, status="declined", reason="Not our field").status_code == 303

    assert inbox_names(client.get("/staff").text) == ["At Sandy", "At West Jordan"]
    assert inbox_names(client.get("/staff?status=declined").text) == ["Declined One"]
    assert len(inbox_names(client.get("/staff?status=all").text)) == 3
    assert inbox_names(client.get("/staff?location=west-jordan").text) == ["At West Jordan"]
    assert inbox_names(client.get("/staff?urgency=urgent").text) == ["At Sandy"]
    assert inbox_names(client.get("/staff?status=all&urgency=self_care").text) == ["Declined One"]
    assert inbox_names(client.get("/staff?status=new&location=sandy&urgency=doctor").text) == []
    # The filter form offers the clinic's locations and keeps the choice.
    html = client.get("/staff?location=west-jordan").text
    assert '<option value="west-jordan" selected>West Jordan</option>' in html
    assert '<option value="salt-lake-city">Salt Lake City</option>' in html
    before = len(events(app, "view_inbox"))
    for query in ("status=lost", "location=paris", "urgency=soon"):
        refused = client.get(f"/staff?{query}")
        assert refused.status_code == 422, query
        assert 'class="error-summary"' in refused.text and inbox_names(refused.text) == []
    assert len(events(app, "view_inbox")) == before, "nothing listed, nothing recorded"


def link(html: str, rel: str) -> str | None:
    """The address of the pager's link ``rel`` (first, prev, next, last), if shown."""
    found = re.search(rf'<a href="(/staff\?[^"]+)" rel="{rel}">', html)
    return None if found is None else found.group(1).replace("&amp;", "&")


def test_the_inbox_has_pages(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for n in range(5):
        make_request(app, DOCTOR_TEXT, name=f"Person {n}", age=timedelta(hours=10 - n))
    as_member(client, add_member(app, "front_desk"))
    first = client.get("/staff?urgency=doctor").text
    assert inbox_names(first) == ["Person 0", "Person 1"]
    assert "Showing 1 to 2." in first and "5 requests match." in first
    assert link(first, "prev") is None and link(first, "first") is None
    next_link = link(first, "next")
    assert next_link is not None and next_link.startswith("/staff?status=open&urgency=doctor&")
    second = client.get(next_link).text
    assert inbox_names(second) == ["Person 2", "Person 3"] and "Showing 3 to 4." in second
    assert link(second, "first") == "/staff?status=open&urgency=doctor"
    back = client.get(str(link(second, "prev"))).text
    assert inbox_names(back) == ["Person 0", "Person 1"] and link(back, "prev") is None
    third = client.get(str(link(second, "next"))).text
    assert inbox_names(third) == ["Person 4"] and link(third, "next") is None
    assert "Showing 5 to 5." in third and link(third, "last") is None
    last = client.get(str(link(first, "last"))).text
    assert inbox_names(last) == ["Person 3", "Person 4"] and "Showing 4 to 5." in last
    assert link(last, "next") is None
    assert inbox_names(client.get(str(link(last, "prev"))).text) == ["Person 1", "Person 2"]


def test_inbox_pages_hold_still_when_requests_arrive(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page link names the row it follows, not a count of rows: a request that arrives
    meanwhile (above the page, as a new urgent one is) does not shift the next page."""
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for n in range(4):
        make_request(app, DOCTOR_TEXT, name=f"Person {n}", age=timedelta(hours=10 - n))
    as_member(client, add_member(app, "front_desk"))
    next_link = link(client.get("/staff").text, "next")
    make_request(app, URGENT_TEXT, name="Urgent Newcomer")
    make_request(app, DOCTOR_TEXT, name="Older Newcomer", age=timedelta(hours=20))
    assert inbox_names(client.get(str(next_link)).text) == ["Person 2", "Person 3"]
    assert inbox_names(client.get("/staff").text) == ["Urgent Newcomer", "Older Newcomer"]


def test_a_page_link_whose_neighbours_left_the_filter_still_shows_a_page(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    ids = [
        make_request(app, DOCTOR_TEXT, name=f"Person {n}", age=timedelta(hours=10 - n))
        for n in range(6)
    ]
    as_member(client, add_member(app, "front_desk"))
    second = client.get(str(link(client.get("/staff?status=new").text, "next"))).text
    back, onward = str(link(second, "prev")), str(link(second, "next"))
    for request_id in (ids[0], ids[1], ids[4], ids[5]):
        assert change(client, request_id, status="contacted").status_code == 303
    # Nothing new is left before the second page's first row, nor after its last.
    assert inbox_names(client.get(back).text) == ["Person 2", "Person 3"], "the first page"
    assert inbox_names(client.get(onward).text) == ["Person 2", "Person 3"], "the last page"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # the signature
        lambda c: c.replace(c[3], "x" if c[3] != "x" else "y", 1),  # the position
        lambda c: c.split(".")[0],  # cut short
        lambda c: "not a link at all",
        lambda c: "%%%.@@@",
        lambda c: "x" * 1500,
    ],
)
def test_an_altered_page_link_shows_the_first_page(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch, tamper: Any
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for n in range(3):
        make_request(app, DOCTOR_TEXT, name=f"Person {n}", age=timedelta(hours=10 - n))
    as_member(client, add_member(app, "front_desk"))
    next_link = str(link(client.get("/staff").text, "next"))
    cursor = next_link.split("cursor=")[1]
    answer = client.get("/staff", params={"status": "open", "cursor": tamper(cursor)})
    assert answer.status_code == 200
    assert inbox_names(answer.text) == ["Person 0", "Person 1"]
    assert "Here is the first page instead." in answer.text


def test_a_page_link_of_another_filter_shows_the_first_page(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 1)
    make_request(app, DOCTOR_TEXT, name="Doctor One", age=timedelta(hours=3))
    make_request(app, DOCTOR_TEXT, name="Doctor Two", age=timedelta(hours=2))
    make_request(app, URGENT_TEXT, name="Urgent One")
    as_member(client, add_member(app, "front_desk"))
    cursor = str(link(client.get("/staff?urgency=doctor").text, "next")).split("cursor=")[1]
    other = client.get("/staff", params={"status": "all", "cursor": cursor}).text
    assert inbox_names(other) == ["Urgent One"]
    assert "made for another filter" in other


def test_urgent_requests_cannot_be_missed(app: FastAPI, client: TestClient) -> None:
    urgent = make_request(app, URGENT_TEXT, name="Urgent Person")
    make_request(app, URGENT_TEXT, name="Other Urgent")
    make_request(app, DOCTOR_TEXT, name="Doctor Person")
    as_member(client, add_member(app, "front_desk"))
    html = client.get("/staff").text
    assert "2 new requests must be contacted within 24 hours" in html
    assert html.count(f'<strong class="badge badge-urgent">{URGENT_BADGE}</strong>') == 2
    rows = re.findall(r'<tr class="inbox-row ([^"]+)"[^>]*>\s*<td[^>]*>(.*?)</td>', html, re.S)
    marked = {cells for classes, cells in rows if "row-urgent" in classes}
    assert len(rows) == 3 and len(marked) == 1 and URGENT_BADGE in marked.pop()
    assert 'href="/staff?status=open&amp;urgency=urgent"' in html
    page = client.get(f"/staff/requests/{urgent}").text
    assert URGENT_BADGE in page and "request-urgent" in page
    # Once contacted, an urgent request no longer counts in the banner (it stays listed).
    assert change(client, urgent, status="contacted").status_code == 303
    html = client.get("/staff").text
    assert "1 new request must be contacted within 24 hours" in html
    assert "Urgent Person" in inbox_names(html)


# ---------------------------------------------------------------- what each role sees


def test_front_desk_and_admin_see_contact_and_status_but_no_clinical_detail(
    app: FastAPI, client: TestClient
) -> None:
    user_id = make_patient(app)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    for role in ("front_desk", "admin"):
        as_member(client, add_member(app, role))
        response = client.get(f"/staff/requests/{request_id}")
        assert response.status_code == 200
        html = response.text
        assert "Ana Lima" in html and "Weekday mornings" in html
        assert 'href="tel:8015550100"' in html
        assert 'href="mailto:ana+clinic@example.com"' in html
        assert "Sandy (Utah)" in html
        assert CLINICIANS_ONLY in html
        assert CLINICAL_HEADING not in html and "Their diary" not in html
        assert "two days" not in html, "the person's words are clinical detail"
        assert "summary.pdf" not in html and "/fhir" not in html
        for path in ("summary.pdf", "fhir"):
            assert client.get(f"/staff/requests/{request_id}/{path}").status_code == 403
        assert client.get(f"/staff/requests/{request_id}/charts/weekly.svg").status_code == 403


def test_a_clinician_sees_the_check_exactly_as_the_person_saw_it(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app, URGENT_TEXT)
    snapshot = stored(app, request_id).snapshot
    as_member(client, add_member(app, "clinician"))
    html = client.get(f"/staff/requests/{request_id}").text
    assert CLINICAL_HEADING in html and CLINICIANS_ONLY not in html
    assert "Be seen by a doctor today" in html  # the heading the person saw
    assert escape(snapshot["action"]) in html
    for reason in snapshot["reasons"]:
        assert escape(reason["text"]) in html
    assert "“swollen”" in html and "they wrote" in html  # their own words on a chip
    assert "No fever." in html  # the description as they typed it
    for cause in snapshot["causes"]:
        assert escape(f"Could be: {cause['name']}") in html
    assert f"Knowledge base version {snapshot['kb_version']}." in html
    assert escape(snapshot["disclaimer"]) in html
    assert 'id="source-1"' in html and 'href="#source-1"' in html
    assert "The request was sent without an account" in html
    assert f'href="/staff/requests/{request_id}/summary.pdf"' in html
    assert f'href="/staff/requests/{request_id}/fhir"' in html


def test_a_denied_finding_reads_as_the_person_saw_it(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app, URGENT_TEXT)
    as_member(client, add_member(app, "clinician"))
    html = client.get(f"/staff/requests/{request_id}").text
    assert '<span class="chip-no">No</span> fever <span class="quote">they wrote “No fever”' in html


def test_a_cause_against_which_the_person_said_no_reads_as_they_saw_it(
    app: FastAPI, client: TestClient
) -> None:
    text = "My leg cramps after running, it eases when I stretch"
    request_id = make_request(app, text, answers={"low_fluid": "absent"})
    as_member(client, add_member(app, "clinician"))
    html = client.get(f"/staff/requests/{request_id}").text
    # Its label is negative: a "no" is said in positive words, as on the person's page.
    assert "<strong>Points against it:</strong> drank enough" in html
    assert "They answered No to 1 other question" in html
    assert '<li class="chip chip-absent">drank enough</li>' in html
    assert "not much to drink" not in html


def test_the_diary_shows_only_while_it_is_shared(app: FastAPI, client: TestClient) -> None:
    user_id = make_patient(app, episodes=4)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))
    chart = f"/staff/requests/{request_id}/charts/weekly.svg"

    not_shared = client.get(f"/staff/requests/{request_id}").text
    assert "does not share their diary" in not_shared and "charts/weekly.svg" not in not_shared
    assert client.get(chart).status_code == 404

    set_sharing(app, user_id, True)
    shared = client.get(f"/staff/requests/{request_id}").text
    assert "4 episodes over" in shared
    for name in ("weekly", "hours", "pain"):
        assert f'src="/staff/requests/{request_id}/charts/{name}.svg?kind=cramp"' in shared
        svg = client.get(f"/staff/requests/{request_id}/charts/{name}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert svg.text.startswith("<svg") and "<script" not in svg.text
    assert "Stretching: tried 4 times, followed by relief 4 times." in shared
    assert client.get(f"/staff/requests/{request_id}/charts/other.svg").status_code == 404

    set_sharing(app, user_id, False)
    revoked = client.get(f"/staff/requests/{request_id}").text
    assert "does not share their diary" in revoked and "episodes over" not in revoked
    assert client.get(chart).status_code == 404
    charts_read = events(app, "view_diary_chart")
    assert [e.detail for e in charts_read] == ["weekly", "hours", "pain"]


def test_the_shared_diary_shows_each_kind_apart(app: FastAPI, client: TestClient) -> None:
    """Issue 14: a clinician saw twitching counted with cramps. Each kind now has its
    own counts, trend, rules and charts, as on the person's own patterns page; a kind
    logged for 3 weeks is never "more often than before"."""
    now = datetime.now(UTC)
    with app.state.crampcheck.sessions() as session, session.begin():
        user_id = accounts.sign_up(session, "mixed@example.com", PASSWORD).id
        for day in (2, 9, 16):
            entry = EpisodeInput(started_at=now - timedelta(days=day), site="site_calf", pain=6)
            diary.log_episode(session, user_id, entry)
        for day in range(1, 21):
            entry = EpisodeInput(
                started_at=now - timedelta(days=day, hours=1),
                feel="twitch",
                site="site_eyelid",
                duration_minutes=0.5,
            )
            diary.log_episode(session, user_id, entry)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))
    page = client.get(f"/staff/requests/{request_id}").text
    assert '<h3 id="diary-twitch-heading">Twitching</h3>' in page
    assert '<h3 id="diary-cramp-heading">Cramps</h3>' in page
    assert page.index("diary-twitch-heading") < page.index("diary-cramp-heading")
    assert "20 episodes over 20 days" in page and "3 episodes over 16 days" in page
    assert "23 episodes" not in page
    assert "Median length: 30 seconds (20 episodes with a length)." in page
    assert "Trend: too short a diary to tell a trend: it covers 20 days, 56 are needed." in page
    assert "more often than before" not in page
    # The frequent twitching fires its own rule, said as the twitching's.
    assert "<strong>Twitching:</strong>" in page
    for kind in ("twitch", "cramp"):
        src = f"/staff/requests/{request_id}/charts/weekly.svg?kind={kind}"
        assert f'src="{src}"' in page
        assert client.get(src).status_code == 200
    twitching = client.get(f"/staff/requests/{request_id}/charts/weekly.svg?kind=twitch").text
    assert "20 in all" in twitching
    assert client.get(f"/staff/requests/{request_id}/charts/weekly.svg?kind=x").status_code == 404
    charts_read = [e.detail for e in events(app, "view_diary_chart")]
    assert charts_read == ["weekly (twitch)", "weekly", "weekly (twitch)"]


# ---------------------------------------------------------------- the clinic's time zone


def test_times_are_shown_in_the_clinics_time_zone(app: FastAPI, client: TestClient) -> None:
    created = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
    request_id = make_request(app, name="Zoe Zone", created=created)
    as_member(client, add_member(app, "front_desk"))
    page = client.get(f"/staff/requests/{request_id}").text
    assert "Thu, Jan 15, 2026, 10:30 AM MST" in page and CLINIC_TIME in page
    assert '<time datetime="2026-01-15T17:30:00+00:00">' in page, "machine-readable UTC"
    assert "17:30" not in page.replace("T17:30:00", "") and " UTC" not in page
    inbox_page = client.get("/staff", params={"status": "all"}).text
    assert "Received Thu, Jan 15, 2026, 10:30 AM MST" in inbox_page and CLINIC_TIME in inbox_page
    assert change(client, request_id, status="contacted").status_code == 303
    moved = client.get(f"/staff/requests/{request_id}").text
    shown = re.findall(
        r"[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M (\w+)", moved
    )
    assert len(shown) == 3 and set(shown) <= {"MST", "MDT"}  # received, since, history


def test_the_shared_diarys_hours_are_the_clinics(app: FastAPI, client: TestClient) -> None:
    started = (datetime.now(UTC) - timedelta(days=3)).replace(hour=10, minute=30)
    local_hour = started.astimezone(DENVER).hour  # 03:30 MST, or 04:30 in summer
    with app.state.crampcheck.sessions() as session, session.begin():
        user_id = accounts.sign_up(session, "night@example.com", PASSWORD).id
        diary.log_episode(session, user_id, EpisodeInput(started_at=started, site="site_calf"))
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))
    page = client.get(f"/staff/requests/{request_id}").text
    hour, next_hour = US_STYLE.hour(local_hour), US_STYLE.hour(local_hour + 1)
    busiest = f"most often between {hour} and {next_hour}"
    assert busiest in page and "most often between 10 AM" not in page
    assert f'<th scope="row">{hour}</th><td>1</td>' in page
    assert "the person's own time zone is not known to the clinic" in page
    assert "Hours are in UTC" not in page
    svg = client.get(f"/staff/requests/{request_id}/charts/hours.svg?kind=cramp").text
    assert busiest in svg


# ---------------------------------------------------------------- one clinic, never another's


def test_another_clinics_request_does_not_exist_here(app: FastAPI, client: TestClient) -> None:
    add_other_clinic(app)
    user_id = make_patient(app)
    set_sharing(app, user_id, True)
    ours = make_request(app, name="Our Patient", user_id=user_id)
    theirs = make_request(app, name="Their Patient", clinic_id=OTHER_CLINIC)
    as_member(client, add_member(app, "clinician", clinic_id=OTHER_CLINIC))
    assert inbox_names(client.get("/staff").text) == ["Their Patient"]
    assert "Other Clinic" in client.get("/staff").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff").text)
    assert csrf is not None
    for path in ("", "/summary.pdf", "/fhir"):
        response = client.get(f"/staff/requests/{ours}{path}")
        assert response.status_code == 404, path
        assert "Our Patient" not in response.text
    assert client.get(f"/staff/requests/{ours}/charts/weekly.svg").status_code == 404
    posted = client.post(
        f"/staff/requests/{ours}/status",
        data={"csrf_token": csrf.group(1), "status": "contacted"},
    )
    assert posted.status_code == 404 and stored(app, ours).status == "new"
    assert client.get(f"/staff/requests/{theirs}").status_code == 200
    assert client.get("/staff/requests/" + "x" * 500).status_code == 404
    assert {e.request_id for e in events(app) if e.request_id} == {theirs}


# ---------------------------------------------------------------- the workflow


def test_the_workflow_moves_on_and_records_who_and_when(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app)
    as_member(client, add_member(app, "front_desk", name="Dana Desk"))
    page = client.get(f"/staff/requests/{request_id}").text
    form = form_to(page, f"/staff/requests/{request_id}/status")
    offered = {value for name, value in form.checkboxes if name == "status"}
    assert offered == {"contacted", "booked", "declined"}
    assert "Nobody has moved this request yet." in page

    response = change(client, request_id, status="contacted", reason="Left a voicemail")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/requests/{request_id}?done=status"
    after = client.get(response.headers["location"]).text
    assert "The request is now: Contacted." in after
    assert "Dana Desk" in after and "New to Contacted" in after and "Left a voicemail" in after
    form = form_to(after, f"/staff/requests/{request_id}/status")
    assert {v for n, v in form.checkboxes if n == "status"} == {"booked", "closed", "declined"}
    row = stored(app, request_id)
    assert row.status == "contacted" and row.status_changed_at is not None

    assert change(client, request_id, status="booked").status_code == 303
    assert change(client, request_id, status="closed").status_code == 303
    final = client.get(f"/staff/requests/{request_id}").text
    assert f"/staff/requests/{request_id}/status" not in final
    assert "nothing more can be done with it here" in final
    with app.state.crampcheck.sessions() as session:
        moves = list(session.scalars(select(RequestStatusChange).order_by(RequestStatusChange.at)))
    assert [(m.from_status, m.to_status, m.staff_name) for m in moves] == [
        ("new", "contacted", "Dana Desk"),
        ("contacted", "booked", "Dana Desk"),
        ("booked", "closed", "Dana Desk"),
    ]


def test_refused_moves_are_shown_with_422_and_change_nothing(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app)
    as_member(client, add_member(app, "front_desk"))
    refused = change(client, request_id, status="closed")
    assert refused.status_code == 422
    assert "A request that is new cannot be moved to closed." in refused.text
    assert 'class="error-summary"' in refused.text and 'href="#status"' in refused.text

    no_reason = change(client, request_id, status="declined", reason="   ")
    assert no_reason.status_code == 422
    assert "Please give the reason for declining." in no_reason.text
    assert 'aria-invalid="true" aria-describedby="reason-error reason-hint"' in no_reason.text

    nothing = change(client, request_id, status="")
    assert (
        nothing.status_code == 422 and "Please choose the request&#39;s new status." in nothing.text
    )
    unknown = change(client, request_id, status="lost")
    assert (
        unknown.status_code == 422 and "Please choose one of the statuses offered." in unknown.text
    )
    too_long = change(client, request_id, status="declined", reason="x" * 1001)
    assert too_long.status_code == 422 and "under 1000 characters" in too_long.text
    assert stored(app, request_id).status == "new"
    assert events(app, "change_status") == []

    declined = change(client, request_id, status="declined", reason="Outside our scope")
    assert declined.status_code == 303
    row = stored(app, request_id)
    assert row.status == "declined" and row.decline_reason == "Outside our scope"
    page = client.get(f"/staff/requests/{request_id}").text
    assert "Reason for declining:" in page and "Outside our scope" in page
    again = client.post(
        f"/staff/requests/{request_id}/status",
        data={"csrf_token": csrf_of(page), "status": "booked"},
    )
    assert again.status_code == 422 and stored(app, request_id).status == "declined"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_status_form_needs_its_csrf_token(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app)
    other = add_member(app, "clinician")
    as_member(client, other)
    others_token = csrf_of(client.get(f"/staff/requests/{request_id}").text)
    as_member(client, add_member(app, "front_desk"))
    path = f"/staff/requests/{request_id}/status"
    for data in ({"status": "contacted"}, {"status": "contacted", "csrf_token": others_token}):
        response = client.post(path, data=data)
        assert response.status_code == 400
        assert "We could not use this form" in response.text
    assert stored(app, request_id).status == "new"
    assert events(app, "change_status") == []


# ---------------------------------------------------------------- the audit trail


def test_every_read_and_change_is_audited(app: FastAPI, client: TestClient) -> None:
    user_id = make_patient(app)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))
    client.get("/staff?urgency=urgent")
    client.get(f"/staff/requests/{request_id}")
    change(client, request_id, status="contacted", reason="Called")
    client.get(f"/staff/requests/{request_id}/summary.pdf")
    client.get(f"/staff/requests/{request_id}/fhir")
    client.get(f"/staff/requests/{request_id}/charts/pain.svg")
    found = [(e.action, e.request_id, e.detail) for e in events(app)]
    assert found == [
        ("view_inbox", None, "status=open location=any urgency=urgent from=1"),
        ("view_request", request_id, "contact, status, check and shared diary"),
        ("view_request", request_id, "contact, status, check and shared diary"),
        ("change_status", request_id, "new->contacted: Called"),
        ("view_summary_pdf", request_id, "with the shared diary"),
        ("export_fhir", request_id, "with the shared diary"),
        ("view_diary_chart", request_id, "pain"),
    ]
    for event in events(app):
        assert event.address == "testclient" and event.role == "clinician"
        assert event.staff_email == "clinician-auger-podiatry@clinic.example"
        assert event.patient_ref == (f"request:{request_id}" if event.request_id else None)


def test_a_refused_change_records_the_read_but_no_change(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app)
    as_member(client, add_member(app, "front_desk"))
    page = client.get(f"/staff/requests/{request_id}").text
    before = len(events(app))
    refused = client.post(
        f"/staff/requests/{request_id}/status",
        data={"csrf_token": csrf_of(page), "status": "closed"},
    )
    assert refused.status_code == 422
    new = events(app)[before:]
    assert [e.action for e in new] == ["view_request"], "the page shown again is a read"
    assert new[0].detail is not None and "refused status change" in new[0].detail


def test_the_audit_event_is_written_with_the_change_or_not_at_all(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change and its event share the route's transaction: when anything fails
    after both were added, neither is kept."""
    request_id = make_request(app)
    client = TestClient(app, raise_server_exceptions=False)
    as_member(client, add_member(app, "front_desk"))
    page = client.get(f"/staff/requests/{request_id}").text
    before = len(events(app))
    real_audit = staff_inbox.record_request_event

    def audit_then_fail(*args: Any, **kwargs: Any) -> None:
        real_audit(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(staff_inbox, "record_request_event", audit_then_fail)
    response = client.post(
        f"/staff/requests/{request_id}/status",
        data={"csrf_token": csrf_of(page), "status": "contacted"},
    )
    assert response.status_code == 500
    assert stored(app, request_id).status == "new"
    assert len(events(app)) == before
    with app.state.crampcheck.sessions() as session:
        assert session.scalars(select(RequestStatusChange)).first() is None


# ---------------------------------------------------------------- downloads


def test_the_summary_pdf_and_the_fhir_bundle(app: FastAPI, client: TestClient) -> None:
    user_id = make_patient(app, episodes=2)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))

    pdf = client.get(f"/staff/requests/{request_id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="crampcheck-request-{request_id}.pdf"'
    )
    assert pdf.headers["cache-control"] == "no-store"

    def observations() -> int:
        response = client.get(f"/staff/requests/{request_id}/fhir")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/fhir+json"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="crampcheck-request-{request_id}.fhir.json"'
        )
        bundle = json.loads(response.text)
        Bundle.model_validate(bundle)
        kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
        assert "ServiceRequest" in kinds and "RiskAssessment" in kinds
        return kinds.count("Observation")

    assert observations() == 0, "no diary while it is not shared"
    set_sharing(app, user_id, True)
    assert observations() == 2
    set_sharing(app, user_id, False)
    assert observations() == 0
    details = [e.detail for e in events(app, "export_fhir")]
    assert details == [
        "without a diary (not shared)",
        "with the shared diary",
        "without a diary (not shared)",
    ]


# ---------------------------------------------------------------- what the pages may contain


def test_staff_pages_have_no_inline_script_or_style_and_no_other_hosts(
    app: FastAPI, client: TestClient
) -> None:
    user_id = make_patient(app)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    as_member(client, add_member(app, "clinician"))
    pages = {
        "inbox": client.get("/staff").text,
        "request": client.get(f"/staff/requests/{request_id}").text,
        "refused": change(client, request_id, status="closed").text,
        "filter refused": client.get("/staff?status=lost").text,
    }
    allowed = {s.url for s in app.state.crampcheck.pipeline.kb.sources.values() if s.url}
    for name, html in pages.items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert "<style" not in html and not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name
        assert '<link rel="stylesheet" href="/static/staff_inbox.css">' in html, name
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            if src.startswith(("http://", "https://")):
                assert src.replace("&amp;", "&") in allowed, f"{name}: {src}"
            else:
                assert src.startswith(("/", "#", "tel:", "mailto:", "data:")), f"{name}: {src}"
        for form in re.findall(r'<form method="post"[^>]*>.*?</form>', html, re.S):
            assert 'name="csrf_token"' in form, name
    css = client.get("/static/staff_inbox.css")
    assert css.status_code == 200 and "url(" not in css.text and "@import" not in css.text


# ---------------------------------------------------------------- edges found in review


def test_a_measurement_read_twice_shows_the_largest_as_the_person_saw_it(
    app: FastAPI, client: TestClient
) -> None:
    text = "My calf cramp lasted 15 minutes on Monday night and 2 minutes last night."
    request_id = make_request(app, text)
    as_member(client, add_member(app, "clinician"))
    html = client.get(f"/staff/requests/{request_id}").text
    assert re.search(r"<strong>15 min", html), "the longer episode, as the result page shows"
    assert not re.search(r"<strong>2 min", html)


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "1e3", "-1", "99999999999", "a.b"])
def test_a_page_that_is_not_one_the_site_made_is_refused_not_a_crash(
    app: FastAPI, client: TestClient, page: str
) -> None:
    as_member(client, add_member(app, "admin"))
    inbox_page = client.get("/staff", params={"cursor": page})
    assert inbox_page.status_code == 200 and "Here is the first page instead." in inbox_page.text
    assert client.get("/staff/audit", params={"page": page}).status_code in (200, 422)


def test_a_reason_over_the_limit_is_refused_whole_not_cut(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app, DOCTOR_TEXT)
    as_member(client, add_member(app, "front_desk"))
    long_reason = "word " * 400  # 2,000 characters, 1,999 once its spaces are collapsed
    response = change(client, request_id, status="declined", reason=long_reason)
    assert response.status_code == 422
    assert stored(app, request_id).status == "new"


def test_a_status_change_made_meanwhile_by_someone_else_wins(app: FastAPI) -> None:
    """Two staff act on the same new request at once: the second is refused, not both."""
    from crampcheck.services.inbox import WorkflowError, change_status
    from crampcheck.storage.tables import StaffMember

    request_id = make_request(app, DOCTOR_TEXT)
    add_member(app, "front_desk")
    state = app.state.crampcheck
    with state.sessions() as first, state.sessions() as second:
        member = first.scalars(select(StaffMember)).one()
        seen_first = first.get(AppointmentRequest, (state.clinic.id, request_id))
        seen_second = second.get(AppointmentRequest, (state.clinic.id, request_id))
        assert seen_first is not None and seen_second is not None
        assert seen_first.status == seen_second.status == "new"
        change_status(second, seen_second, second.merge(member), "booked")
        second.commit()
        with pytest.raises(WorkflowError, match="Someone else changed this request"):
            change_status(first, seen_first, member, "declined", reason="No slots")
        first.rollback()
    assert stored(app, request_id).status == "booked"


def test_a_declined_request_can_be_reopened_and_a_contacted_one_closed(
    app: FastAPI, client: TestClient
) -> None:
    declined = make_request(app, URGENT_TEXT, name="Declined By Mistake")
    contacted = make_request(app, DOCTOR_TEXT, name="Needs No Visit")
    as_member(client, add_member(app, "front_desk"))
    assert change(client, declined, status="declined", reason="Wrong clinic").status_code == 303
    assert "Declined By Mistake" not in inbox_names(client.get("/staff").text)
    assert change(client, declined, status="new").status_code == 303
    html = client.get("/staff").text
    assert inbox_names(html)[0] == "Declined By Mistake"  # urgent, back on top
    assert "1 new request must be contacted within 24 hours" in html
    assert change(client, contacted, status="contacted").status_code == 303
    assert change(client, contacted, status="closed").status_code == 303
    assert stored(app, contacted).status == "closed"
    assert [e.detail for e in events(app, "change_status")][-3:] == [
        "declined->new",
        "new->contacted",
        "contacted->closed",
    ]


def test_the_clinician_sees_the_advice_the_person_was_given(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app, SELF_CARE_TEXT)
    snapshot = stored(app, request_id).snapshot
    titles = [item["title"] for item in snapshot["advice"]]
    assert titles and snapshot["sources"], "the advice and its sources are kept as shown"
    as_member(client, add_member(app, "clinician"))
    html = client.get(f"/staff/requests/{request_id}").text
    assert "What they were advised to do" in html
    for title in titles:
        assert title.replace("'", "&#39;") in html, title
    as_member(client, add_member(app, "front_desk"))
    assert "What they were advised to do" not in client.get(f"/staff/requests/{request_id}").text


def test_a_new_urgent_request_comes_before_older_urgent_ones_already_in_hand(
    app: FastAPI, client: TestClient
) -> None:
    in_hand = make_request(app, URGENT_TEXT, name="Called Yesterday", age=timedelta(days=1))
    make_request(app, URGENT_TEXT, name="Just Arrived", age=timedelta(minutes=5))
    make_request(app, DOCTOR_TEXT, name="Doctor Level", age=timedelta(days=2))
    as_member(client, add_member(app, "front_desk"))
    assert change(client, in_hand, status="contacted").status_code == 303
    open_view = inbox_names(client.get("/staff").text)
    assert open_view == ["Just Arrived", "Called Yesterday", "Doctor Level"]
    all_view = inbox_names(client.get("/staff", params={"status": "all"}).text)
    assert all_view == ["Called Yesterday", "Just Arrived", "Doctor Level"]  # by age
