"""Friendly HTML pages for errors on pages; the JSON API keeps its JSON errors.

Most errors reach the handlers below. Three are answered outside the application, by the
middleware in :mod:`crampcheck.web.security`: a body too large (413), an address holding a
control character (422) and an unexpected exception (500); :func:`page_answer` gives it
the same pages for them. An error page never says what failed: an exception's message
may hold what a person typed.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from crampcheck.web.i18n import _
from crampcheck.web.pages.guards import Answer
from crampcheck.web.pages.render import ErrorView, error_page, page
from crampcheck.web.state import AppState

JSON_PATHS = ("/api/", "/healthz", "/readyz", "/openapi.json")


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
    if exc.status_code == 404:
        response = page(request, _state(request), "not_found.html", status_code=404)
    else:
        response = _error_page(request, exc.status_code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """Invalid input: the API's JSON details, or a page saying what to do."""
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return await request_validation_exception_handler(request, exc)
    view = ErrorView(
        title=_("Some of what was sent could not be used"),
        message=_("Please go back, check what you entered, and try again."),
        show_restart=True,
    )
    return error_page(request, _state(request), view, 422)


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: still tell a person where to get help.

    The security middleware answers these first (see :func:`page_answer`); this stays
    for a failure it does not see."""
    if _is_api(request):
        return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
    return _safe_error_page(request, 500)


def page_answer(scope: Scope, status: int) -> Response | None:
    """The error page for a request the security middleware answers itself (413, 422 or
    500), or None under the JSON API, which keeps its JSON."""
    request = Request(scope)
    if _is_api(request):
        return None
    return _safe_error_page(request, status)


def _error_page(request: Request, status: int) -> HTMLResponse:
    titles = {
        400: _("We could not read what was sent"),
        405: _("This page cannot be used that way"),
        413: _("What was sent is too large"),
        422: _("Some of what was sent could not be used"),
    }
    if status >= 500:
        view = ErrorView(
            title=_("Something went wrong on our side"),
            message=_("Please try again in a moment. If you are worried, contact a doctor."),
        )
    else:
        view = ErrorView(
            title=titles.get(status, _("Something went wrong")),
            message=_(
                "Please go back and try again, or start from the beginning. Nothing was saved."
            ),
            show_restart=True,
        )
    return error_page(request, _state(request), view, status)


def _safe_error_page(request: Request, status: int) -> HTMLResponse:
    """The error page; if even that cannot be made, a plain one that still says where to
    get help (it runs when something already went wrong)."""
    try:
        return _error_page(request, status)
    except Exception:
        return _plain_page(request, status)


def _plain_page(request: Request, status: int) -> HTMLResponse:
    try:
        number = str(_state(request).settings.emergency_number)
    except Exception:
        number = ""
    call = (
        _("In an emergency, call %(number)s now.") % {"number": number}
        if number
        else _("In an emergency, call your local emergency number now.")
    )
    title = _("Something went wrong on our side") if status >= 500 else _("Something went wrong")
    advice = _("Please try again in a moment. If you are worried, contact a doctor.")
    start = _("Go to the start page")
    html = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f"<p>{escape(advice)}</p><p>{escape(call)}</p>"
        f'<p><a href="/">{escape(start)}</a></p></main></body></html>\n'
    )
    return HTMLResponse(html, status_code=status)


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
