"""The operator's metrics, in Prometheus' exposition format (``prometheus-client``).

What is counted is about the service, never about a person: requests by method, route
template (``/check/result/{token}``, never the address itself) and status; how long
they took; finished checks by the urgency they gave; the text reader's time; the
database pool's connections. No label holds a name, an address, a token or a word
someone typed, and every label has a small, fixed set of values.

The metrics are served on a port of their own, off by default (see
:func:`start_metrics_server` and the ``metrics_*`` settings), so a reverse proxy in
front of the application cannot publish them by mistake.

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
that only crampcheck writes to: each process then keeps its values in files there
(prometheus-client's multiprocess mode), and the metrics port reads them all. The
metrics are made on first use, not at import, so that ``crampcheck serve`` can clear
a previous run's files first (:func:`clear_multiprocess_dir`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
    start_http_server,
)
from sqlalchemy import Engine, event

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods named in a label as they are; any other is counted as ``OTHER`` (a client
may send any word as a method, and each would otherwise be a new series)."""

READER_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""The reader takes about 3 ms for a usual description; a rebuild about 0.2 s."""


@dataclass(frozen=True)
class Metrics:
    """Every metric crampcheck keeps (one set per process)."""

    requests: Counter
    request_seconds: Histogram
    checks: Counter
    reader_seconds: Histogram
    pool_checked_out: Gauge
    pool_open: Gauge
    pool_capacity: Gauge


@cache
def metrics() -> Metrics:
    """The process's metrics, made on first use in the default registry. Without the
    ``*_created`` series (a timestamp per counter and label set, which the Prometheus
    text format shows as one more gauge each, and multiprocess mode cannot keep)."""
    disable_created_metrics()  # type: ignore[no-untyped-call]
    return Metrics(
        requests=Counter(
            "crampcheck_http_requests_total",
            "HTTP requests answered, by method, route template and status code.",
            ["method", "route", "status"],
        ),
        request_seconds=Histogram(
            "crampcheck_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route template.",
            ["method", "route"],
        ),
        checks=Counter(
            "crampcheck_checks_total",
            "Finished checks, by the urgency of their result and by where they were "
            "made (pages: the check's pages; diary: a diary episode run through the check; "
            "api: the JSON API).",
            ["urgency", "channel"],
        ),
        reader_seconds=Histogram(
            "crampcheck_reader_duration_seconds",
            "Time the text reader took to read one description (repeats of a recent "
            "description are answered from a cache and not counted).",
            buckets=READER_BUCKETS,
        ),
        pool_checked_out=Gauge(
            "crampcheck_db_pool_checked_out_connections",
            "Database connections in use by a request now.",
            multiprocess_mode="livesum",
        ),
        pool_open=Gauge(
            "crampcheck_db_pool_open_connections",
            "Database connections open now (in use or idle in the pool).",
            multiprocess_mode="livesum",
        ),
        pool_capacity=Gauge(
            "crampcheck_db_pool_capacity_connections",
            "The most connections the pool may open (its size and overflow; summed over "
            "the worker processes).",
            multiprocess_mode="livesum",
        ),
    )


def request_method(method: str) -> str:
    """A request's method as a label: one of :data:`METHODS`, or ``OTHER``."""
    return method if method in METHODS else "OTHER"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (``route`` is its template, never its address)."""
    found = metrics()
    label = request_method(method)
    found.requests.labels(label, route, str(status)).inc()
    found.request_seconds.labels(label, route).observe(seconds)


def count_check(urgency: str, channel: str) -> None:
    """Count one finished check by its urgency (``channel``: ``pages``, ``diary`` or
    ``api``)."""
    metrics().checks.labels(urgency, channel).inc()


@contextmanager
def reader_timer() -> Iterator[None]:
    """Time one read of a description by the text reader."""
    start = time.perf_counter()
    try:
        yield
    finally:
        metrics().reader_seconds.observe(time.perf_counter() - start)


def instrument_pool(engine: Engine) -> None:
    """Follow ``engine``'s connection pool: connections open, checked out, and the
    pool's capacity (a pool without a fixed size, such as an in-memory SQLite
    database's, reports none)."""
    found = metrics()
    size = getattr(engine.pool, "size", None)
    overflow = getattr(engine.pool, "_max_overflow", 0)
    if callable(size):
        found.pool_capacity.set(size() + max(0, overflow))  # one engine a process

    def connected(_dbapi: Any, _record: Any) -> None:
        found.pool_open.inc()

    def closed(_dbapi: Any, _record: Any) -> None:
        found.pool_open.dec()

    def checked_out(_dbapi: Any, _record: Any, _proxy: Any) -> None:
        found.pool_checked_out.inc()

    def checked_in(_dbapi: Any, _record: Any) -> None:
        found.pool_checked_out.dec()

    event.listen(engine, "connect", connected)
    event.listen(engine, "close", closed)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)


def multiprocess_dir() -> Path | None:
    """The folder of the multiprocess mode's files, when it is on."""
    folder = os.environ.get(MULTIPROCESS_VARIABLE)
    return Path(folder) if folder else None


def clear_multiprocess_dir() -> int:
    """Remove the metric files a previous run left (before any process of this run
    writes one); how many. Does nothing without multiprocess mode."""
    folder = multiprocess_dir()
    if folder is None:
        return 0
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    removed = 0
    for path in folder.glob("*.db"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def process_ended(pid: int | None = None) -> None:
    """A worker process is ending: its live gauges (pool connections) stop counting."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]


def exposition_registry() -> CollectorRegistry:
    """What the metrics port serves: every process's values in multiprocess mode (read
    from the shared folder at each scrape), else this process's own."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@dataclass(frozen=True)
class MetricsServer:
    """The metrics port, listening (stopped with :meth:`stop`)."""

    host: str
    port: int
    _server: Any

    def stop(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()


def start_metrics_server(host: str, port: int) -> MetricsServer:
    """Serve the metrics at ``http://host:port/metrics`` from a thread of this process
    (port 0: any free port). ``crampcheck serve`` starts it in the process that
    supervises the workers, so one port answers for them all."""
    server, _thread = start_http_server(port, addr=host, registry=exposition_registry())
    return MetricsServer(host, int(server.server_port), server)
