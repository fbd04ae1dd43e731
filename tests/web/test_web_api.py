"""The JSON API: shapes, validation, limits, the stateless interview, appointment requests
and the headers every response carries.

Every test runs against an application on an empty database of each backend (the
``client`` fixture in conftest.py): SQLite always, PostgreSQL too when
CRAMPCHECK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.openapi.models import OpenAPI
from pydantic import BaseModel
from sqlalchemy import func, select
from starlette.testclient import TestClient

from crampcheck import cli
from crampcheck.knowledge import KnowledgeBase
from crampcheck.nlp.reader import MAX_TEXT_CHARS
from crampcheck.storage.tables import AppointmentRequest
from crampcheck.web.api.schemas import AssessmentOut, InterviewOut

SELF_CARE_TEXT = "My calf cramped at night for a minute and it went away after I stretched it."
EMERGENCY_TEXT = (
    "Since a long flight my left calf is swollen and throbbing like a cramp, and now I "
    "suddenly have chest pain and I am short of breath."
)
HAND_TEXT = "My hand keeps cramping when I write for a long time, it goes when I stop."
JSON = {"content-type": "application/json"}
LIMIT = 64 * 1024  # max_body_bytes in the test settings

ASSESSMENT_KEYS = {
    "urgency",
    "action",
    "kind",
    "kind_reasons",
    "findings",
    "ignored_mentions",
    "reasons",
    "causes",
    "withheld",
    "advice",
    "open_questions",
    "sources",
    "kb_version",
    "disclaimer",
    "outside_scope",
}


def conforms(model: type[BaseModel], data: dict[str, Any]) -> None:
    """``data`` is exactly what ``model`` declares (the routes return JSON directly)."""
    dumped = model.model_validate(data).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped == data


def stored_requests(app: FastAPI) -> list[AppointmentRequest]:
    with app.state.crampcheck.sessions() as session:
        return list(session.scalars(select(AppointmentRequest)))


def count_requests(app: FastAPI) -> int:
    with app.state.crampcheck.sessions() as session:
        return session.scalar(select(func.count()).select_from(AppointmentRequest)) or 0


def error_locs(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for problem in detail:
        assert problem["msg"] and problem["type"]
    return [tuple(problem["loc"]) for problem in detail]


# ---------------------------------------------------------------- /api/v1/assess


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [(SELF_CARE_TEXT, 45, "female"), (EMERGENCY_TEXT, None, None), (HAND_TEXT, 30, "male")],
)
def test_assess_returns_what_the_command_line_prints(
    client: TestClient,
    capsys: pytest.CaptureFixture[str],
    text: str,
    age: int | None,
    sex: str | None,
) -> None:
    argv = ["assess", "--text", text, "--json"]
    argv += ["--age", str(age)] if age is not None else []
    argv += ["--sex", sex] if sex else []
    assert cli.main(argv) == 0
    expected = json.loads(capsys.readouterr().out)

    body: dict[str, Any] = {"text": text, "age": age, "sex": sex}
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 200
    got = response.json()
    conforms(AssessmentOut, got)
    assert set(got) == set(expected) | {"outside_scope"}
    assert got["urgency"] == expected["urgency"]
    assert got["kind"] == expected["kind"]
    assert got["reasons"] == expected["reasons"]
    assert {k: v for k, v in got.items() if k != "outside_scope"} == expected


def test_assess_outside_the_clinic_scope_says_who_to_see(client: TestClient) -> None:
    data = client.post("/api/v1/assess", json={"text": HAND_TEXT}).json()
    assert data["outside_scope"]["site_ids"] == ["site_hand"]
    assert data["outside_scope"]["clinicians"]
    inside = client.post("/api/v1/assess", json={"text": SELF_CARE_TEXT}).json()
    assert inside["outside_scope"] is None


def test_assess_structured_findings_without_text(client: TestClient) -> None:
    findings = {
        "site_calf": "present",
        "sustained_contraction": "present",
        "at_night": "present",
        "resolved": "present",
        "chest_pain": "absent",
    }
    response = client.post("/api/v1/assess", json={"findings": findings, "age": 45})
    assert response.status_code == 200
    data = response.json()
    conforms(AssessmentOut, data)
    assert set(data) == ASSESSMENT_KEYS
    assert data["urgency"] == "self_care" and data["kind"] == "cramp"
    assert {f["id"]: f["state"] for f in data["findings"]} == findings
    assert all(f["text"] is None and f["start"] is None for f in data["findings"])
    assert data["reasons"] and all(r["source_ids"] for r in data["reasons"])


def test_assess_structured_values_without_text(client: TestClient) -> None:
    body = {"findings": {"temperature_c": "present"}, "values": {"temperature_c": 40.5}}
    data = client.post("/api/v1/assess", json=body).json()
    (finding,) = data["findings"]
    assert finding["id"] == "temperature_c" and finding["value"] == 40.5
    assert data["urgency"] != "self_care"  # a fever of 40.5 °C is never self-care


def test_assess_explicit_answers_win_over_the_text(client: TestClient) -> None:
    body = {"text": SELF_CARE_TEXT, "findings": {"chest_pain": "present"}}
    assert client.post("/api/v1/assess", json=body).json()["urgency"] == "emergency"


def test_assess_with_nothing_recognised_says_so(client: TestClient) -> None:
    data = client.post("/api/v1/assess", json={"text": "hello there"}).json()
    conforms(AssessmentOut, data)
    assert data["notice"]
    assert data["urgency"] != "self_care"
    assert client.post("/api/v1/assess", json={}).status_code == 200


def test_assess_text_at_the_limit_is_accepted(client: TestClient) -> None:
    text = ("My calf cramped. " * (MAX_TEXT_CHARS // 17 + 1))[:MAX_TEXT_CHARS]
    assert client.post("/api/v1/assess", json={"text": text}).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"findings": {"no_such_finding": "present"}}, ("body", "findings")),
        ({"findings": {"chest_pain": "maybe"}}, ("body", "findings", "chest_pain")),
        ({"findings": {"chest_pain": True}}, ("body", "findings", "chest_pain")),
        ({"age": -1}, ("body", "age")),
        ({"age": 200}, ("body", "age")),
        ({"age": 40.5}, ("body", "age")),
        ({"sex": "x"}, ("body", "sex")),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, ("body", "text")),
        ({"text": 12}, ("body", "text")),
        ({"text": "my calf", "colour": "red"}, ("body", "colour")),
        ({"values": {"temperature_c": -1}}, ("body", "values")),
        ({"values": {"temperature_c": 1e6}}, ("body", "values")),
        ({"values": {"chest_pain": 1}}, ("body", "values")),
        ({"values": {"no_such_finding": 1}}, ("body", "values")),
        ({"values": {"temperature_c": "hot"}}, ("body", "values", "temperature_c")),
        ({"findings": ["chest_pain"]}, ("body", "findings")),
        ([{"text": "my calf"}], ("body",)),
    ],
)
def test_assess_invalid_bodies_get_422_with_the_field(
    client: TestClient, body: Any, loc: tuple[Any, ...]
) -> None:
    assert loc in error_locs(client.post("/api/v1/assess", json=body))


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_assess_non_finite_values_get_422_not_500(client: TestClient, number: bytes) -> None:
    # Python's JSON reader accepts these; they must be refused like any other bad value.
    body = b'{"values": {"temperature_c": ' + number + b"}}"
    response = client.post("/api/v1/assess", content=body, headers=JSON)
    assert ("body", "values") in error_locs(response)


def test_several_problems_are_reported_together(client: TestClient) -> None:
    locs = error_locs(client.post("/api/v1/assess", json={"age": -1, "sex": "x", "extra": 1}))
    assert {("body", "age"), ("body", "sex"), ("body", "extra")} <= set(locs)


@pytest.mark.parametrize(
    "body",
    [b'{"text": ', b"{'text': 'single quotes'}", b'{"text": "a"} trailing', b"\xff\xfe{}"],
)
def test_malformed_json_gets_422(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/assess", content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


DEEP = 30_000  # nesting far beyond what Python's JSON reader takes, well under the body limit


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a":' * (DEEP // 5) + b"1" + b"}" * (DEEP // 5),
        b'{"text": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    ],
    ids=["arrays", "objects", "inside-a-field"],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/assess", "/api/v1/auth/signin", "/api/v1/interview", "/api/staff/session"]
)
def test_very_deep_json_gets_422_in_the_validation_shape(
    client: TestClient, path: str, body: bytes
) -> None:
    assert len(body) < LIMIT
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 422  # it was a 400, unlike any other malformed body
    (problem,) = response.json()["detail"]
    assert problem["type"] == "json_invalid" and problem["loc"] == ["body"]
    assert "nested too deeply" in problem["msg"]


def test_a_body_that_is_not_json_gets_422(client: TestClient) -> None:
    response = client.post("/api/v1/assess", content=b"text=my+calf", headers={})
    assert response.status_code == 422
    response = client.post(
        "/api/v1/assess", content=b'{"text": "my calf"}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 422


def test_oversized_body_with_a_declared_length_gets_413(client: TestClient) -> None:
    body = json.dumps({"text": "x" * LIMIT}).encode()
    response = client.post("/api/v1/assess", content=body, headers=JSON)
    assert response.status_code == 413
    assert str(LIMIT) in response.json()["detail"]


def _chunks(total: int, size: int = 4096) -> Iterator[bytes]:
    yield b'{"text": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_oversized_streamed_body_without_a_length_gets_413(client: TestClient) -> None:
    response = client.post("/api/v1/assess", content=_chunks(LIMIT + 1), headers=JSON)
    assert response.status_code == 413


def test_streamed_body_under_the_limit_is_read_whole(client: TestClient) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"text": "My calf cramped at night '
        yield b'and it went away after I stretched it."}'

    response = client.post("/api/v1/assess", content=parts(), headers=JSON)
    assert response.status_code == 200
    assert {f["id"] for f in response.json()["findings"]} >= {"site_calf", "at_night"}


@pytest.mark.parametrize(
    "path", ["/api/v1/assess", "/api/v1/interview", "/api/v1/appointment-requests"]
)
def test_get_on_a_post_route_is_405(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_unknown_path_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/nothing-here").status_code == 404


# ---------------------------------------------------------------- /api/v1/interview


def _check_question(question: dict[str, Any]) -> None:
    assert set(question) == {"id", "text", "why", "select", "options", "unit", "none_of_these"}
    lists = question["select"] in {"many", "one"}
    assert (
        (question["none_of_these"] == "None of these") if lists else not question["none_of_these"]
    )
    assert len(question["options"]) <= 8, "no screen over eight options (issue 14)"
    assert question["text"] and question["why"]
    assert question["select"] in {"many", "one", "boolean", "number"}
    assert question["options"]
    for option in question["options"]:
        assert set(option) == {"id", "label"} and option["label"]
    if question["select"] == "number":
        assert question["unit"]


def _interview(client: TestClient, findings: dict[str, str]) -> tuple[list[str], dict[str, Any]]:
    """Answer every question with none / no / don't know; return the questions and result."""
    asked: list[str] = []
    answered = sum(1 for state in findings.values() if state != "unknown")
    for _ in range(60):
        response = client.post("/api/v1/interview", json={"findings": findings, "age": 50})
        assert response.status_code == 200
        data = response.json()
        conforms(InterviewOut, data)
        assert set(data) == {"done", "answered", "question", "assessment"}
        assert data["answered"] >= answered
        answered = data["answered"]
        if data["done"]:
            assert data["question"] is None
            assert set(data["assessment"]) >= ASSESSMENT_KEYS
            return asked, data["assessment"]
        assert data["assessment"] is None
        question = data["question"]
        _check_question(question)
        assert question["id"] not in asked, "a question was asked twice"
        asked.append(question["id"])
        for option in question["options"]:
            assert option["id"] not in findings, "an answered finding was offered again"
            findings[option["id"]] = "unknown" if question["select"] == "number" else "absent"
    raise AssertionError(f"the interview did not finish: {asked}")


def test_interview_from_empty_to_done(client: TestClient, kb: KnowledgeBase) -> None:
    asked, assessment = _interview(client, {})
    assert asked[0] == "where", "where it is comes first (issue 14)"
    assert {g.id for g in kb.groups if g.screen} <= set(asked), "no red-flag screen skipped"
    assert assessment["urgency"] in {"self_care", "doctor", "urgent"}


def test_interview_dont_know_is_not_asked_again(client: TestClient, kb: KnowledgeBase) -> None:
    screen = next(g for g in kb.groups if g.screen)
    findings = {member: "unknown" for member in screen.members}
    asked, _ = _interview(client, findings)
    assert screen.id not in asked


def test_interview_answer_that_is_an_emergency_ends_as_one(client: TestClient) -> None:
    first = client.post("/api/v1/interview", json={}).json()
    assert first["question"]["id"] == "where"
    findings = {o["id"]: "absent" for o in first["question"]["options"]}
    findings["site_chest"] = "present"
    second = client.post("/api/v1/interview", json={"findings": findings}).json()
    assert second["question"]["id"] == "emergency_heart_stroke"
    findings["chest_pain"] = "present"
    _, assessment = _interview(client, findings)
    assert assessment["urgency"] == "emergency"


def test_interview_refuses_what_assess_refuses(client: TestClient) -> None:
    body = {"findings": {"no_such_finding": "absent"}}
    assert ("body", "findings") in error_locs(client.post("/api/v1/interview", json=body))


# ---------------------------------------------------------------- /api/v1/knowledge, /clinic


def test_knowledge_findings(client: TestClient, kb: KnowledgeBase) -> None:
    data = client.get("/api/v1/knowledge/findings").json()
    assert len(data) == len(kb.findings)
    keys = {"id", "label", "category", "question", "why", "answer", "unit", "codes", "source_ids"}
    for item in data:
        assert set(item) == keys
        assert item["label"] and isinstance(item["source_ids"], list)


def test_knowledge_questions_start_with_where_then_the_emergency_screens(
    client: TestClient, kb: KnowledgeBase
) -> None:
    data = client.get("/api/v1/knowledge/questions").json()
    assert [g["id"] for g in data] == [g.id for g in kb.groups]
    assert data[0]["topic"] == "where"
    assert {g["topic"] for g in data if g["screen"]} == {"emergency_screen"}
    for group in data:
        assert len(group["options"]) <= 8
        assert set(group) == {"id", "text", "why", "select", "screen", "topic", "options"}
        assert group["options"] and all(set(o) == {"id", "label"} for o in group["options"])


def test_knowledge_conditions_advice_and_sources(client: TestClient, kb: KnowledgeBase) -> None:
    sources = client.get("/api/v1/knowledge/sources").json()
    assert {s["id"] for s in sources} == set(kb.sources)
    assert all(s["title"] and s["publisher"] and s["accessed"] for s in sources)
    source_ids = {s["id"] for s in sources}

    conditions = client.get("/api/v1/knowledge/conditions").json()
    assert len(conditions) == len(kb.conditions)
    assert all(c["id"] and c["name"] for c in conditions)

    advice = client.get("/api/v1/knowledge/advice").json()
    assert len(advice) == len(kb.advice)
    for item in advice:
        assert "{emergency_number}" not in item["title"] + item["text"]
        assert set(item["sources"]) <= source_ids
        for caution in item["cautions"]:
            assert set(caution) == {"text", "source_ids"}
    for finding in client.get("/api/v1/knowledge/findings").json():
        assert set(finding["source_ids"]) <= source_ids


def test_clinic(client: TestClient) -> None:
    data = client.get("/api/v1/clinic").json()
    assert data["name"] and data["specialty"] and data["phone"]
    assert data["phone_link"].startswith("tel:")
    assert data["emergency_number"] == "911"
    assert {loc["id"] for loc in data["locations"]} == {"salt-lake-city", "sandy", "west-jordan"}


# ---------------------------------------------------------------- /api/v1/appointment-requests


def _request(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ana Example",
        "phone": "(801) 555-0100",
        "email": "ana@example.org",
        "preferred_location": "sandy",
        "preferred_times": "weekday mornings",
        "consent_to_share": True,
        "check": {"text": SELF_CARE_TEXT, "age": 45, "sex": "female"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def test_appointment_request_is_stored_with_what_the_person_saw(
    client: TestClient, app: FastAPI, kb: KnowledgeBase
) -> None:
    response = client.post("/api/v1/appointment-requests", json=_request())
    assert response.status_code == 201, response.text
    data = response.json()
    assert set(data) == {
        "id",
        "reference",
        "status",
        "urgency",
        "clinic",
        "next_steps",
        "diary_shared",
        "repeated",
    }
    assert data["diary_shared"] is False and data["repeated"] is False
    assert data["reference"] == data["id"][:8].upper()
    assert data["status"] == "new" and data["urgency"] == "self_care"
    assert "911" in data["next_steps"]

    (row,) = stored_requests(app)
    assert row.id == data["id"] and row.clinic_id == "auger-podiatry"
    assert (row.name, row.phone, row.email) == ("Ana Example", "(801) 555-0100", "ana@example.org")
    assert row.preferred_location == "sandy" and row.consent_to_share is True
    assert row.urgency == "self_care" and row.kind == "cramp"
    assert row.kb_version == kb.version
    assert row.created_at is not None

    snapshot = row.snapshot
    assert snapshot["description"] == SELF_CARE_TEXT
    assert snapshot["urgency"] == "self_care" and snapshot["kb_version"] == kb.version
    assert snapshot["reasons"] and all(r["text"] for r in snapshot["reasons"])
    words = {f["id"]: f["text"] for f in snapshot["findings"]}
    assert words["site_calf"] == "calf" and words["at_night"] == "at night"
    for finding in snapshot["findings"]:
        start, end = finding["start"], finding["end"]
        assert SELF_CARE_TEXT[start:end] == finding["text"]


def test_appointment_request_with_email_only_or_phone_only(
    client: TestClient, app: FastAPI
) -> None:
    assert client.post("/api/v1/appointment-requests", json=_request(phone=...)).status_code == 201
    assert client.post("/api/v1/appointment-requests", json=_request(email=...)).status_code == 201
    assert count_requests(app) == 2


def test_appointment_request_for_an_emergency_is_refused(client: TestClient, app: FastAPI) -> None:
    body = _request(check={"text": EMERGENCY_TEXT})
    response = client.post("/api/v1/appointment-requests", json=body)
    assert response.status_code == 409
    assert "emergency" in response.json()["detail"]
    assert count_requests(app) == 0


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"consent_to_share": False}, ("body", "consent_to_share")),
        ({"consent_to_share": ...}, ("body", "consent_to_share")),
        ({"phone": ..., "email": ...}, ("body", "phone")),
        ({"phone": "  ", "email": None}, ("body", "phone")),
        ({"preferred_location": "mars"}, ("body", "preferred_location")),
        ({"name": ""}, ("body", "name")),
        ({"name": "   "}, ("body", "name")),
        ({"email": "not-an-address"}, ("body", "email")),
        ({"phone": "call me"}, ("body", "phone")),
        ({"check": {"text": SELF_CARE_TEXT, "age": 300}}, ("body", "check", "age")),
        ({"check": ...}, ("body", "check")),
        ({"is_admin": True}, ("body", "is_admin")),
    ],
)
def test_invalid_appointment_requests_get_422_and_nothing_is_stored(
    client: TestClient, app: FastAPI, changes: dict[str, Any], loc: tuple[str, ...]
) -> None:
    response = client.post("/api/v1/appointment-requests", json=_request(**changes))
    assert loc in error_locs(response)
    assert count_requests(app) == 0


# ---------------------------------------------------------------- health, headers, OpenAPI


def test_healthz(client: TestClient, kb: KnowledgeBase) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "kb_version": kb.version}


def _assert_security_headers(response: Any, https: bool = False) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    directives = {d.strip().split()[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["default-src"] == "default-src 'self'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert ("strict-transport-security" in headers) is https


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    responses = [
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.get("/api/v1/clinic"),
        client.post("/api/v1/assess", json={"text": SELF_CARE_TEXT}),
        client.post("/api/v1/assess", json={"age": -1}),
        client.post("/api/v1/assess", content=b"{", headers=JSON),
        client.post("/api/v1/assess", content=b"x" * (LIMIT + 1), headers=JSON),
        client.post("/api/v1/assess", content=_chunks(LIMIT + 1), headers=JSON),
        client.get("/api/v1/assess"),
        client.get("/no/such/page"),
        client.post("/api/v1/appointment-requests", json=_request(check={"text": EMERGENCY_TEXT})),
    ]
    statuses = [r.status_code for r in responses]
    assert statuses == [200, 200, 200, 200, 422, 422, 413, 413, 405, 404, 409]
    for response in responses:
        _assert_security_headers(response)


def test_an_unexpected_error_is_a_500_with_the_security_headers(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError("broken on purpose")

    app.add_api_route("/broken-on-purpose", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken-on-purpose")
    assert response.status_code == 500
    assert "broken on purpose" not in response.text
    _assert_security_headers(response)


def test_hsts_only_over_https(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/healthz")
    _assert_security_headers(response, https=True)
    assert "max-age=" in response.headers["strict-transport-security"]


def test_openapi_is_valid_and_every_operation_has_an_id(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    OpenAPI.model_validate(schema)
    assert schema["openapi"].startswith("3.")

    ids = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    assert {
        "assess",
        "interview",
        "clinic",
        "create_appointment_request",
        "health",
        "knowledge_findings",
    } <= set(ids)

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    components = schema["components"]["schemas"]
    for ref in refs(schema):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in components, f"dangling {ref}"


# ---------------------------------------------------------------- the real server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_runs_uvicorn_without_its_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """`crampcheck serve` (and bench/bench_api.py) run uvicorn through serve_app: no
    `server: uvicorn` telling a scanner what to try; the Date header HTTP asks for stays."""
    import gc

    import uvicorn

    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen.update(app=app, **options)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # not this test process's objects
    cli.serve_app("the app", "127.0.0.1", 8123)
    assert seen["app"] == "the app" and (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert seen["server_header"] is False and seen["date_header"] is True


def test_uvicorn_with_the_serve_options_sends_no_server_header(app: FastAPI) -> None:
    """The options do what they say in the uvicorn installed: a real server, in a thread."""
    import threading

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **cli.SERVER_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as http:
            for response in (http.get("/healthz"), http.get("/"), http.get("/no/such/page")):
                assert "server" not in response.headers, response.headers
                assert "date" in response.headers
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.mark.slow
def test_crampcheck_serve_really_serves(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update(CRAMPCHECK_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path))
    command = [str(Path(sys.executable).with_name("crampcheck")), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as http:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, f"serve exited: {server.communicate()[1]}"
                try:
                    health = http.get("/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "serve did not answer within 60 s"
                    time.sleep(0.1)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            response = http.post("/api/v1/assess", json={"text": SELF_CARE_TEXT, "age": 45})
            assert response.status_code == 200
            assert response.json()["urgency"] == "self_care"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "strict-transport-security" not in response.headers
            assert "server" not in response.headers and "date" in response.headers
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status reports it
    assert server.returncode in (0, -signal.SIGTERM), err
    assert f"crampcheck serving on {base}" in err
    assert "Traceback" not in err and "ERROR" not in err
    assert (tmp_path / "data" / "crampcheck.sqlite3").is_file()
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700  # the review's L5
    assert (tmp_path / "data" / "crampcheck.sqlite3").stat().st_mode & 0o777 == 0o600
