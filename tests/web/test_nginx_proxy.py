"""crampcheck behind a real nginx that terminates TLS (the security review's M2).

nginx (Debian's package) runs ``docs/deploy/nginx-crampcheck.conf`` on 127.0.0.1 with a
certificate made for the test, in front of ``crampcheck serve``, and connects to it from
127.0.0.2, the one trusted proxy. Clients connect to nginx from their own loopback
addresses (127.0.0.5, 127.0.0.6), so the test can tell the client's address from the
proxy's: cookies are ``Secure`` and HSTS is sent, one client's failed sign-ins do not
lock another out, the audit log records the client's address, and a client's own
``X-Forwarded-For`` is not believed. nginx's access log keeps the requests but no
invitation link (a token that sets a staff member's password). Marked slow (two
servers start).
"""

from __future__ import annotations

import subprocess  # nosec B404 - nginx, openssl and the project's own command line
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from crampcheck.services import throttle
from crampcheck.storage.database import make_engine
from crampcheck.storage.tables import AuditEvent
from tests import nginx as shared_nginx
from tests.browser.conftest import unavailable
from tests.factories import choose_password, invitation_path
from tests.nginx import trusting
from tests.storage.test_durability import (  # noqa: F401 - fixture
    Server,
    free_port,
    server_env,
    server_factory,
)

pytestmark = pytest.mark.slow

PROXY_ADDRESS = "127.0.0.2"
CLIENT_A = "127.0.0.5"
CLIENT_B = "127.0.0.6"
STAFF_EMAIL = "proxied.admin@clinic.example"
STAFF_PASSWORD = "heliotrope-gantry-4471"


def nginx_command() -> str:
    """Debian's nginx; the test skips without it, and fails instead in CI (CI=true)."""
    found = shared_nginx.nginx_command()
    if found is None:
        unavailable("nginx not found (Debian: apt-get install nginx)")
    assert found is not None
    return found


@dataclass(frozen=True)
class Nginx:
    """A running nginx: its https and http URLs, the certificate it serves (a CA file
    for clients) and its folder (``access.log``; ``upstreams.log``: one line a request,
    ``METHOD PATH STATUS UPSTREAM...``, the instances tried in order)."""

    url: str
    http_url: str
    cert: Path
    folder: Path

    def upstreams(self) -> list[tuple[str, str, int, list[str]]]:
        """Each request so far: method, path, status, the instances it was sent to."""
        rows = []
        for line in (self.folder / "upstreams.log").read_text(encoding="utf-8").splitlines():
            method, path, status, *tried = line.replace(",", " ").split()
            rows.append((method, path, int(status), [t for t in tried if t != "-"]))
        return rows


def logs_and_proxy_address(folder: Path) -> str:
    """nginx's settings for the test: both access logs in ``folder``, and the proxy
    connecting from PROXY_ADDRESS (the one trusted proxy)."""
    return f"""log_format upstreams '$request_method $uri $status $upstream_addr';
    access_log {folder}/access.log;
    access_log {folder}/upstreams.log upstreams;
    proxy_bind {PROXY_ADDRESS};"""


@contextmanager
def running_nginx(folder: Path, app_servers: tuple[str, str]) -> Iterator[Nginx]:
    """nginx with docs/deploy/nginx-crampcheck.conf (only its placeholders filled in) on
    127.0.0.1, in front of ``app_servers`` (``host:port``), connecting to them from
    PROXY_ADDRESS; stopped afterwards."""
    nginx_command()
    port, http_port = free_port(), free_port()
    try:
        with shared_nginx.running_nginx(
            folder,
            port=port,
            http_port=http_port,
            app_servers=app_servers,
            http_settings=logs_and_proxy_address(folder),
            worker_connections=256,
        ) as (url, cert):
            yield Nginx(url, f"http://127.0.0.1:{http_port}", cert, folder)
    except shared_nginx.NginxFailed as failed:
        pytest.fail(str(failed))


@pytest.fixture
def nginx(tmp_path: Path, server_factory: list[Server]) -> Iterator[tuple[str, Server, Path]]:  # noqa: F811
    """``crampcheck serve`` behind nginx: nginx's https URL, the server, the CA file
    (nginx's access log is ``access.log`` beside it)."""
    server = Server(
        {**server_env(tmp_path / "data", None), "CRAMPCHECK_TRUSTED_PROXIES": PROXY_ADDRESS},
        tmp_path / "serve.log",
    )
    server_factory.append(server)
    server.start()
    address = f"127.0.0.1:{server.port}"
    with running_nginx(tmp_path / "nginx", (address, address)) as proxy:
        yield proxy.url, server, proxy.cert


def client_at(address: str, url: str, cert: Path) -> httpx.Client:
    """A client connecting to nginx from ``address``."""
    transport = httpx.HTTPTransport(local_address=address, verify=trusting(cert))
    return httpx.Client(base_url=url, transport=transport, timeout=30)


def crampcheck(server: Server, *args: str, stdin: str = "") -> str:
    """Run the command line on the server's database; its output."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", "import sys; from crampcheck.cli import main; sys.exit(main())",
         *args],
        input=stdin,
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def add_staff(server: Server) -> None:
    crampcheck(
        server,
        "staff", "add", "--clinic", "auger-podiatry", "--role", "admin",
        "--email", STAFF_EMAIL, "--name", "Proxied Admin", "--password-stdin",
        stdin=STAFF_PASSWORD + "\n",
    )  # fmt: skip


def sign_in_addresses(server: Server, action: str) -> list[str | None]:
    engine = make_engine(f"sqlite:///{Path(server.env['CRAMPCHECK_DATA_DIR'])}/crampcheck.sqlite3")
    try:
        with engine.connect() as connection:
            query = select(AuditEvent.address).where(AuditEvent.action == action)
            return list(connection.scalars(query.order_by(AuditEvent.at)))
    finally:
        engine.dispose()


def test_behind_nginx_the_client_is_seen_and_https_is_known(
    nginx: tuple[str, Server, Path],
) -> None:
    url, server, cert = nginx
    add_staff(server)
    with client_at(CLIENT_A, url, cert) as a, client_at(CLIENT_B, url, cert) as b:
        signed_up = a.post(
            "/api/v1/auth/signup", json={"email": "proxied@example.org", "password": STAFF_PASSWORD}
        )
        assert signed_up.status_code == 201, signed_up.text  # noqa: PLR2004
        assert "; secure" in signed_up.headers["set-cookie"].lower()
        assert signed_up.headers["strict-transport-security"].startswith("max-age=")

        # Client A guesses until its address is locked; client B, behind the same proxy,
        # signs in, and a header A forges changes nothing.
        for n in range(throttle.MAX_FAILURES_PER_ADDRESS):
            wrong = {"email": f"nobody-{n}@clinic.example", "password": "wrong password 1"}
            assert a.post("/api/staff/session", json=wrong).status_code == 401  # noqa: PLR2004
        right = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
        forged = {"x-forwarded-for": "198.51.100.99"}
        assert a.post("/api/staff/session", json=right, headers=forged).status_code == 429  # noqa: PLR2004
        assert b.post("/api/staff/session", json=right, headers=forged).status_code == 200  # noqa: PLR2004
    assert sign_in_addresses(server, "sign_in") == [CLIENT_B]

    # Straight to crampcheck, from an address that is not the proxy's, the same headers
    # are not believed.
    direct = httpx.get(
        f"{server.base_url}/healthz", headers={"x-forwarded-proto": "https"}, timeout=10
    )
    assert "strict-transport-security" not in direct.headers


def test_behind_nginx_an_invitation_link_is_not_in_the_access_log(
    nginx: tuple[str, Server, Path],
) -> None:
    url, server, cert = nginx
    printed = crampcheck(
        server,
        "staff", "invite", "--clinic", "auger-podiatry", "--role", "clinician",
        "--email", "invited.clinician@clinic.example", "--name", "Invited Clinician",
        "--base-url", url,
    )  # fmt: skip
    link = invitation_path(printed)
    with client_at(CLIENT_A, url, cert) as browser:
        assert browser.get("/clinic").status_code == 200  # noqa: PLR2004
        assert choose_password(browser, link, STAFF_PASSWORD).status_code == 303  # noqa: PLR2004
        assert browser.get("/staff").status_code == 200, "signed in through nginx"  # noqa: PLR2004
        assert browser.get(link).status_code == 410  # noqa: PLR2004
    access_log = (cert.parent / "access.log").read_text(encoding="utf-8")
    assert "GET /clinic " in access_log and "GET /staff " in access_log, "the log works"
    assert "/staff/invite" not in access_log and link.rsplit("/", 1)[1] not in access_log
