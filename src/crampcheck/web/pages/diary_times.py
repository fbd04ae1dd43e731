"""Diary times in the person's time zone: which zone, a stored time shown in it, and
the times the quick presets ("last night") stand for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from fastapi import Request

from crampcheck.domain.times import aware as _aware
from crampcheck.web.pages.account import zone_name
from crampcheck.web.zones import time_zone

PRESETS = ("now", "this_morning", "last_night", "yesterday")
"""The quick times the episode form offers ("last night")."""


def zone_of(request: Request) -> tuple[tzinfo, str]:
    """The person's time zone and its name (UTC when unknown)."""
    name = zone_name(request)
    zone = time_zone(name) if name else None
    return (zone, name) if zone is not None else (UTC, "UTC")


def local(moment: datetime, zone: tzinfo) -> datetime:
    """A stored time in the person's zone."""
    return _aware(moment).astimezone(zone)


def show_time(moment: datetime, zone: tzinfo) -> str:
    return local(moment, zone).strftime("%Y-%m-%d %H:%M")


def preset_time(preset: str, now: datetime) -> datetime:
    """The time a preset stands for, ``now`` being the person's local time."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if preset == "this_morning":
        return min(midnight.replace(hour=7), now)
    if preset == "last_night":
        night = midnight.replace(hour=3)
        return night if night <= now else (midnight - timedelta(days=1)).replace(hour=23)
    if preset == "yesterday":
        return (midnight - timedelta(days=1)).replace(hour=12)
    return now
