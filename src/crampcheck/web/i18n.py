"""The translation function the pages and templates use (:mod:`crampcheck.domain.i18n`,
shared with the diary's labels and charts and the one-page summary), and how a request's
language is chosen.

The language is, in order: the one the person chose with the switch on every page (kept
in a cookie), the one their browser asks for (``Accept-Language``, matched with Babel's
``negotiate_locale``), else English. A pure ASGI middleware sets it for the whole request,
so the pages, the API's words and the templates all follow it.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from babel import negotiate_locale
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampcheck.domain.i18n import (
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    current_language,
    decimal,
    in_every_language,
    long_date,
    medium_date,
    ngettext,
    short_time,
    supported,
    translations,
    using_language,
)
from crampcheck.domain.units import CELSIUS, using_temperature_unit

__all__ = [
    "DOMAIN",
    "LANGUAGE_COOKIE",
    "LANGUAGE_NAMES",
    "LANGUAGES",
    "LanguageMiddleware",
    "_",
    "current_language",
    "decimal",
    "in_every_language",
    "long_date",
    "medium_date",
    "ngettext",
    "short_time",
    "request_language",
    "translations",
]

LANGUAGE_COOKIE = "cc_lang"
"""The cookie that keeps the language a person chose (a year; not a secret, not tracking)."""

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

CLINIC_PATHS = ("/staff", "/api/staff")
"""The clinic's side, which stays in the clinic's language (English) whoever opens it."""


def accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``q=0`` left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _q, _p, tag in sorted(ranked)]


def request_language(cookie_header: str | None, accept_language: str | None) -> str:
    """The language to answer in: the chosen one, else the browser's, else English."""
    if cookie_header:
        jar = SimpleCookie()
        try:
            jar.load(cookie_header)
        except Exception:  # noqa: BLE001 - a malformed cookie header means no choice made
            jar = SimpleCookie()
        chosen = jar.get(LANGUAGE_COOKIE)
        if chosen is not None and supported(chosen.value) == chosen.value:
            return chosen.value
    if accept_language:
        wanted = [tag.lower() for tag in accepted(accept_language)]
        best = supported(negotiate_locale(wanted, list(LANGUAGES), sep="-"))
        if best:
            return best
    return DEFAULT_LANGUAGE


class LanguageMiddleware:
    """Answer every HTTP request in its language (see :func:`request_language`), with
    temperatures in the clinic's unit (``temperature_unit``: °F for a US clinic)."""

    def __init__(self, app: ASGIApp, temperature_unit: str = CELSIUS) -> None:
        self.app = app
        self.temperature_unit = temperature_unit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if str(scope.get("path", "")).startswith(CLINIC_PATHS):
            language = DEFAULT_LANGUAGE
        else:
            language = request_language(headers.get("cookie"), headers.get("accept-language"))
        scope.setdefault("state", {})["language"] = language

        async def send_varying(message: Message) -> None:
            # The same address answers in another language for another cookie or browser.
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        with using_language(language), using_temperature_unit(self.temperature_unit):
            await self.app(scope, receive, send_varying)
