"""Friendly HTML pages for errors on pages; the JSON API keeps its JSON errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from crampcheck.web.i18n import _
from crampcheck.web.pages.guards import Answer
from crampcheck.web.pages.render import page
from crampcheck.web.state import AppState

JSON_PATHS = ("/api/", "/healthz", "/openapi.json")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(JSON_PATHS)


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.crampcheck
    return state


async def http_error(request: Request, exc: Exception) -> Response:
    """404 and other HTTP errors: JSON under the API, a page elsewhere."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return await http_exception_handler(request, exc)
    state = _state(request)
    if exc.status_code == 404:
        response = page(request, state, "not_found.html", status_code=404)
    else:
        titles = {
            400: _("We could not read what was sent"),
            405: _("This page cannot be used that way"),
            413: _("What was sent is too large"),
            422: _("Some of what was sent could not be used"),
        }
        response = page(
            request,
            state,
            "error.html",
            {
                "title": titles.get(exc.status_code, _("Something went wrong")),
                "message": _(
                    "Please go back and try again, or start from the beginning. Nothing was saved."
                ),
                "show_restart": True,
            },
            status_code=exc.status_code,
        )
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """Invalid input: the API's JSON details, or a page saying what to do."""
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return await request_validation_exception_handler(request, exc)
    return page(
        request,
        _state(request),
        "error.html",
        {
            "title": _("Some of what was sent could not be used"),
            "message": _("Please go back, check what you entered, and try again."),
            "show_restart": True,
        },
        status_code=422,
    )


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: still tell a person where to get help."""
    if _is_api(request):
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
    return page(
        request,
        _state(request),
        "error.html",
        {
            "title": _("Something went wrong on our side"),
            "message": _("Please try again in a moment. If you are worried, contact a doctor."),
        },
        status_code=500,
    )


async def guard_answer(_request: Request, exc: Exception) -> Response:
    """What a page's guard answered instead of the route (see :mod:`.guards`)."""
    assert isinstance(exc, Answer)
    return exc.response


def install_error_pages(app: FastAPI) -> None:
    """Register the error pages, and the guards' answers, on the application."""
    app.add_exception_handler(Answer, guard_answer)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
