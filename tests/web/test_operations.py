"""The operator's view: each request's id and JSON log line (no personal data), the
Prometheus metrics (scraped from their own port and held to Prometheus' naming
conventions), and the readiness check beside the liveness check."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crampcheck.services import metrics
from crampcheck.services.database import not_ready_because, upgrade
from crampcheck.settings import Settings
from crampcheck.web.request_log import JsonFormatter, RequestIdFilter
from tests.web.test_staff_inbox import DOCTOR_TEXT

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "wilhelmina.quartzfield@example.org"
NAME = "Wilhelmina Quartzfield"
PHONE = "+1 555 013 2288"


@pytest.fixture
def request_lines(caplog: pytest.LogCaptureFixture) -> Iterator[list[dict[str, object]]]:
    """The request log's lines as ``crampcheck serve`` writes them (JSON), parsed."""
    formatter, stamp = JsonFormatter(), RequestIdFilter()
    lines: list[dict[str, object]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stamp.filter(record)
            text = formatter.format(record)
            assert "\n" not in text, "one line per record"
            lines.append(json.loads(text))

    handler = Collect()
    logger = logging.getLogger("crampcheck.requests")
    logger.addHandler(handler)
    with caplog.at_level(logging.INFO, logger="crampcheck.requests"):
        yield lines
    logger.removeHandler(handler)


def app_with(web_settings: Settings, pipeline: object, **changes: object) -> FastAPI:
    from crampcheck.web.app import create_app

    settings = web_settings.model_copy(update=changes)
    upgrade(settings.effective_database_url)
    return create_app(settings, pipeline)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the request log


def test_each_request_has_an_id_and_one_line_without_personal_data(
    client: TestClient, request_lines: list[dict[str, object]]
) -> None:
    token = "Zk3qv9TtRrA7pLm2"
    answers = [
        client.get(f"/check/result/{token}?utm_source=letter"),
        client.get("/no/such/page?email=" + EMAIL),
        client.post(
            "/api/v1/appointment-requests",
            json={
                "name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "preferred_location": "sandy",
                "consent_to_share": True,
                "check": {"text": DOCTOR_TEXT, "age": 45, "sex": "female"},
            },
        ),
    ]
    ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == 3
    assert [(line["request_id"], line["status"]) for line in request_lines] == [
        (i, a.status_code) for i, a in zip(ids, answers, strict=True)
    ]
    assert [line["route"] for line in request_lines] == [
        "/check/result/{token}",
        "unmatched",
        "/api/v1/appointment-requests",
    ]
    first = request_lines[0]
    assert set(first) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "route",
        "status",
        "duration_ms",
    }
    assert first["method"] == "GET" and isinstance(first["duration_ms"], float)
    written = json.dumps(request_lines)
    for secret in (
        token,
        "utm_source",
        EMAIL,
        "wilhelmina",
        "Quartzfield",
        "013 2288",
        "testclient",
    ):
        assert secret.lower() not in written.lower(), secret


def test_a_request_id_is_taken_only_from_a_trusted_proxy_and_only_when_safe(
    web_settings: Settings, pipeline: object, request_lines: list[dict[str, object]]
) -> None:
    app = app_with(web_settings, pipeline, trusted_proxies="127.0.0.1")
    with TestClient(app, client=("127.0.0.1", 40000)) as proxied:
        sent = proxied.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e:77"})
        assert sent.headers["x-request-id"] == "nginx-4f2a9c1e:77"
        for unsafe in (
            "short",
            "has space in it",
            "x" * 129,
            "semi;colon-12345",
            "é".encode() * 10,
        ):
            answer = proxied.get("/healthz", headers={"X-Request-ID": unsafe})
            assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["x-request-id"]), unsafe
    with TestClient(app, client=("203.0.113.7", 40000)) as direct:
        answer = direct.get("/healthz", headers={"X-Request-ID": "chosen-by-a-client"})
        assert answer.headers["x-request-id"] != "chosen-by-a-client"
    assert request_lines[0]["request_id"] == "nginx-4f2a9c1e:77"
    assert "client" not in request_lines[0], "no address unless the settings say so"


def test_the_client_address_is_logged_only_when_set_and_as_the_proxy_forwards_it(
    web_settings: Settings, pipeline: object, request_lines: list[dict[str, object]]
) -> None:
    app = app_with(web_settings, pipeline, trusted_proxies="127.0.0.1", log_client_address=True)
    with TestClient(app, client=("127.0.0.1", 40000)) as proxied:
        proxied.get("/healthz", headers={"X-Forwarded-For": "198.51.100.23"})
    assert request_lines[-1]["client"] == "198.51.100.23"


def test_the_served_log_configuration_writes_json_and_can_leave_requests_out(
    web_settings: Settings,
) -> None:
    from crampcheck.web.request_log import log_config

    on = log_config(web_settings)
    off = log_config(web_settings.model_copy(update={"log_requests": False}))
    assert on["loggers"]["crampcheck.requests"]["level"] == "INFO"
    assert off["loggers"]["crampcheck.requests"]["level"] == "WARNING"
    assert on["handlers"]["stderr"]["formatter"] == "json"
    logging.config.dictConfig({**on, "incremental": False})  # a valid configuration
    logging.getLogger("crampcheck").handlers.clear()
    logging.getLogger("uvicorn").handlers.clear()
    logging.getLogger().handlers.clear()


# ---------------------------------------------------------------- metrics


def scrape(host: str = "127.0.0.1") -> str:
    """The metrics port's answer, from a server started on a free port and stopped."""
    server = metrics.start_metrics_server(host, 0)
    try:
        answer = httpx.get(f"http://{host}:{server.port}/metrics", timeout=10)
    finally:
        server.stop()
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def route_templates(routes: Iterable[object]) -> Iterator[str]:
    """Every route's path template, routers included in routers too (this process's
    counters also hold the routes that earlier tests asked for)."""
    for route in routes:
        included = getattr(route, "effective_candidates", None)
        if callable(included):
            yield from route_templates(included())
        elif isinstance(getattr(route, "path", None), str):
            yield str(getattr(route, "path"))  # noqa: B009 - checked just above


UNITS = ("_seconds", "_bytes", "_connections", "_ratio", "_info")


def test_the_metrics_are_scraped_and_follow_prometheus_naming(
    app: FastAPI, client: TestClient
) -> None:
    client.post("/api/v1/assess", json={"text": DOCTOR_TEXT + " (a new one)"})
    client.get("/check/result/not-a-real-token")
    client.get("/no/such/page")
    client.get("/healthz")
    families = {f.name: f for f in text_string_to_metric_families(scrape())}
    ours = {name: f for name, f in families.items() if name.startswith("crampcheck_")}
    assert set(ours) == {
        "crampcheck_http_requests",
        "crampcheck_http_request_duration_seconds",
        "crampcheck_checks",
        "crampcheck_reader_duration_seconds",
        "crampcheck_db_pool_checked_out_connections",
        "crampcheck_db_pool_open_connections",
        "crampcheck_db_pool_capacity_connections",
    }
    for name, family in ours.items():
        assert re.fullmatch(r"crampcheck_[a-z0-9]+(_[a-z0-9]+)*", name), name
        assert family.documentation, f"{name} has no HELP"
        samples: list[Sample] = family.samples
        if family.type == "counter":
            assert not name.endswith("_total"), "the parser strips _total from a counter"
            assert {s.name for s in samples} <= {f"{name}_total", f"{name}_created"}, name
            assert any(s.name == f"{name}_total" for s in samples), name
        elif family.type == "histogram":
            assert name.endswith("_seconds"), f"{name}: a duration in seconds"
            suffixes = {s.name.removeprefix(name) for s in samples}
            assert {"_bucket", "_count", "_sum"} <= suffixes, name
        else:
            assert family.type == "gauge", name
            assert name.endswith(UNITS) and "_total" not in name, name
    seen = {s.labels["route"] for s in ours["crampcheck_http_requests"].samples}
    assert {"/api/v1/assess", "/check/result/{token}", "unmatched", "/healthz"} <= seen
    templates = set(route_templates(app.routes)) | {"unmatched", "/static/{path}"}
    assert "/check/result/{token}" in templates and "/api/v1/assess" in templates
    # The registry is the process's: routes of other tests' applications may be in it
    # too, but never an address with a token or an id in it.
    strays = seen - templates
    segments = [part for route in strays for part in route.split("/")]
    tokens = [s for s in segments if s.isdigit() or re.fullmatch(r"[A-Za-z0-9_-]{16,}", s)]
    assert not tokens, strays
    checks = [s for s in ours["crampcheck_checks"].samples if s.name.endswith("_total")]
    assert any(s.labels == {"urgency": "doctor", "channel": "api"} and s.value >= 1 for s in checks)
    reads = [s for s in ours["crampcheck_reader_duration_seconds"].samples]
    assert any(s.name.endswith("_count") and s.value >= 1 for s in reads)
    opened = ours["crampcheck_db_pool_open_connections"].samples[0].value
    assert opened >= 1, "the test's requests opened a connection"


def test_every_metric_is_in_the_operators_guide() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    for name in (
        "crampcheck_http_requests_total",
        "crampcheck_http_request_duration_seconds",
        "crampcheck_checks_total",
        "crampcheck_reader_duration_seconds",
        "crampcheck_db_pool_checked_out_connections",
        "crampcheck_db_pool_open_connections",
        "crampcheck_db_pool_capacity_connections",
    ):
        assert f"`{name}`" in guide, name
    assert "CRAMPCHECK_METRICS_PORT" in guide and "/readyz" in guide


def test_the_metrics_are_off_by_default_and_never_on_the_application_port(
    client: TestClient,
) -> None:
    assert Settings(environment="development").metrics_port is None
    assert client.get("/metrics").status_code == 404
    with pytest.raises(ValueError, match="port of their own"):
        Settings(port=8000, metrics_port=8000)


# ---------------------------------------------------------------- liveness and readiness


def test_ready_when_the_database_answers_and_is_migrated(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "reason": None}


def test_not_ready_while_migrations_are_pending(
    web_settings: Settings, pipeline: object, db_url: str
) -> None:
    from crampcheck.web.app import create_app

    upgrade(db_url, "0008")
    with TestClient(create_app(web_settings, pipeline)) as behind:  # type: ignore[arg-type]
        answer = behind.get("/readyz")
        assert answer.status_code == 503
        assert answer.json() == {
            "status": "not ready",
            "reason": "the database lacks 1 migration (0009): run crampcheck db upgrade",
        }
        assert behind.get("/healthz").status_code == 200, "alive all the same"
    upgrade(db_url)


def test_not_ready_when_the_database_does_not_answer() -> None:
    nowhere = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    with Session(nowhere) as session:
        assert not_ready_because(session) == "the database does not answer"
