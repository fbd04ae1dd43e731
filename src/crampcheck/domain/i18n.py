"""One translation function for every user-facing string (gettext).

English is the source language; a Spanish catalogue can be added under
``crampcheck/locale/es/LC_MESSAGES/crampcheck.mo`` without touching templates. The
catalogue holds the words of every layer that writes for people (the diary's labels and
charts, the pages, the one-page summary), so it lives beside the package, not in web.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources

DOMAIN = "crampcheck"


@cache
def translations(language: str = "en") -> gettext.NullTranslations:
    """The catalogue for ``language`` (falls back to the English source strings)."""
    localedir = str(resources.files("crampcheck") / "locale")
    return gettext.translation(DOMAIN, localedir=localedir, languages=[language], fallback=True)


def _(message: str) -> str:
    """Translate a string in code (the default language)."""
    return translations().gettext(message)
