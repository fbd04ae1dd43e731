"""Two `crampcheck serve` instances on one PostgreSQL database behind nginx, as
docs/deploy.md describes: Debian's nginx with ``docs/deploy/nginx-crampcheck.conf``
(only its addresses, ports and paths filled in) on 127.0.0.1, both instances on
127.0.0.1 trusting nginx's address (127.0.0.2) as their proxy.

- A session begun on one instance continues on the other (nginx alternates between
  them; its log says which answered), for a patient's token and cookie and for a staff
  member's sign-in form, whose form token was issued by the other instance.
- A sign-in throttle reached on one instance holds on the other.
- One instance is killed with SIGKILL while clients write diary episodes and appointment
  requests and read episodes back through nginx. Every write acknowledged (2xx with an
  id) is in the database, whole; reads never fail (nginx resends a GET to the survivor);
  the writes after the kill are acknowledged by the survivor. A POST the dying instance
  had received is answered 502 and not resent by nginx (it may have been stored): the
  clients send an appointment request again with the same Idempotency-Key until it is
  acknowledged, so every one is stored exactly once; an episode answered 502 is never
  resent and is stored at most once.

Marked slow and postgres (CI sets CRAMPCHECK_TEST_DATABASE_URL and installs nginx).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from crampcheck.services import throttle
from crampcheck.storage.database import make_engine
from crampcheck.storage.tables import AppointmentRequest, Episode
from tests.conftest import POSTGRES_URL
from tests.factories import postgres_schema
from tests.storage.test_durability import (  # noqa: F401 - fixture
    PASSWORD,
    Account,
    Ledger,
    Server,
    check_database,
    episode_body,
    request_body,
    server_env,
    server_factory,
)
from tests.web.test_nginx_proxy import (
    PROXY_ADDRESS,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    Nginx,
    add_staff,
    running_nginx,
    trusting,
)
from tests.web.test_web_pages import form_to, submit

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="CRAMPCHECK_TEST_DATABASE_URL is not set"),
]

CLIENTS = 6
USERS = 3
KILL_AT_ACKNOWLEDGED = 150
KILL_AFTER = 15.0
AFTER_THE_KILL = 12.0  # longer than fail_timeout: nginx tries the dead instance again
RETRIES = 20


@dataclass(frozen=True)
class Deployment:
    nginx: Nginx
    first: Server
    second: Server
    database_url: str

    def address(self, server: Server) -> str:
        return f"127.0.0.1:{server.port}"


@pytest.fixture
def deployment(tmp_path: Path, server_factory: list[Server]) -> Iterator[Deployment]:  # noqa: F811
    with postgres_schema(POSTGRES_URL) as url:
        servers = []
        for name in ("first", "second"):
            env = server_env(tmp_path / name, url)
            env["CRAMPCHECK_TRUSTED_PROXIES"] = PROXY_ADDRESS
            server = Server(env, tmp_path / f"{name}.log")
            server_factory.append(server)
            server.start()  # one after the other: the first migrates the database
            servers.append(server)
        first, second = servers
        upstreams = (f"127.0.0.1:{first.port}", f"127.0.0.1:{second.port}")
        with running_nginx(tmp_path / "nginx", upstreams) as nginx:
            yield Deployment(nginx, first, second, url)
        for server in servers:
            server.stop()


def client(nginx: Nginx, address: str = "127.0.0.1") -> httpx.Client:
    """A client of nginx's https address, connecting from ``address``."""
    transport = httpx.HTTPTransport(local_address=address, verify=trusting(nginx.cert))
    return httpx.Client(base_url=nginx.url, transport=transport, timeout=30)


def answered_by(nginx: Nginx, method: str, path: str) -> list[tuple[int, list[str]]]:
    """The status and the instances tried of each request so far to ``path``."""
    return [(s, tried) for m, p, s, tried in nginx.upstreams() if (m, p) == (method, path)]


def test_a_session_begun_on_one_instance_continues_on_the_other(
    deployment: Deployment,
) -> None:
    nginx = deployment.nginx
    both = {deployment.address(deployment.first), deployment.address(deployment.second)}
    with client(nginx) as patient:
        signed_up = patient.post(
            "/api/v1/auth/signup", json={"email": "roaming@example.org", "password": PASSWORD}
        )
        assert signed_up.status_code == 201, signed_up.text  # noqa: PLR2004
        bearer = {"Authorization": f"Bearer {signed_up.json()['token']}"}
        logged = patient.post("/api/v1/episodes", json=episode_body("roaming", 1), headers=bearer)
        assert logged.status_code == 201, logged.text  # noqa: PLR2004
        for _ in range(4):
            by_token = patient.get("/api/v1/episodes", headers=bearer)
            assert [e["id"] for e in by_token.json()["items"]] == [logged.json()["id"]]
        for _ in range(4):
            by_cookie = patient.get("/diary")  # the browser's session cookie
            assert by_cookie.status_code == 200, by_cookie.headers  # noqa: PLR2004
    assert {tried[-1] for _, tried in answered_by(nginx, "GET", "/api/v1/episodes")} == both
    assert {tried[-1] for _, tried in answered_by(nginx, "GET", "/diary")} == both

    # A staff member's sign-in form comes from one instance and is sent to the other:
    # its form token and the session it opens are the database's, not an instance's.
    add_staff(deployment.first)
    with client(nginx) as browser:
        for _ in range(2):
            form = form_to(browser.get("/staff/signin").text, "/staff/signin")
            signed_in = submit(
                browser, form, change={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
            )
            assert signed_in.status_code == 303, signed_in.text  # noqa: PLR2004
            for _ in range(2):
                assert browser.get("/staff").status_code == 200  # noqa: PLR2004
    form_from = [tried[-1] for _, tried in answered_by(nginx, "GET", "/staff/signin")]
    sent_to = [tried[-1] for _, tried in answered_by(nginx, "POST", "/staff/signin")]
    assert any(f != s for f, s in zip(form_from, sent_to, strict=True)), (form_from, sent_to)
    assert {tried[-1] for _, tried in answered_by(nginx, "GET", "/staff")} == both

    # Plain HTTP is only redirected; HTTPS answers carry one HSTS header.
    redirected = httpx.get(f"{nginx.http_url}/staff", timeout=10)
    assert redirected.status_code == 301  # noqa: PLR2004
    assert redirected.headers["location"].startswith("https://")
    with client(nginx) as anyone:
        assert anyone.get("/healthz").headers.get_list("strict-transport-security") == [
            "max-age=31536000; includeSubDomains"
        ]


def test_a_throttle_reached_on_one_instance_holds_on_the_other(deployment: Deployment) -> None:
    add_staff(deployment.first)
    guesser = httpx.HTTPTransport(local_address="127.0.0.7")
    other = httpx.HTTPTransport(local_address="127.0.0.8")
    right = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    with httpx.Client(base_url=deployment.first.base_url, transport=guesser, timeout=30) as a:
        for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
            wrong = {"email": f"nobody-{n}@clinic.example", "password": "wrong password 1"}
            assert a.post("/api/staff/session", json=wrong).status_code == 401  # noqa: PLR2004
        assert a.post("/api/staff/session", json=right).status_code == 429  # noqa: PLR2004
    guesser = httpx.HTTPTransport(local_address="127.0.0.7")
    with httpx.Client(base_url=deployment.second.base_url, transport=guesser, timeout=30) as b:
        assert b.post("/api/staff/session", json=right).status_code == 429  # noqa: PLR2004
    with httpx.Client(base_url=deployment.second.base_url, transport=other, timeout=30) as b:
        assert b.post("/api/staff/session", json=right).status_code == 200  # noqa: PLR2004

    # Through nginx the throttle counts the client's address, whichever instance answers.
    with client(deployment.nginx, "127.0.0.9") as c:
        for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
            wrong = {"email": f"nobody-{n}@clinic.example", "password": "wrong password 1"}
            assert c.post("/api/staff/session", json=wrong).status_code == 401  # noqa: PLR2004
        for _ in range(4):
            assert c.post("/api/staff/session", json=right).status_code == 429  # noqa: PLR2004
    refused_by = {
        tried[-1]
        for status, tried in answered_by(deployment.nginx, "POST", "/api/staff/session")
        if status == 429  # noqa: PLR2004
    }
    assert len(refused_by) == 2, refused_by  # noqa: PLR2004


@dataclass
class Load(Ledger):
    """What the clients sent and had acknowledged, and what went wrong on the way."""

    unknown_episodes: set[str] = field(default_factory=set)
    """Episodes answered 502: the dying instance may or may not have stored them."""
    retried_requests: int = 0
    repeated_requests: int = 0
    """Appointment requests a retry found stored already (answered 200, repeated)."""
    failed_reads: list[str] = field(default_factory=list)
    acknowledged_after_kill: int = 0
    killed: bool = False


def send_request(http: httpx.Client, marker: str, i: int, load: Load) -> str | None:
    """An appointment request, sent again with the same key until it is acknowledged."""
    body = request_body(marker, i)
    with load.lock:
        load.sent_requests[marker] = body
    for attempt in range(RETRIES):
        if attempt:
            with load.lock:
                load.retried_requests += 1
            time.sleep(0.2)
        try:
            response = http.post(
                "/api/v1/appointment-requests", json=body, headers={"Idempotency-Key": marker}
            )
        except httpx.TransportError:
            continue
        if response.status_code in (200, 201):
            if response.json().get("repeated"):
                with load.lock:
                    load.repeated_requests += 1
            return str(response.json()["id"])
        if response.status_code not in (502, 503, 504):
            load.failures.append(f"request {response.status_code} {response.text[:200]}")
            return None
    load.failures.append(f"request {marker} never acknowledged")
    return None


def run_client(
    nginx: Nginx, accounts: list[Account], load: Load, stop: threading.Event, n: int
) -> None:
    """Episodes, appointment requests and reads of acknowledged episodes, in turn."""
    i = n * 100_000
    with client(nginx) as http:
        while not stop.is_set():
            i += 1
            marker = uuid.uuid4().hex
            account = accounts[i % len(accounts)]
            bearer = {"Authorization": f"Bearer {account.token}"}
            if i % 3 == 0:
                request_id = send_request(http, marker, i, load)
                if request_id is None:
                    return
                acknowledged = load.acked_requests
            elif i % 3 == 1:
                body = episode_body(marker, 2 * i + 1)  # odd: at night, as when asleep
                with load.lock:
                    load.sent_episodes[marker] = (account.user_id, body)
                try:
                    response = http.post("/api/v1/episodes", json=body, headers=bearer)
                except httpx.TransportError:
                    load.unknown_episodes.add(marker)
                    continue
                if response.status_code in (502, 504):
                    load.unknown_episodes.add(marker)  # never resent: it may be stored
                    continue
                if response.status_code != 201:  # noqa: PLR2004
                    load.failures.append(f"episode {response.status_code} {response.text[:200]}")
                    return
                request_id = response.json()["id"]
                acknowledged = load.acked_episodes
            else:
                with load.lock:
                    mine = [
                        (m, e)
                        for m, e in load.acked_episodes.items()
                        if load.sent_episodes[m][0] == account.user_id
                    ]
                if not mine:
                    continue
                read_marker, episode_id = mine[i % len(mine)]
                try:
                    read = http.get(f"/api/v1/episodes/{episode_id}", headers=bearer)
                    if read.status_code != 200 or read.json()["notes"] != f"marker {read_marker}":  # noqa: PLR2004
                        load.failed_reads.append(f"{read.status_code} {read.text[:100]}")
                except httpx.TransportError as error:
                    load.failed_reads.append(repr(error))
                continue
            with load.lock:
                acknowledged[marker] = request_id
                if load.killed:
                    load.acknowledged_after_kill += 1


def test_an_instance_killed_under_load_loses_no_acknowledged_write(
    deployment: Deployment,
) -> None:
    nginx = deployment.nginx
    accounts = []
    with client(nginx) as http:
        for n in range(USERS):
            email = f"deployed-{n}-{uuid.uuid4().hex[:8]}@example.org"
            answer = http.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 201, answer.text  # noqa: PLR2004
            body = answer.json()
            accounts.append(Account(body["account"]["id"], email, body["token"]))

    load = Load()
    stop = threading.Event()
    threads = [
        threading.Thread(target=run_client, args=(nginx, accounts, load, stop, n))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    try:
        kill_by = time.monotonic() + KILL_AFTER
        while load.acknowledged() < KILL_AT_ACKNOWLEDGED and time.monotonic() < kill_by:
            time.sleep(0.01)
        deployment.second.kill()  # SIGKILL, mid-way: the clients are still writing
        with load.lock:
            load.killed = True
            before_kill = len(load.acked_episodes) + len(load.acked_requests)
        time.sleep(AFTER_THE_KILL)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not load.failures, load.failures[:5]
    assert not load.failed_reads, load.failed_reads[:5]
    assert before_kill >= 10, "too little was written before the kill"  # noqa: PLR2004
    assert load.acknowledged_after_kill >= 10, "the survivor acknowledged nothing"  # noqa: PLR2004

    episodes, requests = check_database(deployment.database_url, accounts, load)
    assert set(load.acked_requests) == set(load.sent_requests), "a request was given up"
    engine = make_engine(deployment.database_url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(
                select(AppointmentRequest.idempotency_key, func.count()).group_by(
                    AppointmentRequest.idempotency_key
                )
            ).all()
            stored = set(connection.scalars(select(Episode.notes)))
    finally:
        engine.dispose()
    assert all(count == 1 for _, count in keys)
    landed = {m for m in load.unknown_episodes if f"marker {m}" in stored}

    # nginx tried the dead instance again (after fail_timeout) and passed what it could
    # not deliver to the survivor, POSTs included: they had not reached the instance.
    dead = deployment.address(deployment.second)
    passed_on = [
        (method, status)
        for method, _, status, tried in nginx.upstreams()
        if len(tried) > 1 and tried[0] == dead
    ]
    assert passed_on and all(status < 300 for _, status in passed_on), passed_on  # noqa: PLR2004
    print(  # shown with -s
        f"acknowledged {before_kill} writes before the kill and "
        f"{load.acknowledged_after_kill} after; {episodes} episodes and {requests} requests "
        f"stored; {len(load.unknown_episodes)} episodes answered 502 ({len(landed)} of them "
        f"stored); {load.retried_requests} request retries ({load.repeated_requests} found "
        f"stored already); nginx passed on from {dead}: {sorted(passed_on)}"
    )
