"""How `crampcheck serve` runs the web application: the process model, nothing clinical.

One process (``--workers 1``, the default) builds the application itself and serves it.
Several (``--workers N``) use uvicorn's own supervisor: a parent process binds the socket
and starts N worker processes, each of which imports :func:`worker_app` by name, builds
the application (knowledge base, reader, database pool) for itself and freezes what it
loaded; the parent restarts a worker that dies and stops them all on SIGTERM or Ctrl-C.

Stopping is graceful in both: the listening socket is closed, idle connections are
closed, and the requests in flight are given ``shutdown_timeout`` seconds to finish
(then they are cancelled) before the database pool is closed.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

# How `crampcheck serve` runs uvicorn. No `server: uvicorn` header: it only tells a
# scanner which server's weaknesses to try (the security review). The Date header
# stays: HTTP asks an origin server with a clock to send one.
SERVER_OPTIONS: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,
    "proxy_headers": False,
    "server_header": False,
    "date_header": True,
}

WORKER_APP = "crampcheck.cli.serving:worker_app"
"""The application factory each worker process imports by name (it takes its settings
from the environment, which the workers inherit from `crampcheck serve`)."""


def freeze_loaded_objects() -> None:
    """The knowledge base, spaCy and the reader leave about 200,000 long-lived objects,
    and every full garbage collection scanned them all: about 0.1 s, during which every
    request in flight waited. They are frozen once loaded, so collections only look at
    what requests allocate."""
    gc.collect()
    gc.freeze()


def worker_app() -> FastAPI:
    """The application of one worker process: built from the environment's settings, its
    loaded objects frozen (the database was migrated by the parent before it started)."""
    from crampcheck.web.app import create_app

    app = create_app()
    freeze_loaded_objects()
    return app


def serve_app(
    app: Any,
    host: str,
    port: int,
    shutdown_timeout: int | None = None,
    log_config: dict[str, Any] | None = None,
) -> None:
    """Serve ``app`` in this process until stopped, as `crampcheck serve` does with one
    worker (bench/bench_api.py too)."""
    import uvicorn

    freeze_loaded_objects()
    uvicorn.run(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=shutdown_timeout,
        **SERVER_OPTIONS,
        **_logging(log_config),
    )


def _logging(log_config: dict[str, Any] | None) -> dict[str, Any]:
    """uvicorn's ``log_config`` when one is given (the request log's JSON lines), else
    uvicorn's own."""
    return {"log_config": log_config} if log_config is not None else {}


def serve_workers(
    factory: str,
    host: str,
    port: int,
    workers: int,
    shutdown_timeout: int | None,
    log_config: dict[str, Any] | None = None,
) -> bool:
    """Serve the application that ``factory`` (``module:function``) builds in
    ``workers`` processes until stopped; False when a worker could not start (uvicorn
    has logged why, and stopped the others)."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=shutdown_timeout,
        **SERVER_OPTIONS,
        **_logging(log_config),
    )
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    return not any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
