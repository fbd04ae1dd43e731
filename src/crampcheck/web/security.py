"""Response headers every page needs, and the request body limit (pure ASGI middleware)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from crampcheck.domain.limits import unusable_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PageAnswer = Callable[[Scope, int], ASGIApp | None]
"""For a request answered with an error before or instead of its route (413, a body too
large; 422, an address holding a control character; 500, an unexpected failure): the
ASGI app that answers it with the friendly error page, or None where JSON is wanted (the
API). Without one, every such answer is JSON."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PREFIX = "/static/"
"""Only the vendored assets may be kept by a cache; every other response may carry
personal data or a token (a check's result, the diary, a session), so unless a route says
otherwise it is ``Cache-Control: no-store`` (the security review's L4)."""
API_PREFIX = "/api/"
"""The JSON API checks the ids in its paths itself, after its guards (see web/api/inputs)."""


class _HttpMiddleware:
    """An ASGI middleware for HTTP requests only (lifespan and other scopes pass through
    untouched), with the error page answer it gives when it answers itself."""

    def __init__(self, app: ASGIApp, page_answer: PageAnswer | None = None) -> None:
        self.app = app
        self.page_answer = page_answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request."""
        raise NotImplementedError


class SecurityHeaders(_HttpMiddleware):
    """Adds the security headers to every HTTP response (HSTS only over HTTPS), and
    ``Cache-Control: no-store`` to every one outside ``/static/`` that sets no policy.

    Starlette answers an unhandled exception from its outermost layer, outside every
    added middleware, so such a 500 would go out without these headers. Here an
    exception raised before the response started is answered with a plain 500 that
    carries them, and then re-raised so the server still logs it.
    """

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        https = scope.get("scheme") == "https"
        private = not str(scope.get("path", "")).startswith(CACHEABLE_PREFIX)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = (
                    SECURITY_HEADERS + ((HSTS,) if https else ()) + ((NO_STORE,) if private else ())
                )
                for name, value in extra:
                    if name not in present:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        path = str(scope.get("path", ""))
        if not path.startswith(API_PREFIX) and unusable_text(path) is not None:
            # A NUL or another control character in an id in the path (%00): refused here,
            # so no route and no database ever sees it (the security review's L3).
            # In the API's validation-error shape, so every 422 reads the same.
            problem = {
                "type": "value_error",
                "loc": ["path"],
                "msg": "The address holds characters that are not valid text.",
            }
            await _answer(self.page_answer, scope, receive, send_with_headers, 422, [problem])
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await _answer(
                    self.page_answer, scope, receive, send_with_headers, 500, SERVER_ERROR
                )
            raise


class BodyLimit(_HttpMiddleware):
    """Refuses request bodies above ``max_bytes`` with 413, declared or streamed.

    The body is read (up to the limit) before the application sees the request, then
    handed to it in one piece. Counting inside the application's own reads would not
    do: FastAPI turns any error raised while it reads a body into a 400.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, page_answer: PageAnswer | None = None) -> None:
        super().__init__(app, page_answer)
        self.max_bytes = max_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
        chunks: list[bytes] = []
        received = 0
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending the whole body
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more_body = message.get("more_body", False)
        body: Message | None = {"type": "http.request", "body": b"".join(chunks)}

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        await _answer(self.page_answer, scope, receive, send, 413, detail)


SERVER_ERROR = "Internal Server Error"


async def _answer(
    page_answer: PageAnswer | None,
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: Any,
) -> None:
    """Answer ``status`` with the page ``page_answer`` gives, or with ``{"detail": ...}``
    (also when making the page failed: an error answer must not fail)."""
    page: ASGIApp | None = None
    if page_answer is not None:
        try:
            page = page_answer(scope, status)
        except Exception:  # the JSON answer below still goes out
            page = None
    if page is None:
        await _send_json(send, status, {"detail": detail})
    else:
        await page(scope, receive, send)


async def _send_json(send: Send, status: int, content: dict[str, Any]) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
