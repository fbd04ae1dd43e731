"""The staff JSON API: signing in and out (one answer for every wrong credential, a
throttle), the inbox as JSON (order, filters, 422 for unknown values), a request as
each role may see it (the check and the shared diary for clinicians only), one clinic
never reaching another's requests, the workflow, the FHIR export, the audit event of
every read and change, and the OpenAPI document's promises (401/403/404/422).

Runs on the ``app``/``client`` fixtures of conftest.py, so on SQLite and, when
CRAMPCHECK_TEST_DATABASE_URL is set, on PostgreSQL. Staff and sessions are made with
the services, as in ``tests/test_staff_inbox.py`` (whose helpers are shared).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from starlette.testclient import TestClient

from crampcheck.domain.birth import age_on
from crampcheck.services import accounts, inbox, throttle
from crampcheck.storage.tables import AppointmentRequest
from crampcheck.web.api.staff import InboxPageOut, RequestOut, StaffSessionOut
from tests.web.test_staff_inbox import (
    DOCTOR_TEXT,
    OTHER_CLINIC,
    PASSWORD,
    SELF_CARE_TEXT,
    URGENT_TEXT,
    accounts_token,
    add_member,
    add_other_clinic,
    events,
    make_patient,
    make_request,
    set_sharing,
    stored,
)

SIGN_IN_FAILED = "The email address or password is not right."


pytestmark = pytest.mark.usefixtures("fast_hashing")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def conforms(model: Any, data: dict[str, Any]) -> None:
    """The response is what the documented model declares."""
    model.model_validate(data)


# ---------------------------------------------------------------- sign in and out


def test_staff_sign_in_and_out(app: FastAPI, client: TestClient) -> None:
    add_member(app, "front_desk")
    email = "front_desk-auger-podiatry@clinic.example"
    response = client.post("/api/staff/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    conforms(StaffSessionOut, body)
    assert body["token_type"] == "bearer" and body["staff"]["role"] == "front_desk"
    assert body["staff"]["clinic_id"] == "auger-podiatry" and "set-cookie" not in response.headers
    token = body["token"]
    assert client.get("/api/staff/requests", headers=bearer(token)).status_code == 200

    assert client.delete("/api/staff/session", headers=bearer(token)).status_code == 204
    assert client.get("/api/staff/requests", headers=bearer(token)).status_code == 401
    assert client.delete("/api/staff/session", headers=bearer(token)).status_code == 401
    assert [e.action for e in events(app) if e.action in ("sign_in", "sign_out")] == [
        "sign_in",
        "sign_out",
    ]


def test_wrong_credentials_get_one_answer_then_a_throttle(app: FastAPI, client: TestClient) -> None:
    add_member(app, "clinician")
    email = "clinician-auger-podiatry@clinic.example"
    for body in (
        {"email": email, "password": "not the password"},
        {"email": "nobody@clinic.example", "password": PASSWORD},
        {"email": "not an address", "password": PASSWORD},
    ):
        response = client.post("/api/staff/session", json=body)
        assert response.status_code == 401, response.text
        assert response.json() == {"detail": SIGN_IN_FAILED}
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        client.post("/api/staff/session", json={"email": email, "password": "wrong again"})
    throttled = client.post("/api/staff/session", json={"email": email, "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "900"
    # A patient's account is not a staff account, and the body must be as documented.
    with app.state.crampcheck.sessions() as session, session.begin():
        accounts.sign_up(session, "patient@example.com", PASSWORD)
    patient = {"email": "patient@example.com", "password": PASSWORD}
    assert client.post("/api/staff/session", json=patient).status_code == 401
    extra = client.post("/api/staff/session", json={**patient, "role": "admin"})
    assert extra.status_code == 422


def test_only_a_staff_bearer_token_counts(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app)
    patient = accounts_token(app)
    for path in ("/api/staff/requests", f"/api/staff/requests/{request_id}"):
        assert client.get(path).status_code == 401
        response = client.get(path, headers=bearer(patient))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    # The staff pages' cookie is no bearer token.
    token = add_member(app, "clinician")
    client.cookies.set("crampcheck_staff", token, domain="testserver.local", path="/")
    assert client.get("/api/staff/requests").status_code == 401
    assert events(app) == []


# ---------------------------------------------------------------- the inbox


def test_the_inbox_json_is_ordered_and_filtered(app: FastAPI, client: TestClient) -> None:
    make_request(app, SELF_CARE_TEXT, name="Self Care", age=timedelta(days=3))
    make_request(app, DOCTOR_TEXT, name="Doctor New", age=timedelta(hours=1), location=None)
    make_request(app, DOCTOR_TEXT, name="Doctor Old", age=timedelta(days=1))
    make_request(app, URGENT_TEXT, name="Urgent", age=timedelta(minutes=10))
    token = add_member(app, "front_desk")

    response = client.get("/api/staff/requests", headers=bearer(token))
    assert response.status_code == 200
    page = response.json()
    conforms(InboxPageOut, page)
    assert [i["name"] for i in page["items"]] == ["Urgent", "Doctor Old", "Doctor New", "Self Care"]
    assert page["total"] == 4 and page["open_urgent"] == 1 and page["counts"] == {"new": 4}
    first = page["items"][0]
    assert first["urgent"] is True and first["urgency"] == "urgent"
    assert first["preferred_location"] == "sandy" and first["preferred_location_name"] == "Sandy"
    assert 9 <= first["waiting_minutes"] <= 11
    assert "phone" not in first, "the list holds no contact details"

    def names(query: str) -> list[str]:
        found = client.get(f"/api/staff/requests?{query}", headers=bearer(token))
        assert found.status_code == 200, found.text
        return [i["name"] for i in found.json()["items"]]

    assert names("urgency=doctor") == ["Doctor Old", "Doctor New"]
    assert names("location=sandy&urgency=doctor") == ["Doctor Old"]
    assert names("status=declined") == []
    assert names("status=all&urgency=self_care") == ["Self Care"]
    for query, field in (
        ("status=lost", "status"),
        ("urgency=soon", "urgency"),
        ("location=paris", "location"),
        ("cursor=not-a-link", "cursor"),
    ):
        refused = client.get(f"/api/staff/requests?{query}", headers=bearer(token))
        assert refused.status_code == 422, query
        assert refused.json()["detail"][0]["loc"] == ["query", field]
    details = [e.detail for e in events(app, "view_inbox")]
    assert details[0] == "status=open location=any urgency=any from=1 (API)"
    assert len(details) == 5, "a refused filter reads nothing and records nothing"


def test_the_inbox_json_pages_by_signed_links(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    for n in range(5):
        make_request(app, DOCTOR_TEXT, name=f"Person {n}", age=timedelta(hours=10 - n))
    token = add_member(app, "front_desk")

    def get(cursor: str | None = None, query: str = "") -> dict[str, Any]:
        params = {"cursor": cursor} if cursor else {}
        found = client.get(f"/api/staff/requests?{query}", params=params, headers=bearer(token))
        assert found.status_code == 200, found.text
        conforms(InboxPageOut, found.json())
        return dict(found.json())

    pages = [get()]
    while pages[-1]["next_cursor"]:
        pages.append(get(pages[-1]["next_cursor"]))
    assert [[i["name"] for i in p["items"]] for p in pages] == [
        ["Person 0", "Person 1"],
        ["Person 2", "Person 3"],
        ["Person 4"],
    ]
    assert [p["start"] for p in pages] == [1, 3, 5] and pages[0]["previous_cursor"] is None
    last = get(pages[0]["last_cursor"])
    assert [i["name"] for i in last["items"]] == ["Person 3", "Person 4"] and last["start"] == 4
    assert last["next_cursor"] is None and last["last_cursor"] is None
    before = get(last["previous_cursor"])
    assert [i["name"] for i in before["items"]] == ["Person 1", "Person 2"]
    # Made for another filter: refused, not misread.
    refused = client.get(
        "/api/staff/requests",
        params={"status": "all", "cursor": pages[0]["next_cursor"]},
        headers=bearer(token),
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "cursor"]
    assert "another filter" in refused.json()["detail"][0]["msg"]


# ---------------------------------------------------------------- one request


def test_front_desk_and_admin_get_no_clinical_detail(app: FastAPI, client: TestClient) -> None:
    user_id = make_patient(app)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    for role in ("front_desk", "admin"):
        token = add_member(app, role)
        response = client.get(f"/api/staff/requests/{request_id}", headers=bearer(token))
        assert response.status_code == 200, response.text
        body = response.json()
        conforms(RequestOut, body)
        assert body["name"] == "Ana Lima" and body["phone"] == "(801) 555-0100"
        assert body["email"] == "ana+clinic@example.com" and body["preferred_times"]
        assert body["next_statuses"] == ["contacted", "booked", "declined"]
        assert body["clinical"] is False
        assert body["snapshot"] is None and body["diary"] is None and body["diary_shared"] is None
        fhir = client.get(f"/api/staff/requests/{request_id}/fhir", headers=bearer(token))
        assert fhir.status_code == 403 and fhir.json() == {
            "detail": "Your role does not allow this."
        }
    assert [e.detail for e in events(app, "view_request")] == ["contact and status (API)"] * 2
    assert events(app, "export_fhir") == []


def test_a_clinician_gets_the_check_and_the_diary_while_shared(
    app: FastAPI, client: TestClient
) -> None:
    user_id = make_patient(app, episodes=3)
    request_id = make_request(app, user_id=user_id)
    token = add_member(app, "clinician")
    path = f"/api/staff/requests/{request_id}"

    body = client.get(path, headers=bearer(token)).json()
    conforms(RequestOut, body)
    snapshot = stored(app, request_id).snapshot
    assert body["clinical"] is True and body["snapshot"]["description"] == URGENT_TEXT
    for key in ("urgency", "action", "kind", "kb_version", "disclaimer", "reasons", "causes"):
        assert body["snapshot"][key] == snapshot[key], key
    assert [f["text"] for f in body["snapshot"]["findings"]] == [
        f["text"] for f in snapshot["findings"]
    ]
    assert body["diary_shared"] is False and body["diary"] is None

    set_sharing(app, user_id, True)
    shared = client.get(path, headers=bearer(token)).json()
    assert shared["diary_shared"] is True and shared["diary"]["total"] == 3

    set_sharing(app, user_id, False)
    revoked = client.get(path, headers=bearer(token)).json()
    assert revoked["diary_shared"] is False and revoked["diary"] is None
    assert [e.detail for e in events(app, "view_request")] == [
        "contact, status and check (API)",
        "contact, status, check and shared diary (API)",
        "contact, status and check (API)",
    ]


def test_the_api_keeps_utc_timestamps_whatever_the_clinics_zone(
    app: FastAPI, client: TestClient
) -> None:
    """The pages show the clinic's time (America/Denver); the JSON stays machine-readable
    UTC."""
    created = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
    request_id = make_request(app, created=created)
    token = add_member(app, "front_desk")
    body = client.get(f"/api/staff/requests/{request_id}", headers=bearer(token)).json()
    (item,) = client.get("/api/staff/requests", headers=bearer(token)).json()["items"]
    for shown in (body["created_at"], item["created_at"]):
        assert shown in ("2026-01-15T17:30:00Z", "2026-01-15T17:30:00+00:00"), shown
        assert datetime.fromisoformat(shown) == created


def test_another_clinics_request_is_a_404(app: FastAPI, client: TestClient) -> None:
    add_other_clinic(app)
    ours = make_request(app, name="Our Patient")
    theirs = make_request(app, name="Their Patient", clinic_id=OTHER_CLINIC)
    token = add_member(app, "clinician", clinic_id=OTHER_CLINIC)
    listed = client.get("/api/staff/requests?status=all", headers=bearer(token)).json()
    assert [i["name"] for i in listed["items"]] == ["Their Patient"]
    for response in (
        client.get(f"/api/staff/requests/{ours}", headers=bearer(token)),
        client.get(f"/api/staff/requests/{ours}/fhir", headers=bearer(token)),
        client.post(
            f"/api/staff/requests/{ours}/status",
            json={"status": "contacted"},
            headers=bearer(token),
        ),
    ):
        assert response.status_code == 404 and response.json() == {"detail": "No such request."}
    assert stored(app, ours).status == "new"
    assert client.get(f"/api/staff/requests/{theirs}", headers=bearer(token)).status_code == 200
    assert {e.request_id for e in events(app) if e.request_id} == {theirs}


# ---------------------------------------------------------------- the workflow


def test_the_workflow_through_the_api(app: FastAPI, client: TestClient) -> None:
    request_id = make_request(app)
    token = add_member(app, "front_desk", name="Dana Desk")
    path = f"/api/staff/requests/{request_id}/status"

    moved = client.post(
        path, json={"status": "contacted", "reason": "Voicemail"}, headers=bearer(token)
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    conforms(RequestOut, body)
    assert body["status"] == "contacted" and body["next_statuses"] == [
        "booked",
        "closed",
        "declined",
    ]
    (step,) = body["history"]
    assert step["staff_name"] == "Dana Desk" and step["reason"] == "Voicemail"
    assert (step["from_status"], step["to_status"]) == ("new", "contacted")
    assert step["at"] == body["status_changed_at"]

    def refused(json_body: dict[str, Any], field: str) -> None:
        response = client.post(path, json=json_body, headers=bearer(token))
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["body", field]

    refused({"status": "new"}, "status")
    refused({"status": "contacted"}, "status")
    refused({"status": "lost"}, "status")
    refused({"status": "declined"}, "reason")
    refused({"status": "declined", "reason": "  "}, "reason")
    refused({"status": "declined", "reason": "x" * 1001}, "reason")
    assert stored(app, request_id).status == "contacted"
    assert len(events(app, "change_status")) == 1, "a refused change leaves no event"

    declined = client.post(
        path, json={"status": "declined", "reason": "Not our field"}, headers=bearer(token)
    ).json()
    assert declined["status"] == "declined" and declined["decline_reason"] == "Not our field"
    assert declined["next_statuses"] == ["new"]  # reopened if declined by mistake
    assert [e.detail for e in events(app, "change_status")] == [
        "new->contacted: Voicemail; contact and status (API)",
        "contacted->declined: Not our field; contact and status (API)",
    ]


# ---------------------------------------------------------------- FHIR


def test_the_fhir_export_for_clinicians(app: FastAPI, client: TestClient) -> None:
    user_id = make_patient(app, episodes=2)
    set_sharing(app, user_id, True)
    request_id = make_request(app, user_id=user_id)
    token = add_member(app, "clinician")
    response = client.get(f"/api/staff/requests/{request_id}/fhir", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="crampcheck-request-{request_id}.fhir.json"'
    )
    bundle = json.loads(response.text)
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Observation") == 2
    (event,) = events(app, "export_fhir")
    assert event.request_id == request_id and event.address == "testclient"
    assert event.detail == "with the shared diary (API)"


# ---------------------------------------------------------------- the document


def test_the_document_states_every_answer(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        ("/api/staff/session", "post"): {"200", "401", "422", "429"},
        ("/api/staff/session", "delete"): {"204", "401"},
        ("/api/staff/requests", "get"): {"200", "401", "403", "422"},
        ("/api/staff/requests/{request_id}", "get"): {"200", "401", "403", "404", "422"},
        ("/api/staff/requests/{request_id}/status", "post"): {"200", "401", "403", "404", "422"},
        ("/api/staff/requests/{request_id}/fhir", "get"): {"200", "401", "403", "404", "422"},
    }
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        assert set(operation["responses"]) == codes, (path, method)
        assert operation["tags"] == ["staff"] and operation["description"]
    fhir = paths["/api/staff/requests/{request_id}/fhir"]["get"]["responses"]["200"]
    assert list(fhir["content"]) == ["application/fhir+json"]


# ---------------------------------------------------------------- who asked


def _give_birth_and_reason(app: FastAPI, request_id: str, born: date, reason: str) -> None:
    """The date of birth and reason the form would have stored with the request."""
    with app.state.crampcheck.sessions() as session, session.begin():
        found = session.get(AppointmentRequest, (app.state.crampcheck.clinic.id, request_id))
        assert found is not None
        found.date_of_birth, found.reason = born, reason


def test_age_date_of_birth_reason_and_duplicates_as_the_pages_show_them(
    app: FastAPI, client: TestClient
) -> None:
    """Every role gets the date of birth, the age and the likely-duplicate flag (as the
    inbox shows them); only a clinician gets the reason written on the form."""
    first = make_request(app, age=timedelta(days=2))
    second = make_request(app, DOCTOR_TEXT, name="Ana  LIMA")
    alone = make_request(app, SELF_CARE_TEXT, name="Bea Other", age=timedelta(days=40))
    _give_birth_and_reason(app, first, date(1958, 4, 23), "Cramps wake me every night.")
    today = datetime.now(ZoneInfo(app.state.crampcheck.clinic.time_zone)).date()
    years = age_on(date(1958, 4, 23), today)

    clinician, front_desk = add_member(app, "clinician"), add_member(app, "front_desk")
    inbox = client.get("/api/staff/requests?status=all", headers=bearer(front_desk)).json()
    conforms(InboxPageOut, inbox)
    rows = {item["id"]: item for item in inbox["items"]}
    assert rows[first]["age"] == years and rows[first]["age_source"] == "date_of_birth"
    assert rows[first]["likely_duplicate"] and rows[second]["likely_duplicate"]
    assert not rows[alone]["likely_duplicate"]

    seen = client.get(f"/api/staff/requests/{first}", headers=bearer(front_desk)).json()
    conforms(RequestOut, seen)
    assert seen["date_of_birth"] == "1958-04-23" and seen["age"] == years
    assert seen["reason"] is None and seen["clinical"] is False
    assert seen["likely_duplicate"] is True
    assert [(d["id"], d["why"]) for d in seen["duplicates"]] == [(second, "same email address")]

    full = client.get(f"/api/staff/requests/{first}", headers=bearer(clinician)).json()
    conforms(RequestOut, full)
    assert full["reason"] == "Cramps wake me every night."
    other = client.get(f"/api/staff/requests/{alone}", headers=bearer(clinician)).json()
    assert other["date_of_birth"] is None and other["reason"] is None
    assert other["likely_duplicate"] is False and other["duplicates"] == []
