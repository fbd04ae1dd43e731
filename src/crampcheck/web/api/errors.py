"""Error responses of the JSON API, all in FastAPI's shape: ``{"detail": [{"loc", ...}]}``.

The API's routes use :class:`ApiRoute`, which renders request validation errors itself
instead of leaving them to FastAPI's default handler, for two reasons:

- the default handler echoes each bad ``input`` back as JSON, and a body such as
  ``{"values": {"temperature_c": NaN}}`` (Python's JSON reader accepts ``NaN`` and
  ``Infinity``, and numbers too large for a float become infinity) then fails to render,
  so the client got a 500 instead of a 422;
- a body that is not valid UTF-8, or JSON nested so deeply that Python's reader gives up
  (``RecursionError``), got FastAPI's generic 400 "error parsing the body", while any
  other malformed JSON gets a 422 (SECURITY.md promises a 422 for every invalid body).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from crampcheck.services import throttle
from crampcheck.services.accounts import AccountError, ThrottledError
from crampcheck.web.api.schemas import ErrorOut

BAD_REQUEST = 400
UNPROCESSABLE = 422
UNREADABLE_BODIES: dict[type[BaseException], str] = {
    UnicodeDecodeError: "The body is not valid UTF-8 JSON",
    RecursionError: "The body's JSON is nested too deeply",
}
"""Why FastAPI could not read a body (the cause of its 400), said as a 422."""


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its name (``"nan"``, ``"inf"``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def validation_response(errors: Sequence[Any]) -> JSONResponse:
    """A 422 listing each problem with its ``loc``, ``msg`` and ``type``."""
    cleaned = []
    for error in errors:
        # What was sent is never echoed: it may hold a password, or text that cannot be
        # written back (the review's M1).
        item = {k: v for k, v in dict(error).items() if k not in ("input", "url")}
        ctx = item.get("ctx")
        if isinstance(ctx, dict) and isinstance(ctx.get("error"), Exception):
            item["ctx"] = {**ctx, "error": str(ctx["error"])}
        cleaned.append(item)
    content = {"detail": json_safe(jsonable_encoder(cleaned))}
    return JSONResponse(content, status_code=UNPROCESSABLE)


def field_error(field: str, message: str) -> JSONResponse:
    """A 422 for one field of the body, shaped like a validation error."""
    return validation_response([{"type": "value_error", "loc": ["body", field], "msg": message}])


RETRY_AFTER = str(int(throttle.WINDOW.total_seconds()))
SIGN_IN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Wrong email address or password"},
    429: {"model": ErrorOut, "description": "Too many failed attempts"},
}
"""The documented refusals of a sign-in (a patient's or a staff member's)."""


def throttled(error: ThrottledError) -> JSONResponse:
    """429 with the throttle's message and when to try again."""
    return JSONResponse(
        {"detail": error.message}, status_code=429, headers={"Retry-After": RETRY_AFTER}
    )


def refused(error: AccountError, field: str | None = None) -> JSONResponse:
    """The answer to credentials or a password the account services refused: 429 when
    throttled; else a 422 on ``field`` of the body, or, without one, a 401 that says the
    same for an unknown address and a wrong password."""
    if isinstance(error, ThrottledError):
        return throttled(error)
    if field is None:
        return JSONResponse({"detail": error.message}, status_code=401)
    return field_error(field, error.message)


class ApiRoute(APIRoute):
    """A route whose request errors are always rendered as a JSON 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return validation_response(error.errors())
            except HTTPException as error:
                cause = error.__cause__
                message = UNREADABLE_BODIES.get(type(cause)) if cause is not None else None
                if error.status_code == BAD_REQUEST and message is not None:
                    return validation_response(
                        [{"type": "json_invalid", "loc": ["body"], "msg": message}]
                    )
                raise

        return handle
