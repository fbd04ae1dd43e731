"""One translation function for every user-facing string (gettext), in the person's language.

English is the source language: every message is written in English in the code and the
templates, and ``crampcheck/locale/<language>/LC_MESSAGES/crampcheck.po`` holds its
translation. The catalogue holds the words of every layer that writes for people (the
diary's labels and charts, the pages, the one-page summary), so it lives beside the
package, not in web.

The ``.po`` file is the only form kept: it is compiled in memory with Babel when a
language is first used in a process, so a fresh clone, an edited catalogue and an
installed wheel all show the words in the ``.po`` file, and no compiled ``.mo`` file can
go stale against it.

The language of the moment is a context variable: the web sets it for each request from
the person's choice or their browser's ``Accept-Language``, and ``_`` reads it when it is
called, so a message must be translated when it is shown, never at import time.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from io import BytesIO

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

DOMAIN = "crampcheck"

DEFAULT_LANGUAGE = "en"
"""The source language, and the language when nothing else is known."""

LANGUAGES: tuple[str, ...] = ("en", "es")
"""The languages a person can choose, the source language first."""

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español"}
"""Each language's name in its own words, for the switch between them."""

CLINIC_LANGUAGE = DEFAULT_LANGUAGE
"""The language of the clinic's side (its request page, one-page summary, FHIR export
and notice email): what a check done in another language is also rendered in, beside
the person's own words as they wrote them."""

_language: ContextVar[str] = ContextVar("crampcheck_language", default=DEFAULT_LANGUAGE)


def supported(language: str | None) -> str | None:
    """``language`` when it is one crampcheck speaks (``es``, ``es-MX`` -> ``es``), else None."""
    if not language:
        return None
    base = language.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def current_language() -> str:
    """The language of what is being written now."""
    return _language.get()


def set_language(language: str) -> None:
    """Write in ``language`` from now on in this context (an unknown one means English)."""
    _language.set(supported(language) or DEFAULT_LANGUAGE)


@contextmanager
def using_language(language: str) -> Iterator[None]:
    """Write in ``language`` inside the block, then go back to the language before it."""
    token = _language.set(supported(language) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def catalogue_path(language: str) -> Traversable:
    """Where the ``.po`` catalogue of ``language`` is kept in the package."""
    return resources.files("crampcheck") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str = DEFAULT_LANGUAGE) -> gettext.NullTranslations:
    """The catalogue for ``language``, compiled from its ``.po`` file once per process.

    English, or a language without a catalogue, gives the English source strings.
    Messages marked fuzzy (a translation not yet reviewed) are left out, so their
    English shows instead.
    """
    path = catalogue_path(language)
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _(message: str) -> str:
    """Translate a string in code into the language of the moment."""
    return translations(current_language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """Mark a message for the catalogue without translating it: for a message made
    where the language is not yet known (an error a service raises, a constant), which
    is translated with :func:`_` where it is shown. The message itself is returned."""
    return message


def in_every_language(message: str) -> tuple[tuple[str, str], ...]:
    """A message in each language crampcheck speaks, English first, as (language, text):
    for a person whose words were in neither, who must be told so in a language they
    may read."""
    return tuple((language, translations(language).gettext(message)) for language in LANGUAGES)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or the plural (by the language's own plural rule) of a message."""
    return translations(current_language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """Translate a message whose English is shared by different meanings ("Back": the
    body part, or the button), told apart by ``context``."""
    return translations(current_language()).pgettext(context, message)


def long_date(day: date | datetime) -> str:
    """A date in full as people write it: December 6, 2026 / 6 de diciembre de 2026."""
    return format_date(day, format="long", locale=_locale())


def medium_date(day: date | datetime) -> str:
    """A short date with the month's name: Dec 6, 2026 / 6 dic 2026."""
    return format_date(day, format="medium", locale=_locale())


def short_time(moment: datetime) -> str:
    """A time of day as people write it in the language (3:40 PM / 15:40), with its zone."""
    shown = format_time(moment, format="short", locale=_locale())
    return f"{shown} {moment.tzname() or ''}".strip()


def decimal(number: float) -> str:
    """A number with the language's decimal sign and grouping (1,234.5 / 1234,5)."""
    return format_decimal(number, locale=_locale())


def language_name(language: str) -> str:
    """A language's name in the language of the moment ("es": "Spanish" on an English
    page, "español" on a Spanish one); an unknown code as it is."""
    try:
        named = Locale.parse(language.replace("-", "_")).get_language_name(_locale())
    except (ValueError, TypeError):
        return language
    return named[:1].upper() + named[1:] if named else language


def _locale() -> Locale:
    return _babel_locale(current_language())


@cache
def _babel_locale(language: str) -> Locale:
    # Spanish as written in the Americas (es_419): "p. m.", no grouping of four digits.
    return Locale.parse({"en": "en_US", "es": "es_419"}.get(language, "en_US"))
