"""A lone surrogate (half of an emoji) in any JSON body is refused with a 422 that echoes
nothing of what was sent, and nothing of it reaches the log (the security review's M1)."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from crampcheck.domain.limits import has_lone_surrogate
from tests.services.test_accounts import api_sign_up, page_sign_up

pytestmark = pytest.mark.usefixtures("fast_hashing")

PASSWORD = "Correct-Horse-Battery-\\ud83d"
SIGN_IN = '{"email": "ana@example.com", "password": "' + PASSWORD + '"}'
BODIES = [
    ("/api/v1/auth/signin", SIGN_IN),
    ("/api/v1/auth/signup", SIGN_IN),
    ("/api/v1/assess", '{"text": "my calf cramped \\ud83d at night"}'),
    ("/api/v1/interview", '{"text": "ok", "findings": {"\\udc00": "present"}}'),
    ("/api/staff/session", SIGN_IN),
]


@pytest.mark.parametrize(("path", "body"), BODIES)
def test_a_lone_surrogate_is_a_422_that_echoes_nothing(
    client: TestClient, caplog: pytest.LogCaptureFixture, path: str, body: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "not valid text" in response.text
    assert "Correct-Horse" not in response.text and '"input"' not in response.text
    assert "Correct-Horse" not in caplog.text and "Traceback" not in caplog.text


def test_other_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    body = '{"email": "ana@example.com", "password": "Secret-Sauce-123", "extra": "x"}'
    response = client.post(
        "/api/v1/auth/signin", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "Secret-Sauce" not in response.text and '"input"' not in response.text


def test_whole_emoji_are_text_like_any_other() -> None:
    assert not has_lone_surrogate({"text": "my calf 😖 cramped", "list": ["ok"]})
    assert has_lone_surrogate({"findings": {"\udc00": "present"}})


PRIVATE = [
    ("GET", "/"),
    ("GET", "/check"),
    ("GET", "/diary"),
    ("GET", "/account/signin"),
    ("POST", "/api/v1/assess"),
    ("GET", "/api/v1/episodes"),
    ("GET", "/api/staff/requests"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]


@pytest.mark.parametrize(("method", "path"), PRIVATE)
def test_responses_are_not_kept_by_caches(client: TestClient, method: str, path: str) -> None:
    body = {"text": "my calf cramps at night"} if method == "POST" else None
    response = client.request(method, path, json=body, follow_redirects=False)
    assert response.headers.get("cache-control") == "no-store", (path, response.headers)


def test_vendored_assets_may_be_cached(client: TestClient) -> None:
    page = client.get("/check").text
    asset = next(part.split('"')[0] for part in page.split('href="/static/')[1:])
    response = client.get("/static/" + asset)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_a_nul_in_a_json_body_is_a_422(client: TestClient) -> None:
    token = api_sign_up(client, "nul@example.com")
    body = {"started_at": "2026-12-01T21:00:00Z", "feel": "cramp", "notes": "calf\x00cramp"}
    response = client.post(
        "/api/v1/episodes", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422 and "control character" in response.text


@pytest.mark.parametrize("path", ["/diary/abc%00def/edit", "/x%01"])
def test_a_control_character_in_a_page_address_is_a_422(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 422


def test_a_control_character_in_an_api_id_is_a_422_after_the_guard(client: TestClient) -> None:
    assert client.get("/api/v1/episodes/abc%00").status_code == 401  # nothing looked up
    token = api_sign_up(client, "ids@example.com")
    response = client.get("/api/v1/episodes/abc%00", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and "control character" in response.text
    assert response.json()["detail"][0]["loc"] == ["path", "episode_id"]


def test_a_nul_in_a_form_is_the_422_page_and_stores_nothing(client: TestClient) -> None:
    check = client.post("/check", data={"text": "my calf cramps\x00 at night"})
    assert check.status_code == 422 and "could not be used" in check.text
    assert "<html" in check.text.lower()


@pytest.mark.parametrize(
    "query",
    ["until=9999-12-31T23:59:59-12:00", "since=0001-01-01T00:00:00%2B14:00"],
)
def test_a_date_at_the_end_of_the_calendar_is_a_422_not_a_500(
    client: TestClient, query: str
) -> None:
    token = api_sign_up(client, "dates@example.com")
    response = client.get(f"/api/v1/episodes?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and "between 1900 and 2200" in response.text


def test_a_diary_day_at_the_end_of_the_calendar_is_not_a_500(client: TestClient) -> None:
    page_sign_up(client, "days@example.com")
    for day in ("9999-12-31", "0001-01-01"):
        response = client.get(f"/diary?day={day}", follow_redirects=False)
        assert response.status_code == 200, response.text[:200]
