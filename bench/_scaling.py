"""For `bench_api.py --workers`: nginx in front of the server, and the memory of its
processes.

nginx is Debian's, run unprivileged with its own prefix in a temporary folder on
127.0.0.1, with docs/deploy/nginx-crampcheck.conf (the configuration the deployment
tests run; only its addresses and paths filled in) and a self-signed certificate, so the
figures include TLS as a deployment would have it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the deployment tests' nginx, shared with them
    sys.path.insert(0, str(REPO))

from tests.nginx import NginxFailed, nginx_command  # noqa: E402
from tests.nginx import running_nginx as nginx_with_the_deployment_config  # noqa: E402

__all__ = ["nginx_command", "process_memory", "running_nginx", "server_processes"]


@contextlib.contextmanager
def running_nginx(folder: Path, port: int, http_port: int, upstream: str) -> Iterator[str]:
    """nginx on 127.0.0.1:``port`` (TLS) in front of ``upstream`` (host:port); its URL.
    Without access logs, so that the figures do not include writing them."""
    try:
        with nginx_with_the_deployment_config(
            folder,
            port=port,
            http_port=http_port,
            app_servers=(upstream, upstream),
            http_settings="access_log off;",
            worker_connections=1024,
        ) as (url, _cert):
            yield url
    except NginxFailed as failed:
        raise SystemExit(str(failed)) from None


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
