"""The operator's view of each request: a request id, one JSON log line, the metrics.

Every request gets an id: the ``X-Request-ID`` a trusted reverse proxy sent (only from
an address in ``trusted_proxies``, and only when it is a plain token of 8 to 128
letters, digits and ``. _ : -``), or a new random one. It is sent back in the
answer's ``X-Request-ID`` header and stamped on every log line written while the
request runs, so a person's "it went wrong at 10:02" and the proxy's log can be
matched to crampcheck's.

The log line says what an operator needs and nothing about the person: the method,
the route *template* (``/check/result/{token}``: addresses carry tokens and
references, so the address itself is never written), the status, the duration. No
query string, no body, no header values, no email; the client's address only when
``log_client_address`` is set.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampcheck.services.metrics import observe_request, request_method
from crampcheck.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
UNMATCHED = "unmatched"
"""The route of a request that matched none (a 404): its address is not written."""
STATIC = "/static/{path}"

current_request_id: ContextVar[str | None] = ContextVar("crampcheck_request_id", default=None)
log = logging.getLogger("crampcheck.requests")

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(entries: Iterable[str]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(peer: str | None, networks: tuple[_Network, ...]) -> bool:
    if not peer or not networks:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in networks)


def incoming_request_id(scope: Scope, networks: tuple[_Network, ...]) -> str | None:
    """The ``X-Request-ID`` sent by a trusted proxy, when it is a safe token."""
    client = scope.get("client")
    if not _trusted(client[0] if client else None, networks):
        return None
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if SAFE_REQUEST_ID.fullmatch(text) else None
    return None


def route_template(scope: Scope) -> str:
    """The template of the route a request matched (``/diary/{episode_id}``), the static
    files' mount, or ``unmatched``; never the request's own address."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if scope.get("path", "").startswith("/static/") and scope.get("root_path", "").endswith(
        "/static"
    ):
        return STATIC
    return UNMATCHED


class RequestLog:
    """ASGI middleware: the request id, the log line and the request metrics.

    It must be the outermost layer, to see the address a request really came from
    (the trusted-proxy layer inside it then replaces that with the client's)."""

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: Iterable[str], client_address: bool
    ) -> None:
        self.app = app
        self.networks = _networks(trusted_proxies)
        self.client_address = client_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_request_id(scope, self.networks) or uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = request_method(str(scope.get("method", "")))
            observe_request(method, route, status, seconds)
            fields: dict[str, Any] = {
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
            if self.client_address:
                client = scope.get("client")
                fields["client"] = client[0] if client else None
            log.info("request", extra={"fields": fields})
            current_request_id.reset(token)


def install(app: Any, settings: Settings) -> None:
    """Add the request log to ``app`` as its outermost middleware (call last)."""
    app.add_middleware(
        RequestLog,
        trusted_proxies=settings.trusted_proxy_list,
        client_address=settings.log_client_address,
    )


# ---------------------------------------------------------------- the log's format


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was written in (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request id, and
    the record's ``fields`` (see :class:`RequestLog`)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id.get()
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(settings: Settings) -> dict[str, Any]:
    """The logging configuration of ``crampcheck serve`` (uvicorn's ``log_config``): every
    line JSON on standard error; one line per request unless ``log_requests`` is off."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "crampcheck": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "crampcheck.requests": {"level": "INFO" if settings.log_requests else "WARNING"},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
