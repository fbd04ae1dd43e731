"""Errors a person's browser meets are pages, errors a program meets are JSON: a body too
large (413), an address holding a control character (422) and an unexpected failure
(500) answer a page path with the friendly error page and an ``/api/`` path in the API's
JSON shape; both carry the security headers, and neither says what failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.web.pages import render
from crampcheck.web.security import SECURITY_HEADERS

LIMIT = 64 * 1024  # max_body_bytes in the test settings
SECRET_DETAIL = "broken on purpose: Ana Example, 801-555-0100"


def _is_page(response: Any) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text and "call 911 now" in response.text
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    assert response.headers["cache-control"] == "no-store"


def _is_json(response: Any) -> Any:
    assert response.headers["content-type"].startswith("application/json")
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    return response.json()


def _chunks(total: int, size: int = 4096) -> Iterator[bytes]:
    yield b"text="
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


# ---------------------------------------------------------------- 413


def test_a_huge_form_gets_the_friendly_413_page(client: TestClient) -> None:
    response = client.post("/check", data={"text": "x" * (LIMIT + 1)})
    assert response.status_code == 413
    _is_page(response)
    assert "What was sent is too large" in response.text


def test_a_huge_form_streamed_without_a_length_gets_the_page_too(client: TestClient) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = client.post("/diary/new", content=_chunks(LIMIT + 1), headers=form)
    assert response.status_code == 413
    _is_page(response)


def test_a_huge_api_body_keeps_the_api_json_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/assess",
        content=b'{"text": "' + b"x" * LIMIT + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert str(LIMIT) in _is_json(response)["detail"]


# ---------------------------------------------------------------- 422 in the address


def test_a_control_character_in_a_page_address_gets_the_friendly_page(
    client: TestClient,
) -> None:
    response = client.get("/diary/abc%00def/edit")
    assert response.status_code == 422
    _is_page(response)
    assert "\x00" not in response.text


# ---------------------------------------------------------------- 500


@pytest.fixture
def broken_app(app: FastAPI) -> FastAPI:
    """The application with a page and an API route that fail with an unexpected error
    whose message holds personal data."""

    def broken() -> None:
        raise RuntimeError(SECRET_DETAIL)

    app.add_api_route("/broken-page", broken)
    app.add_api_route("/api/v1/broken", broken)
    return app


def test_an_unexpected_error_on_a_page_gets_the_friendly_500_page(broken_app: FastAPI) -> None:
    with TestClient(broken_app, raise_server_exceptions=False) as client:
        response = client.get("/broken-page")
    assert response.status_code == 500
    _is_page(response)
    assert "Something went wrong on our side" in response.text
    assert "broken on purpose" not in response.text and "Ana Example" not in response.text
    assert "RuntimeError" not in response.text and "Traceback" not in response.text


def test_an_unexpected_error_in_the_api_keeps_the_api_json_500(broken_app: FastAPI) -> None:
    with TestClient(broken_app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert _is_json(response) == {"detail": "Internal Server Error"}
    assert "broken on purpose" not in response.text


def test_when_even_the_error_page_fails_a_plain_page_still_answers(
    broken_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_templates(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the templates are gone")

    monkeypatch.setattr(render.environment(), "get_template", no_templates)
    with TestClient(broken_app, raise_server_exceptions=False) as client:
        response = client.get("/broken-page")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in response.text
    assert "templates are gone" not in response.text and "broken on purpose" not in response.text
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
