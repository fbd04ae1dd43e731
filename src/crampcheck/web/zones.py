"""Time zones as people name them, shared by the pages and the JSON API."""

from __future__ import annotations

from datetime import tzinfo

from crampcheck.domain.zones import place_zone


def time_zone(name: str | None) -> tzinfo | None:
    """The IANA time zone of this place name, or None when there is no such place
    (``localtime`` and the database's other names that are not places included)."""
    return place_zone(name)
