"""For `bench_api.py --workers`: nginx in front of the server, and the memory of its
processes.

nginx is Debian's, run unprivileged with its own prefix in a temporary folder on
127.0.0.1, with docs/deploy/nginx-crampcheck.conf (the configuration the deployment
tests run; only its addresses and paths filled in) and a self-signed certificate, so the
figures include TLS as a deployment would have it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from string import Template

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "docs" / "deploy" / "nginx-crampcheck.conf"


def nginx_command() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


@contextlib.contextmanager
def running_nginx(folder: Path, port: int, http_port: int, upstream: str) -> Iterator[str]:
    """nginx on 127.0.0.1:``port`` (TLS) in front of ``upstream`` (host:port); its URL."""
    command = nginx_command()
    if command is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(parents=True, exist_ok=True)
        (folder / temp).chmod(0o777)  # nginx's workers run as nobody when started as root
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = Template(CONFIG.read_text(encoding="utf-8")).safe_substitute(
        LISTEN=f"127.0.0.1:{port}",
        LISTEN_HTTP=f"127.0.0.1:{http_port}",
        SERVER_NAME="127.0.0.1",
        CERTIFICATE=str(cert),
        CERTIFICATE_KEY=str(key),
        APP_SERVER_1=upstream,
        APP_SERVER_2=upstream,
    )
    assert not re.search(r"\$\{[A-Z0-9_]+\}", site), "a placeholder was not filled in"
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
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
    process = subprocess.Popen(
        [command, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise SystemExit(f"nginx exited: {(folder / 'error.log').read_text()}")
            try:
                if httpx.get(f"{url}/healthz", verify=False, timeout=1).status_code == 200:  # noqa: S501, PLR2004 - our own certificate
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("nginx did not answer within 20 s") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def process_memory(pid: int) -> tuple[float, float, float]:
    """Resident, proportional (shared pages divided among their users) and private
    memory of a process, in MB (Linux's /proc/PID/smaps_rollup)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields["Rss"] / 1024, fields["Pss"] / 1024, private / 1024


def server_processes(pid: int) -> list[tuple[str, int]]:
    """The server's processes: itself, and each spawned worker (by kind and pid)."""
    found = [("server", pid)]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in (int(p) for p in children.read_text().split()):
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"spawn_main" in command:
            found.append(("worker", child))
        elif b"resource_tracker" in command:
            found.append(("tracker", child))
    return found
