"""The operator's view of a real `crampcheck serve`: its standard error is JSON lines with
the request ids it answered with, its metrics port (prometheus-client's multiprocess
mode) counts what it served and is apart from the application's port, and the metrics
of several processes sharing ``PROMETHEUS_MULTIPROC_DIR`` are added up."""

from __future__ import annotations

import json
import subprocess  # nosec B404 - our own interpreter
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crampcheck.services import metrics
from tests.storage.test_durability import HOST, Server, free_port, server_env
from tests.web.test_staff_inbox import DOCTOR_TEXT

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, int, Path]]:
    """`crampcheck serve` with a metrics port and a multiprocess folder that holds a
    previous run's file."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_4242.db").write_bytes(b"\0" * 64)
    port = free_port()
    env = server_env(tmp_path / "data", None)
    env.update(CRAMPCHECK_METRICS_PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(folder))
    server = Server(env, tmp_path / "serve.log")
    server.start()
    try:
        yield server, port, folder
    finally:
        server.stop()


def families(text: str) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    return {
        f.name: [(s.name, s.labels, s.value) for s in f.samples]
        for f in text_string_to_metric_families(text)
    }


def test_serve_logs_json_and_serves_metrics_on_their_own_port(
    served: tuple[Server, int, Path],
) -> None:
    server, port, folder = served
    assert not (folder / "counter_4242.db").exists(), "a previous run's counts are cleared"
    answers = [
        httpx.get(f"{server.base_url}/readyz", timeout=10),
        httpx.post(f"{server.base_url}/api/v1/assess", json={"text": DOCTOR_TEXT}, timeout=30),
        httpx.get(f"{server.base_url}/metrics", timeout=10),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404], "no metrics on the app's port"
    scraped = httpx.get(f"http://{HOST}:{port}/metrics", timeout=10)
    assert scraped.status_code == 200
    found = families(scraped.text)
    requests = {
        (labels["route"], labels["status"]): value
        for name, labels, value in found["crampcheck_http_requests"]
        if name.endswith("_total")
    }
    assert requests[("/readyz", "200")] >= 1 and requests[("/api/v1/assess", "200")] == 1
    assert requests[("unmatched", "404")] == 1
    checks = [
        (labels, value)
        for name, labels, value in found["crampcheck_checks"]
        if name.endswith("_total")
    ]
    assert checks == [({"urgency": "doctor", "channel": "api"}, 1.0)]
    assert any(
        n.endswith("_count") and v >= 1 for n, _l, v in found["crampcheck_reader_duration_seconds"]
    )
    assert list(folder.glob("*.db")), "the values are kept in the multiprocess folder"

    lines = [
        json.loads(line)
        for line in server.log_file.read_text().splitlines()
        if line.startswith("{")
    ]
    logged = {line["request_id"]: line for line in lines if line.get("message") == "request"}
    for answer in answers:
        line = logged[answer.headers["x-request-id"]]
        assert line["status"] == answer.status_code
    assert logged[answers[1].headers["x-request-id"]]["route"] == "/api/v1/assess"
    assert all(line["level"] in {"INFO", "WARNING"} for line in lines)


COUNTING = """
from crampcheck.services.metrics import count_check, observe_request
for _ in range({n}):
    observe_request("GET", "/healthz", 200, 0.01)
count_check("urgent", "pages")
"""


def test_the_metrics_of_several_processes_are_added_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**server_env(tmp_path / "data", None), "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for n in (3, 4):
        subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", COUNTING.format(n=n)], env=env, check=True, timeout=60
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    server = metrics.start_metrics_server(HOST, 0)
    try:
        text = httpx.get(f"http://{HOST}:{server.port}/metrics", timeout=10).text
    finally:
        server.stop()
    found = families(text)
    healthz = [
        v
        for n, labels, v in found["crampcheck_http_requests"]
        if n.endswith("_total") and labels["route"] == "/healthz"
    ]
    assert healthz == [7.0]
    urgent = [v for n, _labels, v in found["crampcheck_checks"] if n.endswith("_total")]
    assert urgent == [2.0]
    durations = {
        n: v
        for n, _l, v in found["crampcheck_http_request_duration_seconds"]
        if n.endswith("_count")
    }
    assert list(durations.values()) == [7.0]
