"""Debian's nginx with the deployment's configuration, for the deployment tests and the
benchmarks: run unprivileged with its own prefix in a folder on 127.0.0.1, with
docs/deploy/nginx-crampcheck.conf (only its placeholders filled in) and a self-signed
certificate, so that what is tested and measured is TLS and proxying as a deployment
has them."""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess  # nosec B404 - Debian's nginx and openssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

import httpx

CONFIG = Path(__file__).resolve().parents[1] / "docs" / "deploy" / "nginx-crampcheck.conf"
STARTUP_SECONDS = 20


class NginxFailed(RuntimeError):
    """nginx exited, or did not answer in time; the message says which (with its error log)."""


def nginx_command() -> str | None:
    """Debian's nginx, or None where it is not installed."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day, and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - Debian's openssl
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def trusting(cert: Path) -> ssl.SSLContext:
    """A TLS context that trusts the certificate nginx serves."""
    return ssl.create_default_context(cafile=str(cert))


@contextmanager
def running_nginx(
    folder: Path,
    *,
    port: int,
    http_port: int,
    app_servers: tuple[str, str],
    http_settings: str,
    worker_connections: int,
) -> Iterator[tuple[str, Path]]:
    """nginx on 127.0.0.1:``port`` (TLS) and ``http_port`` (plain HTTP, which redirects)
    in front of ``app_servers`` (``host:port``), with ``http_settings`` added to its
    ``http`` block (logs, the proxy's own address); its https URL and certificate.
    Stopped afterwards; :class:`NginxFailed` when it does not start."""
    command = nginx_command()
    if command is None:
        raise NginxFailed("nginx is not installed (Debian: apt-get install nginx)")
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(parents=True, exist_ok=True)
        (folder / temp).chmod(0o777)  # nginx's workers run as nobody when started as root
    cert, key = certificate(folder)
    site = Template(CONFIG.read_text(encoding="utf-8")).safe_substitute(
        LISTEN=f"127.0.0.1:{port}",
        LISTEN_HTTP=f"127.0.0.1:{http_port}",
        SERVER_NAME="127.0.0.1",
        CERTIFICATE=str(cert),
        CERTIFICATE_KEY=str(key),
        APP_SERVER_1=app_servers[0],
        APP_SERVER_2=app_servers[1],
    )
    assert not re.search(r"\$\{[A-Z0-9_]+\}", site), "a placeholder was not filled in"
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    {http_settings}
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(  # noqa: S603 - Debian's nginx with the caller's configuration
        [command, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, url, cert, folder / "error.log")
        yield url, cert
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_answering(
    process: subprocess.Popen[bytes], url: str, cert: Path, errors: Path
) -> None:
    """Until nginx answers ``/healthz`` through to the application."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise NginxFailed(f"nginx exited: {errors.read_text() if errors.exists() else ''}")
        try:
            if httpx.get(f"{url}/healthz", verify=trusting(cert), timeout=1).status_code == 200:  # noqa: PLR2004
                return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise NginxFailed(f"nginx did not answer within {STARTUP_SECONDS} s") from None
            time.sleep(0.1)
