"""The episode form: its empty and edit values, and reading what was sent back, with a
message beside every field that is wrong."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from crampcheck.domain.diary import ONE_OF, SOME_OF, EpisodeRecord
from crampcheck.domain.diary_labels import choices
from crampcheck.domain.local_format import duration_field
from crampcheck.services import diary
from crampcheck.services.diary import EpisodeError, EpisodeInput
from crampcheck.web.auth import SignedIn, session_csrf
from crampcheck.web.i18n import _
from crampcheck.web.pages.diary_times import PRESETS, here, local, preset_choices, preset_time
from crampcheck.web.pages.flow import (
    list_field,
    text_field,
    whole_number,
)
from crampcheck.web.pages.render import page
from crampcheck.web.state import AppState
from crampcheck.web.zones import time_zone

DURATION_UNITS = ("seconds", "minutes")
"""How long an episode lasted can be given in either: a cramp often lasts seconds."""


def empty_form(zone: str) -> dict[str, Any]:
    return {
        "when": "now",
        "at": "",
        "site": "",
        "side": "",
        "duration": "",
        "duration_unit": "minutes",
        "pain": "",
        "feel": "cramp",
        "activity": "",
        "at_night": False,
        "context": [],
        "tried": [],
        "helped": "",
        "notes": "",
        "tz": zone,
    }


def episode_form(episode: EpisodeRecord, zone: tzinfo, zone_label: str) -> dict[str, Any]:
    """The form's values for an episode being edited (a duration that is not a whole
    number of minutes in seconds)."""
    duration, unit = ("", "minutes")
    if episode.duration_minutes is not None:
        duration, unit = duration_field(episode.duration_minutes)
    return {
        "when": "",
        "at": local(episode.started_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "site": episode.site or "",
        "side": episode.side or "",
        "duration": duration,
        "duration_unit": unit,
        "pain": "" if episode.pain is None else str(episode.pain),
        "feel": episode.feel,
        "activity": episode.activity or "",
        "at_night": episode.at_night,
        "context": list(episode.context),
        "tried": list(episode.tried),
        "helped": "" if episode.helped is None else ("yes" if episode.helped else "no"),
        "notes": episode.notes or "",
        "tz": zone_label,
    }


@dataclass
class ParsedForm:
    values: dict[str, Any]
    errors: dict[str, str]
    data: EpisodeInput | None
    zone: tzinfo


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def parse_episode(
    form: FormData, fallback_zone: tzinfo, check: dict[str, Any] | None = None
) -> ParsedForm:
    """Read the episode form: every problem gets a message beside its field."""
    tz_name = text_field(form, "tz", 64).strip()
    zone = time_zone(tz_name) or fallback_zone
    values: dict[str, Any] = {
        "when": text_field(form, "when", 20).strip(),
        "at": text_field(form, "at", 40).strip(),
        "site": text_field(form, "site", 32).strip(),
        "side": text_field(form, "side", 10).strip(),
        "duration": text_field(form, "duration", 20).strip(),
        "duration_unit": text_field(form, "duration_unit", 10).strip() or "minutes",
        "pain": text_field(form, "pain", 5).strip(),
        "feel": text_field(form, "feel", 10).strip() or "cramp",
        "activity": text_field(form, "activity", 20).strip(),
        "at_night": text_field(form, "at_night", 5) == "yes",
        "context": list_field(form, "context", 20),
        "tried": list_field(form, "tried", 20),
        "helped": text_field(form, "helped", 5).strip(),
        "notes": text_field(form, "notes", 2000),
        "tz": tz_name[:64],
    }
    errors: dict[str, str] = {}
    now = datetime.now(zone)
    started: datetime | None = None
    if values["at"]:
        try:
            typed = datetime.fromisoformat(values["at"])
        except ValueError:
            errors["at"] = _("Please give the date and time like 2025-03-14 07:30.")
        else:
            started = typed if typed.tzinfo else typed.replace(tzinfo=zone)
    elif values["when"] in PRESETS:
        started = preset_time(values["when"], now)
    else:
        errors["when"] = _("Please choose when it happened, or give the date and time.")
    if started is not None:
        # The time's limits are checked here too, so a time in the future is reported
        # together with any other field's problem rather than after it is fixed.
        try:
            diary.validate_episode(EpisodeInput(started_at=started), datetime.now(UTC))
        except EpisodeError as error:
            errors["at"] = _(error.message)
    for name, allowed in ONE_OF.items():
        if values[name] and values[name] not in allowed:
            errors[name] = _("Please choose one of the options shown.")
    for name, allowed in SOME_OF.items():
        if any(v not in allowed for v in values[name]):
            errors[name] = _("Please choose from the options shown.")
    duration: float | None = None
    if values["duration_unit"] not in DURATION_UNITS:
        errors["duration"] = _("Please choose seconds or minutes.")
    elif values["duration"]:
        try:
            amount = float(values["duration"].replace(",", "."))
        except ValueError:
            amount = math.nan
        in_seconds = values["duration_unit"] == "seconds"
        duration = amount / 60 if in_seconds else amount
        if not math.isfinite(duration) or not 0 <= duration <= 24 * 60:
            errors["duration"] = (
                _("Please give the seconds as a number from 0 to 86400, or leave it empty.")
                if in_seconds
                else _("Please give the minutes as a number from 0 to 1440, or leave it empty.")
            )
    pain: int | None = None
    if values["pain"]:
        number = whole_number(values["pain"])
        pain = -1 if number is None else number
        if not 0 <= pain <= 10:
            errors["pain"] = _("Please choose the pain from 0 (none) to 10 (worst).")
    if values["helped"] not in ("", "yes", "no"):
        errors["helped"] = _("Please choose Yes, No or Not sure.")
    if len(values["notes"]) > 2000:
        errors["notes"] = _("Please keep notes under 2,000 characters.")
    if errors or started is None:
        return ParsedForm(values, errors, None, zone)
    data = EpisodeInput(
        started_at=started,
        feel=values["feel"],
        site=values["site"] or None,
        side=values["side"] or None,
        duration_minutes=duration,
        pain=pain,
        activity=values["activity"] or None,
        at_night=values["at_night"] or (values["when"] == "last_night" and not values["at"]),
        context=tuple(values["context"]),
        tried=tuple(values["tried"]),
        helped={"yes": True, "no": False}.get(values["helped"]),
        notes=values["notes"] or None,
        check=check,
    )
    try:
        diary.validate_episode(data, datetime.now(UTC))
    except EpisodeError as error:
        field = {"started_at": "at", "duration_minutes": "duration"}.get(error.field, error.field)
        errors[field] = _(error.message)
        return ParsedForm(values, errors, None, zone)
    return ParsedForm(values, errors, data, zone)


FORM_FIELDS = (
    "when",
    "at",
    "feel",
    "site",
    "side",
    "pain",
    "duration",
    "activity",
    "context",
    "tried",
    "helped",
    "notes",
)


def form_page(
    request: Request,
    state: AppState,
    who: SignedIn,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    episode_id: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    """The episode form (new or edit), with a message beside each field at fault."""
    fmt = here(request, state)
    offered = choices()
    offered["when"] = preset_choices(offered["when"], fmt)
    offered["duration_unit"] = [("seconds", _("seconds")), ("minutes", _("minutes"))]
    return page(
        request,
        state,
        "diary_form.html",
        {
            "form": values,
            "errors": errors,
            "fields": FORM_FIELDS,
            "choices": offered,
            "episode_id": episode_id,
            "action": f"/diary/{episode_id}/edit" if episode_id else "/diary/new",
            "csrf_token": session_csrf(state, who.token),
            "zone_label": values.get("tz") or fmt.zone_name,
            "max_time": datetime.now(fmt.zone).strftime("%Y-%m-%dT%H:%M"),
            "notice": notice,
        },
        status_code=422 if errors else 200,
    )
