"""Diary times in the person's time zone and the clinic's locale (in their language):
which zone, a stored time shown in it, and the times the quick presets ("last night")
stand for. The person's zone and way of writing dates (:func:`here`, :func:`zone_of`)
are the account's (:mod:`.account`, whose page shows its dates with them too)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from crampcheck.domain.local_format import LocalFormat
from crampcheck.domain.times import aware as _aware
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import here, zone_of

__all__ = ["PRESETS", "here", "local", "preset_choices", "preset_time", "zone_of"]

PRESETS = ("now", "this_morning", "last_night", "yesterday")
"""The quick times the episode form offers ("last night")."""


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
