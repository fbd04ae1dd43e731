"""Jinja2 templates with gettext, and the context every page shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crampcheck.web.auth import page_session
from crampcheck.web.i18n import LANGUAGE_NAMES, LANGUAGES, _, current_language, ngettext
from crampcheck.web.state import AppState

HTMX_SCRIPT = "/static/vendor/htmx-2.0.11.min.js"


@cache
def environment() -> Environment:
    """The template environment: autoescaped, gettext installed in the request's language
    (the templates' ``_`` and ``ngettext`` read it when called)."""
    env = Environment(
        loader=PackageLoader("crampcheck.web", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_, ngettext=ngettext, newstyle=True
    )
    env.filters["single_quoted"] = single_quoted
    # The language of the moment, for macros (imported without the page's context).
    env.globals["current_language"] = current_language
    return env


def single_quoted(value: str) -> Markup:
    """Escape ``value`` for an attribute written in single quotes.

    JSON in a hidden field is mostly double quotes; left unescaped (which is safe
    inside single quotes) the carried check is about a third smaller.
    """
    # The value is escaped (& ' < >) just below (bandit B704).
    return Markup(  # nosec B704
        str(value)
        .replace("&", "&amp;")
        .replace("'", "&#39;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def tel_link(number: str) -> str:
    """A ``tel:`` link target for a phone number as people write it."""
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


def page(
    request: Request,
    state: AppState,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    *,
    htmx: bool = False,
) -> HTMLResponse:
    """Render ``template`` with the shared context (emergency number, clinic, htmx)."""
    number = state.settings.emergency_number
    shared: dict[str, Any] = {
        "lang": current_language(),
        "other_languages": language_links(request),
        "emergency_number": number,
        "emergency_tel": tel_link(number),
        "clinic": state.clinic,
        "clinic_tel": tel_link(state.clinic.phone),
        "path": request.url.path,
        "htmx_script": HTMX_SCRIPT if htmx else None,
        "htmx_request": request.headers.get("hx-request") == "true",
        "disclaimer": state.pipeline.kb.policy.disclaimer.replace("{emergency_number}", number),
        "care": state.pipeline.care_terms(number),
        **page_session(request, state),
    }
    html = environment().get_template(template).render({**shared, **(context or {})})
    return HTMLResponse(html, status_code=status_code)


def language_links(request: Request) -> list[dict[str, str]]:
    """The switch to each other language, back to this same page: its code, its name in
    its own words and the address that chooses it."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "href": f"/language/{code}?{urlencode({'next': here})}",
        }
        for code in LANGUAGES
        if code != current_language()
    ]


def not_found(request: Request, state: AppState) -> HTMLResponse:
    """The friendly 404 page."""
    return page(request, state, "not_found.html", status_code=404)


@dataclass(frozen=True)
class ErrorView:
    """What the error page (``error.html``) shows: a title, what happened and what to do,
    and optionally a way on (start the check again, or the clinic's phone number)."""

    title: str
    message: str
    show_restart: bool = False
    show_clinic_phone: bool = False


def error_page(
    request: Request, state: AppState, view: ErrorView, status_code: int
) -> HTMLResponse:
    """The error page with ``view``'s words."""
    return page(request, state, "error.html", asdict(view), status_code=status_code)
