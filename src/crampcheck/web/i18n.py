"""The translation function the pages and templates use: :mod:`crampcheck.domain.i18n`,
shared with the diary's labels and charts and the one-page summary."""

from __future__ import annotations

from crampcheck.domain.i18n import DOMAIN, _, translations

__all__ = ["DOMAIN", "_", "translations"]
