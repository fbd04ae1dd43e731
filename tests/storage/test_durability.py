"""Crash durability: `crampcheck serve` killed with SIGKILL while clients write keeps every
write it acknowledged, whole, and nothing half-written.

The server runs as a real subprocess on 127.0.0.1 (SQLite in a temporary data folder,
or a PostgreSQL schema of its own when CRAMPCHECK_TEST_DATABASE_URL is set). A few
accounts are signed up, then several client threads log diary episodes and appointment
requests, each with a unique marker, and record every write answered 2xx with an id.
Mid-way the server is killed with SIGKILL; it is started again on the same database,
and the database is read directly: every acknowledged write is there with every field
as sent, and every row that exists (including writes in flight at the kill, which may
or may not have landed) is one of the writes that was sent, complete and valid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from crampcheck.storage.database import make_engine
from crampcheck.storage.tables import AppointmentRequest, Episode, User
from tests.conftest import POSTGRES_URL, TEST_SECRET
from tests.factories import postgres_schema

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
STARTUP_SECONDS = 60.0
CLIENTS = 6
USERS = 3
PASSWORD = "durable-password-123"
# The kill comes once this many writes were acknowledged, or after KILL_AFTER seconds.
KILL_AT_ACKNOWLEDGED = 200
KILL_AFTER = 10.0
CHECK_TEXT = "Cramp in my left calf at night after a long walk, it eased with stretching."
FEELS = ("cramp", "twitch", "other")
SITES = ("site_calf", "site_foot", "site_thigh", None)
SIDES = ("left", "right", "both", None)
ACTIVITIES = ("exercise", "resting", "sleeping", "walking", None)
CONTEXTS = ("hot_environment", "low_fluid", "poor_sleep", "stress", "caffeine")
TREATMENTS = ("stretching", "massage", "heat", "fluids")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment of a test server: this test's settings only, no CRAMPCHECK_* from
    the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update(
        CRAMPCHECK_ENVIRONMENT="test",
        CRAMPCHECK_SECRET_KEY=TEST_SECRET,
        CRAMPCHECK_DATA_DIR=str(data_dir),
        CRAMPCHECK_EMERGENCY_NUMBER="911",
    )
    if database_url:
        env["CRAMPCHECK_DATABASE_URL"] = database_url
    return env


class Server:
    """`crampcheck serve` as a subprocess on a free port of 127.0.0.1, with ``options``
    (such as ``--workers 2``); its stdout and stderr go to ``log_file``."""

    def __init__(self, env: dict[str, str], log_file: Path, options: tuple[str, ...] = ()) -> None:
        self.env = env
        self.options = options
        self.log_file = log_file
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-c",
            "import sys; from crampcheck.cli import main; sys.exit(main())",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            *self.options,
        ]
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log_text = self.log_file.read_text(errors="replace")
                pytest.fail(f"crampcheck serve exited with {self.process.returncode}:\n{log_text}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:  # noqa: PLR2004
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"crampcheck serve did not answer within {STARTUP_SECONDS:.0f} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no clean close of the database."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[list[Server]]:
    """The servers a test starts, each stopped afterwards whatever happened."""
    servers: list[Server] = []
    yield servers
    for server in servers:
        server.stop()


@dataclass
class Account:
    user_id: str
    email: str
    token: str


@dataclass
class Ledger:
    """What the clients sent (by marker) and what the server acknowledged."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent_episodes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    sent_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    acked_episodes: dict[str, str] = field(default_factory=dict)  # marker -> id
    acked_requests: dict[str, str] = field(default_factory=dict)  # marker -> id
    failures: list[str] = field(default_factory=list)

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.acked_episodes) + len(self.acked_requests)


def sign_up(base_url: str, n: int) -> Account:
    email = f"durable-{n}-{uuid.uuid4().hex[:8]}@example.org"
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD},
        timeout=30.0,
    )
    assert response.status_code == 201, response.text  # noqa: PLR2004
    body = response.json()
    return Account(user_id=body["account"]["id"], email=email, token=body["token"])


def episode_body(marker: str, i: int) -> dict[str, Any]:
    started = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * (i % 5000), seconds=i % 60)
    tried = [TREATMENTS[i % len(TREATMENTS)]] if i % 3 else []
    return {
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "feel": FEELS[i % len(FEELS)],
        "site": SITES[i % len(SITES)],
        "side": SIDES[i % len(SIDES)],
        "duration_minutes": round(0.5 + (i % 40) * 1.25, 2),
        "pain": i % 11,
        "activity": ACTIVITIES[i % len(ACTIVITIES)],
        "at_night": bool(i % 2),
        "context": sorted({CONTEXTS[i % len(CONTEXTS)], CONTEXTS[(i * 7) % len(CONTEXTS)]}),
        "tried": tried,
        "helped": (i % 4 == 1) if tried else None,
        "notes": f"marker {marker}",
    }


def request_body(marker: str, i: int) -> dict[str, Any]:
    return {
        "name": f"Durable Person {marker}",
        "phone": f"+1 555 {i % 10000:04d}",
        "email": f"person-{marker}@example.org",
        "preferred_times": f"weekday mornings {marker}" if i % 4 else None,
        "consent_to_share": True,
        "check": {"text": CHECK_TEXT, "age": 30 + i % 40},
    }


def client(
    base_url: str, accounts: list[Account], ledger: Ledger, stop: threading.Event, n: int
) -> None:
    """Alternate episodes and appointment requests until stopped or the server is gone."""
    i = n * 100_000
    with httpx.Client(base_url=base_url, timeout=10.0) as http:
        while not stop.is_set():
            i += 1
            marker = uuid.uuid4().hex
            try:
                if i % 2:
                    account = accounts[i % len(accounts)]
                    body = episode_body(marker, i)
                    with ledger.lock:
                        ledger.sent_episodes[marker] = (account.user_id, body)
                    response = http.post(
                        "/api/v1/episodes",
                        json=body,
                        headers={"Authorization": f"Bearer {account.token}"},
                    )
                    acked = ledger.acked_episodes
                else:
                    body = request_body(marker, i)
                    with ledger.lock:
                        ledger.sent_requests[marker] = body
                    response = http.post("/api/v1/appointment-requests", json=body)
                    acked = ledger.acked_requests
            except httpx.HTTPError:
                return  # the server was killed: this write was never acknowledged
            if 200 <= response.status_code < 300 and response.json().get("id"):  # noqa: PLR2004
                with ledger.lock:
                    acked[marker] = response.json()["id"]
            else:
                with ledger.lock:
                    ledger.failures.append(f"{response.status_code} {response.text[:200]}")
                return


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def episode_fields(row: Episode) -> dict[str, Any]:
    return {
        "started_at": utc(row.started_at).isoformat().replace("+00:00", "Z"),
        "feel": row.feel,
        "site": row.site,
        "side": row.side,
        "duration_minutes": row.duration_minutes,
        "pain": row.pain,
        "activity": row.activity,
        "at_night": row.at_night,
        "context": sorted(row.context),
        "tried": list(row.tried),
        "helped": row.helped,
        "notes": row.notes,
    }


def request_fields(row: AppointmentRequest) -> dict[str, Any]:
    return {
        "name": row.name,
        "phone": row.phone,
        "email": row.email,
        "preferred_times": row.preferred_times,
        "consent_to_share": row.consent_to_share,
    }


def check_database(url: str, accounts: list[Account], ledger: Ledger) -> tuple[int, int]:
    """Every acknowledged write whole, every row one that was sent and valid; returns the
    number of episodes and requests found."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            users = {row.id: row.email for row in connection.execute(select(User))}
            episodes = list(connection.execute(select(Episode)))
            requests = list(connection.execute(select(AppointmentRequest)))
    finally:
        engine.dispose()

    assert users == {a.user_id: a.email for a in accounts}

    by_marker: dict[str, Any] = {}
    for row in episodes:
        assert row.user_id in users, f"episode {row.id} without its user"
        assert row.created_at is not None
        assert row.updated_at is not None
        assert row.notes and row.notes.startswith("marker ")
        marker = row.notes.removeprefix("marker ")
        assert marker in ledger.sent_episodes, f"episode {row.id} was never sent"
        user_id, sent = ledger.sent_episodes[marker]
        assert row.user_id == user_id
        assert episode_fields(row) == {**sent, "context": sorted(sent["context"])}
        assert marker not in by_marker, f"episode {marker} stored twice"
        by_marker[marker] = row
    for marker, episode_id in ledger.acked_episodes.items():
        assert marker in by_marker, f"acknowledged episode {episode_id} lost"
        assert by_marker[marker].id == episode_id

    by_marker = {}
    for row in requests:
        marker = row.name.removeprefix("Durable Person ")
        assert marker in ledger.sent_requests, f"request {row.id} was never sent"
        sent = ledger.sent_requests[marker]
        assert request_fields(row) == {k: sent[k] for k in request_fields(row)}
        assert row.created_at is not None
        assert row.status == "new"
        assert row.urgency and row.kind and row.kb_version and row.clinic_id
        assert isinstance(row.snapshot, dict)
        assert row.snapshot, f"request {row.id} has an empty snapshot"
        assert marker not in by_marker, f"request {marker} stored twice"
        by_marker[marker] = row
    for marker, request_id in ledger.acked_requests.items():
        assert marker in by_marker, f"acknowledged appointment request {request_id} lost"
        assert by_marker[marker].id == request_id
    return len(episodes), len(requests)


def crash_and_check(tmp_path: Path, servers: list[Server], database_url: str | None) -> None:
    began = time.monotonic()
    env = server_env(tmp_path / "data", database_url)
    url = database_url or f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    log_file = tmp_path / "serve.log"

    first = Server(env, log_file)
    servers.append(first)
    first.start()
    accounts = [sign_up(first.base_url, n) for n in range(USERS)]

    ledger = Ledger()
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(first.base_url, accounts, ledger, stop, n))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    try:
        kill_by = time.monotonic() + KILL_AFTER
        while ledger.acknowledged() < KILL_AT_ACKNOWLEDGED and time.monotonic() < kill_by:
            if not any(t.is_alive() for t in threads):
                break
            time.sleep(0.01)
        first.kill()  # mid-way: the clients are still writing
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert not any(t.is_alive() for t in threads)
    assert not ledger.failures, ledger.failures[:5]
    assert ledger.acked_episodes, "no episode was acknowledged before the kill"
    assert ledger.acked_requests, "no appointment request was acknowledged before the kill"

    second = Server(env, log_file)
    servers.append(second)
    second.start()
    episodes, requests = check_database(url, accounts, ledger)
    # The restarted server serves what was acknowledged, to its owner.
    marker, episode_id = next(iter(ledger.acked_episodes.items()))
    owner = next(a for a in accounts if a.user_id == ledger.sent_episodes[marker][0])
    response = httpx.get(
        f"{second.base_url}/api/v1/episodes/{episode_id}",
        headers={"Authorization": f"Bearer {owner.token}"},
        timeout=10.0,
    )
    assert response.status_code == 200, response.text  # noqa: PLR2004
    assert response.json()["notes"] == f"marker {marker}"
    second.stop()
    print(  # shown with -s: how much was written and checked
        f"acknowledged {len(ledger.acked_episodes)} episodes and {len(ledger.acked_requests)} "
        f"requests; found {episodes} and {requests} after the kill; "
        f"{time.monotonic() - began:.1f} s"
    )


def test_sigkill_keeps_acknowledged_writes_sqlite(
    tmp_path: Path, server_factory: list[Server]
) -> None:
    crash_and_check(tmp_path, server_factory, None)


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL schema of this test's own (in the URL's search_path), dropped afterwards."""
    with postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="CRAMPCHECK_TEST_DATABASE_URL is not set")
def test_sigkill_keeps_acknowledged_writes_postgresql(
    tmp_path: Path, server_factory: list[Server], postgres_schema_url: str
) -> None:
    crash_and_check(tmp_path, server_factory, postgres_schema_url)
