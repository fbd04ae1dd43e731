"""`crampcheck serve --workers N`: several worker processes, and a graceful stop.

The slow tests run `crampcheck serve` as a real subprocess (SQLite in a temporary
folder). A client sends an appointment request slowly - its headers and the first bytes
of its body, then, after SIGTERM has reached the server, the rest - as a person on a slow
mobile network would. The request was in flight when the server was told to stop: it
must still be answered 201, be in the database, and the server must then stop by
itself. With ``--workers 2`` the server is a parent with two worker processes, each
serving.
"""

from __future__ import annotations

import json
import signal
import socket
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from crampcheck import cli
from crampcheck.cli.serving import WORKER_APP
from crampcheck.storage.database import make_engine
from crampcheck.storage.tables import AppointmentRequest
from tests.storage.test_durability import (  # noqa: F401 - fixture
    HOST,
    Server,
    request_body,
    server_env,
    server_factory,
)


def test_serve_refuses_a_number_of_workers_out_of_range(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    for wrong in ("0", "65"):
        assert cli.main(["serve", "--workers", wrong]) == cli.EXIT_USAGE
        assert "CRAMPCHECK_WORKERS" in capsys.readouterr().err
    assert not (tmp_path / "crampcheck.sqlite3").exists(), "nothing was started"


def test_the_workers_factory_is_importable_by_its_name() -> None:
    from uvicorn.importer import import_from_string

    from crampcheck.cli.serving import worker_app

    assert import_from_string(WORKER_APP) is worker_app


def worker_processes(server: Server) -> list[int]:
    """The worker processes of a `crampcheck serve --workers N` (multiprocessing's
    spawned children; not its resource tracker)."""
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    pids = [int(pid) for pid in children.read_text().split()]
    return [
        pid
        for pid in pids
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    ]


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_request_in_flight_when_the_server_is_stopped_still_completes(
    tmp_path: Path,
    server_factory: list[Server],  # noqa: F811
    workers: int,
) -> None:
    env = server_env(tmp_path / "data", None)
    server = Server(env, tmp_path / "serve.log", ("--workers", str(workers)))
    server_factory.append(server)
    server.start()
    assert server.process is not None
    if workers > 1:
        deadline = time.monotonic() + 60
        while len(worker_processes(server)) < workers:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)

    marker = uuid.uuid4().hex
    body = json.dumps(request_body(marker, 1)).encode()
    head = (
        "POST /api/v1/appointment-requests HTTP/1.1\r\n"
        f"Host: {HOST}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, server.port), timeout=30) as slow:
        slow.sendall(head + body[:20])
        time.sleep(0.5)  # the server has the headers: the request is in flight
        server.process.send_signal(signal.SIGTERM)
        time.sleep(1.5)  # the stop has begun (idle connections are closed by now)
        assert server.process.poll() is None, "the server left before the request finished"
        slow.sendall(body[20:])
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 201 Created", answer[:300]
    sent_back = json.loads(rest.partition(b"\r\n\r\n")[2])
    # Then it stops by itself: one process ends by the SIGTERM it was sent (uvicorn raises
    # it again once done), a parent of workers exits with 0; systemd counts both as clean.
    stopped = server.process.wait(timeout=30)
    assert stopped == (0 if workers > 1 else -signal.SIGTERM), server.log_file.read_text()

    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}")
    try:
        with engine.connect() as connection:
            names = connection.scalars(
                select(AppointmentRequest.name).where(AppointmentRequest.id == sent_back["id"])
            ).all()
    finally:
        engine.dispose()
    assert names == [f"Durable Person {marker}"]
