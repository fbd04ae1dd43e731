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
