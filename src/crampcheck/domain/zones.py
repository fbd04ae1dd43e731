"""Time zones of places, by their IANA names (such as ``America/Denver``).

A time zone a person, a clinic or a request names must be a place in the IANA time-zone
database. The system's database also holds names that are not places: ``localtime`` (a
copy of whatever zone the server is set to, so the same name means different hours on
another machine), ``posixrules`` and ``Factory``, and folders of variants (``posix/``,
``right/``). Those are refused wherever a zone is chosen (the security review).
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
"""Names in the time-zone database that are the server's own settings, not a place."""

UNKNOWN_ZONE = "give an IANA time zone name such as America/Denver"
"""What to do about a zone that is not taken, for messages."""


@cache
def place_zone_names() -> tuple[str, ...]:
    """Every zone name that is a place, sorted (for a list to choose from)."""
    return tuple(sorted(available_timezones() - NOT_PLACES))


@cache
def _places() -> frozenset[str]:
    return frozenset(place_zone_names())


def place_zone(name: str | None) -> ZoneInfo | None:
    """The zone of this IANA place name, or None when the name is not one."""
    if not name or name not in _places():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
