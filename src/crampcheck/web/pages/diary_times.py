"""Diary times in the person's time zone and the clinic's locale (in their language):
which zone, a stored time shown in it, and the times the quick presets ("last night")
stand for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from fastapi import Request

from crampcheck.domain.i18n import current_language
from crampcheck.domain.local_format import LocalFormat, in_language
from crampcheck.domain.times import aware as _aware
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import zone_name
from crampcheck.web.state import AppState
from crampcheck.web.zones import time_zone

PRESETS = ("now", "this_morning", "last_night", "yesterday")
"""The quick times the episode form offers ("last night")."""


def zone_of(request: Request, state: AppState) -> tuple[tzinfo, str]:
    """The person's time zone and its name: the one their browser reported or they
    chose, else the clinic's (its clinic file's), else UTC."""
    name = zone_name(request)
    zone = time_zone(name) if name else None
    if zone is not None:
        return zone, name
    clinic_zone = time_zone(state.clinic.time_zone)
    if clinic_zone is not None:
        return clinic_zone, state.clinic.time_zone
    return UTC, "UTC"


def here(request: Request, state: AppState) -> LocalFormat:
    """How this person's dates and times are written: their zone, the clinic's locale
    in the language of their pages."""
    zone, name = zone_of(request, state)
    return LocalFormat(zone, name, in_language(state.clinic.locale, current_language()))


def local(moment: datetime, zone: tzinfo) -> datetime:
    """A stored time in the person's zone."""
    return _aware(moment).astimezone(zone)


def preset_time(preset: str, now: datetime) -> datetime:
    """The time a preset stands for, ``now`` being the person's local time: "this
    morning" is 7 AM, "last night" 3 AM (11 PM the day before when it is not yet 3 AM),
    "yesterday" noon. The form says which time each stands for, and the diary says what
    time it stored."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if preset == "this_morning":
        return min(midnight.replace(hour=7), now)
    if preset == "last_night":
        night = midnight.replace(hour=3)
        return night if night <= now else (midnight - timedelta(days=1)).replace(hour=23)
    if preset == "yesterday":
        return (midnight - timedelta(days=1)).replace(hour=12)
    return now


def preset_choices(labels: list[tuple[str, str]], fmt: LocalFormat) -> list[tuple[str, str]]:
    """The quick times with the time each stands for ("Last night (3:00 AM)")."""
    now = datetime.now(fmt.zone)
    return [
        (
            value,
            label
            if value == "now"
            else _("%(label)s (%(time)s)")
            % {"label": label, "time": fmt.clock(preset_time(value, now).time())},
        )
        for value, label in labels
    ]
