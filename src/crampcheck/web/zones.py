"""Time zones as people name them, shared by the pages and the JSON API."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def time_zone(name: str | None) -> tzinfo | None:
    """The IANA time zone of this name, or None when there is no such zone."""
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
