"""The diary's JSON API: episodes (create, list with filters and paging, read, replace,
delete), patterns, exports and the account routes in the OpenAPI document; 401 without
a session, and 404 - never another person's data - for someone else's episode.

Runs on the ``app``/``client`` fixtures of conftest.py (a fresh database of each backend).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from starlette.testclient import TestClient

from crampcheck.services import diary
from crampcheck.web.api import schemas
from crampcheck.web.api.pattern_schemas import PatternsOut
from crampcheck.web.api.schemas import EpisodeOut, EpisodePageOut, ExportOut
from tests.services.test_accounts import api_sign_up, bearer, page_sign_up
from tests.services.test_diary import episodes, log, snapshot, unhelped_home_care, user_id
from tests.web.test_web_api import conforms

EPISODE = {
    "started_at": "2025-01-20T06:30:00Z",
    "feel": "cramp",
    "site": "site_calf",
    "side": "right",
    "duration_minutes": 3.5,
    "pain": 6,
    "activity": "sleeping",
    "context": ["low_fluid"],
    "tried": ["stretching"],
    "helped": True,
    "notes": "woke me up",
}
MISSING = "00000000-0000-0000-0000-000000000000"


pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def token(client: TestClient) -> str:
    """A bearer token; the client keeps no cookie, so only the token signs it in."""
    value = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    return value


def create(client: TestClient, token: str, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/episodes", json={**EPISODE, **changes}, headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_service_and_the_api_allow_the_same_choices() -> None:
    assert get_args(schemas.Feel) == diary.FEELS
    assert get_args(schemas.Site) == diary.ONE_OF["site"]
    assert get_args(schemas.Side) == diary.ONE_OF["side"]
    assert get_args(schemas.Activity) == diary.ONE_OF["activity"]
    assert get_args(schemas.Context) == diary.SOME_OF["context"]
    assert get_args(schemas.Treatment) == diary.SOME_OF["tried"]


def test_episode_create_read_replace_delete(client: TestClient, app: FastAPI, token: str) -> None:
    created = create(client, token)
    conforms(EpisodeOut, created)
    assert created["started_at"] == "2025-01-20T06:30:00Z"
    assert created["at_night"] is True, "sleeping means at night"
    assert created["check"] is None
    episode_id = created["id"]
    got = client.get(f"/api/v1/episodes/{episode_id}", headers=bearer(token))
    assert got.status_code == 200 and got.json() == created

    changed = {**EPISODE, "pain": 2, "tried": [], "helped": True, "notes": None}
    response = client.put(f"/api/v1/episodes/{episode_id}", json=changed, headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    conforms(EpisodeOut, body)
    assert (body["pain"], body["tried"], body["helped"], body["notes"]) == (2, [], None, None)
    assert body["created_at"] == created["created_at"]

    response = client.delete(f"/api/v1/episodes/{episode_id}", headers=bearer(token))
    assert response.status_code == 204 and response.content == b""
    response = client.get(f"/api/v1/episodes/{episode_id}", headers=bearer(token))
    assert response.status_code == 404 and response.json() == {"detail": "No such episode."}
    assert episodes(app) == []


def test_a_replaced_episode_keeps_its_saved_check(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    episode_id = log(app, owner, check={"urgency": "doctor"})
    response = client.put(f"/api/v1/episodes/{episode_id}", json=EPISODE)
    assert response.status_code == 200, "the session cookie works for the API too"
    assert response.json()["check"] == {"urgency": "doctor"}


def test_listing_filters_and_pages(client: TestClient, token: str) -> None:
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    for day in range(7):
        create(
            client,
            token,
            started_at=(start + timedelta(days=day)).isoformat(),
            site="site_foot" if day % 2 else "site_calf",
        )
    everything = client.get("/api/v1/episodes", headers=bearer(token)).json()
    conforms(EpisodePageOut, everything)
    times = [e["started_at"] for e in everything["items"]]
    assert len(times) == 7 and times == sorted(times, reverse=True)
    assert everything["next_offset"] is None

    page = client.get("/api/v1/episodes?limit=3&offset=3", headers=bearer(token)).json()
    assert [e["started_at"] for e in page["items"]] == times[3:6]
    assert page["next_offset"] == 6 and page["limit"] == 3 and page["offset"] == 3
    feet = client.get("/api/v1/episodes", params={"site": "site_foot"}, headers=bearer(token))
    assert {e["site"] for e in feet.json()["items"]} == {"site_foot"}
    assert len(feet.json()["items"]) == 3
    window = client.get(
        "/api/v1/episodes",
        params={"since": "2025-01-03T00:00:00+01:00", "until": "2025-01-05T08:00:00Z"},
        headers=bearer(token),
    ).json()
    assert [e["started_at"][:10] for e in window["items"]] == ["2025-01-04", "2025-01-03"]
    for query in ("limit=0", "limit=501", "offset=-1", "site=site_moon", "since=yesterday"):
        response = client.get(f"/api/v1/episodes?{query}", headers=bearer(token))
        assert response.status_code == 422, query


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"duration_minutes": 2000}, "duration_minutes"),
        ({"site": "site_moon"}, "site"),
        ({"feel": "itch"}, "feel"),
        ({"context": ["full_moon"]}, "context"),
        ({"tried": ["prayer"]}, "tried"),
        ({"notes": "x" * 2001}, "notes"),
        ({"started_at": "not a time"}, "started_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_episodes_get_422_with_the_field(
    client: TestClient, app: FastAPI, token: str, change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/episodes", json={**EPISODE, **change}, headers=bearer(token))
    assert response.status_code == 422
    assert ["body", field] in [p["loc"][:2] for p in response.json()["detail"]]
    assert episodes(app) == []


def test_a_future_time_and_a_non_finite_duration_are_refused(
    client: TestClient, token: str
) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = client.post(
        "/api/v1/episodes", json={**EPISODE, "started_at": future}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "started_at"]
    body = b'{"started_at": "2025-01-01T00:00:00Z", "duration_minutes": NaN}'
    response = client.post(
        "/api/v1/episodes",
        content=body,
        headers={**bearer(token), "content-type": "application/json"},
    )
    assert response.status_code == 422


ROUTES = [
    ("GET", "/api/v1/episodes"),
    ("POST", "/api/v1/episodes"),
    ("GET", f"/api/v1/episodes/{MISSING}"),
    ("PUT", f"/api/v1/episodes/{MISSING}"),
    ("DELETE", f"/api/v1/episodes/{MISSING}"),
    ("GET", "/api/v1/patterns"),
    ("GET", "/api/v1/export"),
    ("DELETE", "/api/v1/account"),
    ("POST", "/api/v1/auth/signout"),
    ("POST", "/api/v1/auth/password"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("credentials", ["none", "unknown token", "malformed"])
def test_every_diary_route_needs_a_session(
    client: TestClient, method: str, path: str, credentials: str
) -> None:
    headers = {
        "none": {},
        "unknown token": bearer("A" * 43),
        "malformed": {"authorization": "Bearer"},
    }[credentials]
    bodies = {
        "/api/v1/account": {"password": "whatever it is"},
        "/api/v1/auth/password": {"current_password": "a", "new_password": "b"},
    }
    body = EPISODE if method in ("POST", "PUT") and "episodes" in path else bodies.get(path)
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json() == {"detail": "Not signed in."}


def test_another_account_gets_404_and_changes_nothing(
    client: TestClient, app: FastAPI, token: str
) -> None:
    mine = create(client, token)
    (before,) = [snapshot(e) for e in episodes(app)]
    other = api_sign_up(client, "ben@example.com")
    client.cookies.clear()
    missing = client.get(f"/api/v1/episodes/{MISSING}", headers=bearer(other))
    for method, body in (("GET", None), ("PUT", {**EPISODE, "pain": 10}), ("DELETE", None)):
        response = client.request(
            method, f"/api/v1/episodes/{mine['id']}", json=body, headers=bearer(other)
        )
        assert response.status_code == 404, method
        assert response.json() == missing.json(), "exactly like an episode that does not exist"
    listing = client.get("/api/v1/episodes", headers=bearer(other)).json()
    assert listing["items"] == []
    assert client.get("/api/v1/patterns", headers=bearer(other)).json()["total"] == 0
    export = client.get("/api/v1/export", headers=bearer(other)).json()
    assert export["episodes"] == [] and mine["id"] not in str(export)
    for kind in ("csv", "fhir"):
        text = client.get(f"/api/v1/export?format={kind}", headers=bearer(other)).text
        assert mine["id"] not in text
    assert [snapshot(e) for e in episodes(app)] == [before]
    assert client.get(f"/api/v1/episodes/{mine['id']}", headers=bearer(token)).status_code == 200


def test_patterns_through_the_api(client: TestClient, app: FastAPI) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    owner = user_id(app, "ana@example.com")
    unhelped_home_care(app, owner, days=20, count=6)
    response = client.get("/api/v1/patterns", params={"tz": "Europe/London"}, headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    conforms(PatternsOut, body)
    assert body["total"] == 6 and len(body["weekly_counts"]) == 12 and len(body["hours"]) == 24
    assert {"treatment": "stretching", "tried": 6, "followed_by_relief": 0} in body["home_care"]
    rules = {e["rule_id"]: e for e in body["escalations"]}
    escalation = rules["diary-home-care-not-helping"]
    assert [s["id"] for s in escalation["sources"]] == escalation["source_ids"]
    bad = client.get("/api/v1/patterns", params={"tz": "Mars/Olympus"}, headers=bearer(token))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "tz"]


def test_the_apis_patterns_are_measured_per_kind(client: TestClient, app: FastAPI) -> None:
    """Six calf cramps whose home care fails and twelve eyelid twitches in three weeks:
    ``kinds`` holds each kind apart (most episodes first), the top-level figures are
    the twitching's (named by ``kind``) and never the two added together, and the
    top-level escalations are every kind's, each naming its kind."""
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    owner = user_id(app, "ana@example.com")
    unhelped_home_care(app, owner, days=20, count=6)
    now = datetime.now(UTC)
    for day in range(12):
        started = now - timedelta(days=day * 1.5, hours=2)
        log(app, owner, feel="twitch", site="site_eyelid", started_at=started, pain=0)
    body = client.get("/api/v1/patterns", headers=bearer(token)).json()
    conforms(PatternsOut, body)
    assert [(k["kind"], k["total"]) for k in body["kinds"]] == [("twitch", 12), ("cramp", 6)]
    assert body["kind"] == "twitch" and body["total"] == 12
    assert body["sites"] == [{"site": "site_eyelid", "episodes": 12}]
    cramps = body["kinds"][1]
    assert cramps["sites"] == [{"site": "site_calf", "episodes": 6}]
    assert all(k["trend"] == "not enough data" for k in body["kinds"])
    per_kind = {(k["kind"], e["rule_id"]) for k in body["kinds"] for e in k["escalations"]}
    assert ("cramp", "diary-home-care-not-helping") in per_kind
    assert {(e["kind"], e["rule_id"]) for e in body["escalations"]} == per_kind
    assert all(e["kind"] == k["kind"] for k in body["kinds"] for e in k["escalations"])


def test_an_empty_diarys_patterns_keep_their_shape(client: TestClient, token: str) -> None:
    body = client.get("/api/v1/patterns", headers=bearer(token)).json()
    conforms(PatternsOut, body)
    assert body["kind"] is None and body["kinds"] == [] and body["total"] == 0
    assert body["weekly_counts"] == [0] * 12 and body["escalations"] == []


@pytest.mark.parametrize(
    "zone", ["localtime", "posixrules", "Factory", "posix/America/Denver", "right/UTC"]
)
def test_a_time_zone_that_is_not_a_place_is_refused(
    client: TestClient, token: str, zone: str
) -> None:
    """``localtime`` is whatever zone the server is set to: not a place, so refused, as
    are the database's other names and variant folders."""
    bad = client.get("/api/v1/patterns", params={"tz": zone}, headers=bearer(token))
    assert bad.status_code == 422
    (problem,) = bad.json()["detail"]
    assert problem["loc"] == ["query", "tz"] and "America/Denver" in problem["msg"]
    for place in ("America/Denver", "Europe/London", "UTC", "Etc/GMT+7"):
        good = client.get("/api/v1/patterns", params={"tz": place}, headers=bearer(token))
        assert good.status_code == 200, place


def test_exports_through_the_api(client: TestClient, token: str) -> None:
    ids = [
        create(client, token)["id"],
        create(client, token, feel="twitch", site="site_eyelid")["id"],
    ]
    data = client.get("/api/v1/export", headers=bearer(token))
    assert data.status_code == 200
    conforms(ExportOut, data.json())
    assert sorted(e["id"] for e in data.json()["episodes"]) == sorted(ids)
    table = client.get("/api/v1/export?format=csv", headers=bearer(token))
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert sorted(r["Episode id"] for r in rows) == sorted(ids)
    assert sorted(r["Kind"] for r in rows) == ["Cramp", "Twitching"]
    fhir = client.get("/api/v1/export?format=fhir", headers=bearer(token))
    bundle = Bundle.model_validate(fhir.json())
    observations = [
        e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation"
    ]
    assert sorted(o.id for o in observations) == sorted(ids)
    assert sorted(o.code.coding[0].code for o in observations) == ["R25.2", "R25.3"]
    assert client.get("/api/v1/export?format=xml", headers=bearer(token)).status_code == 422


def test_the_openapi_document_describes_every_account_and_diary_route(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    operations = {
        op["operationId"]: (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }
    expected = {
        "sign_up": ("post", "/api/v1/auth/signup", "201", "SessionOut"),
        "sign_in": ("post", "/api/v1/auth/signin", "200", "SessionOut"),
        "sign_out": ("post", "/api/v1/auth/signout", "204", None),
        "change_password": ("post", "/api/v1/auth/password", "200", "SessionOut"),
        "delete_account": ("delete", "/api/v1/account", "204", None),
        "create_episode": ("post", "/api/v1/episodes", "201", "EpisodeOut"),
        "list_episodes": ("get", "/api/v1/episodes", "200", "EpisodePageOut"),
        "get_episode": ("get", "/api/v1/episodes/{episode_id}", "200", "EpisodeOut"),
        "update_episode": ("put", "/api/v1/episodes/{episode_id}", "200", "EpisodeOut"),
        "delete_episode": ("delete", "/api/v1/episodes/{episode_id}", "204", None),
        "diary_patterns": ("get", "/api/v1/patterns", "200", "PatternsOut"),
        "export_data": ("get", "/api/v1/export", "200", "ExportOut"),
    }
    for operation_id, (method, path, status, model) in expected.items():
        assert operation_id in operations, operation_id
        got_method, got_path, op = operations[operation_id]
        assert (got_method, got_path) == (method, path)
        assert status in op["responses"], operation_id
        if model:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/" + model), operation_id
        if operation_id not in ("sign_up", "sign_in"):
            assert "401" in op["responses"], operation_id
    for path in ("/api/v1/episodes/{episode_id}",):
        for method in ("get", "put", "delete"):
            assert "404" in spec["paths"][path][method]["responses"]
    export = operations["export_data"][2]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/fhir+json"} <= set(export)
