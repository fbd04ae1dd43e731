"""The episode diary: log an episode in a few taps, list and edit them, a month at a
glance, patterns over time with charts, and a check of any episode.

Times are shown and typed in the person's time zone: the browser reports it (a small
script fills a hidden field) or the person chooses it on the account page; without
either, UTC. Every page needs a session and shows only that person's episodes: anyone
else's episode is answered like one that does not exist.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crampcheck.domain.types import FindingState, Urgency
from crampcheck.knowledge import KnowledgeBase
from crampcheck.services import diary
from crampcheck.services.diary import (
    ACTIVITIES,
    CONTEXTS,
    FEELS,
    SIDES,
    SITES,
    TREATMENTS,
    EpisodeError,
    EpisodeInput,
    Patterns,
)
from crampcheck.services.pipeline import CheckResult
from crampcheck.storage.tables import Episode
from crampcheck.storage.times import aware as _aware
from crampcheck.web import charts
from crampcheck.web.api.common import assessment_payload, run_check
from crampcheck.web.api.diary import time_zone
from crampcheck.web.api.schemas import CheckIn
from crampcheck.web.auth import DbDep, SignedIn, session_csrf, session_csrf_valid
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import (
    FormDep,
    csrf_failed,
    page_user,
    remember_zone,
    to_sign_in,
    zone_name,
)
from crampcheck.web.pages.check import bad_state_page
from crampcheck.web.pages.flow import (
    BadState,
    FlowState,
    decode_state,
    list_field,
    text_field,
    whole_number,
)
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.result import result_context, urgency_headings
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
RECENT_DAYS = 84
MONTH_EPISODES = 500
_ID = re.compile(r"^[0-9a-f-]{36}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PRESETS = ("now", "this_morning", "last_night", "yesterday")
CHARTS = ("weekly", "pain", "hours")

# ---------------------------------------------------------------- words for the choices


def site_labels() -> dict[str, str]:
    return {
        "site_calf": _("Calf"),
        "site_foot": _("Foot or toes"),
        "site_thigh": _("Thigh"),
        "site_leg": _("Elsewhere in the leg"),
        "site_hand": _("Hand or fingers"),
        "site_arm": _("Arm or shoulder"),
        "site_back": _("Back"),
        "site_neck": _("Neck"),
        "site_eyelid": _("Eyelid"),
        "site_face": _("Face"),
        "site_abdomen": _("Belly"),
    }


def side_labels() -> dict[str, str]:
    return {"left": _("Left"), "right": _("Right"), "both": _("Both sides")}


def feel_labels() -> dict[str, str]:
    return {
        "cramp": _("A cramp (the muscle tightened and would not let go)"),
        "twitch": _("Twitching or flickering"),
        "other": _("Something else"),
    }


def short_feel_labels() -> dict[str, str]:
    return {"cramp": _("Cramp"), "twitch": _("Twitching"), "other": _("Other")}


def activity_labels() -> dict[str, str]:
    return {
        "exercise": _("Exercise or hard work"),
        "resting": _("Resting or sitting"),
        "sleeping": _("Sleeping or in bed"),
        "walking": _("Walking"),
        "writing": _("Writing or typing"),
        "working": _("Working"),
        "other": _("Something else"),
    }


def context_labels() -> dict[str, str]:
    return {
        "hot_environment": _("Heat"),
        "low_fluid": _("Not much to drink"),
        "poor_sleep": _("Poor sleep"),
        "new_medicine": _("A new medicine or dose"),
        "stress": _("Stress"),
        "caffeine": _("Lots of caffeine"),
        "pregnant": _("Pregnancy"),
    }


def treatment_labels() -> dict[str, str]:
    return {
        "stretching": _("Stretching"),
        "massage": _("Massage"),
        "heat": _("Heat"),
        "cold": _("Cold"),
        "fluids": _("Water or a sports drink"),
        "nsaid": _("An anti-inflammatory painkiller (NSAID, such as ibuprofen)"),
    }


def preset_labels() -> dict[str, str]:
    return {
        "now": _("Now"),
        "this_morning": _("This morning"),
        "last_night": _("Last night"),
        "yesterday": _("Yesterday"),
    }


def month_names() -> list[str]:
    return [
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    ]


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) names, Monday first."""
    return [
        (_("Mon"), _("Monday")),
        (_("Tue"), _("Tuesday")),
        (_("Wed"), _("Wednesday")),
        (_("Thu"), _("Thursday")),
        (_("Fri"), _("Friday")),
        (_("Sat"), _("Saturday")),
        (_("Sun"), _("Sunday")),
    ]


def choices() -> dict[str, list[tuple[str, str]]]:
    """Every choice of the episode form as (value, label), in the service's order."""
    return {
        "when": list(preset_labels().items()),
        "site": [(s, site_labels()[s]) for s in SITES],
        "side": [(s, side_labels()[s]) for s in SIDES],
        "feel": [(f, feel_labels()[f]) for f in FEELS],
        "activity": [(a, activity_labels()[a]) for a in ACTIVITIES],
        "context": [(c, context_labels()[c]) for c in CONTEXTS],
        "tried": [(t, treatment_labels()[t]) for t in TREATMENTS],
        "helped": [("yes", _("Yes")), ("no", _("No")), ("", _("Not sure"))],
        "pain": [(str(n), str(n)) for n in range(11)],
    }


# ---------------------------------------------------------------- times in the person's zone


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


# ---------------------------------------------------------------- the episode form


def empty_form(zone: str) -> dict[str, Any]:
    return {
        "when": "now",
        "at": "",
        "site": "",
        "side": "",
        "duration_minutes": "",
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


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def episode_form(episode: Episode, zone: tzinfo, zone_label: str) -> dict[str, Any]:
    """The form's values for an episode being edited."""
    return {
        "when": "",
        "at": local(episode.started_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "site": episode.site or "",
        "side": episode.side or "",
        "duration_minutes": (
            "" if episode.duration_minutes is None else _number(episode.duration_minutes)
        ),
        "pain": "" if episode.pain is None else str(episode.pain),
        "feel": episode.feel,
        "activity": episode.activity or "",
        "at_night": episode.at_night,
        "context": list(episode.context or []),
        "tried": list(episode.tried or []),
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
        "duration_minutes": text_field(form, "duration_minutes", 20).strip(),
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
    for name, allowed in (
        ("site", SITES),
        ("side", SIDES),
        ("feel", FEELS),
        ("activity", ACTIVITIES),
    ):
        if values[name] and values[name] not in allowed:
            errors[name] = _("Please choose one of the options shown.")
    for name, allowed in (("context", CONTEXTS), ("tried", TREATMENTS)):
        if any(v not in allowed for v in values[name]):
            errors[name] = _("Please choose from the options shown.")
    duration: float | None = None
    if values["duration_minutes"]:
        try:
            duration = float(values["duration_minutes"].replace(",", "."))
        except ValueError:
            duration = math.nan
        if not math.isfinite(duration) or not 0 <= duration <= 24 * 60:
            errors["duration_minutes"] = _(
                "Please give the minutes as a number from 0 to 1440, or leave it empty."
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
        field = "at" if error.field == "started_at" else error.field
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
    "duration_minutes",
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
    zone, zone_label = zone_of(request)
    return page(
        request,
        state,
        "diary_form.html",
        {
            "form": values,
            "errors": errors,
            "fields": FORM_FIELDS,
            "choices": choices(),
            "episode_id": episode_id,
            "action": f"/diary/{episode_id}/edit" if episode_id else "/diary/new",
            "csrf_token": session_csrf(state, who.token),
            "zone_label": values.get("tz") or zone_label,
            "max_time": datetime.now(zone).strftime("%Y-%m-%dT%H:%M"),
            "notice": notice,
        },
        status_code=422 if errors else 200,
    )


def _own(db: Session, who: SignedIn, episode_id: str) -> Episode | None:
    if not _ID.match(episode_id):
        return None
    return diary.get_episode(db, who.user.id, episode_id)


# ---------------------------------------------------------------- log, edit, delete


@router.get("/diary/new")
def new_episode_form(request: Request, state: StateDep, db: DbDep) -> Response:
    """Log an episode: only when it happened is needed; the rest takes a tap each."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    return form_page(request, state, who, empty_form(zone_name(request)), {})


@router.post("/diary/new")
def new_episode_submit(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """Store the episode, then show the diary."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    if not session_csrf_valid(state, who.token, form):
        return csrf_failed(request, state)
    parsed = parse_episode(form, zone_of(request)[0])
    if parsed.data is None:
        return form_page(request, state, who, parsed.values, parsed.errors)
    diary.log_episode(db, who.user.id, parsed.data)
    response = RedirectResponse("/diary?done=saved", status_code=303)
    remember_zone(response, request, parsed.values["tz"])
    return response


@router.get("/diary/{episode_id}/edit")
def edit_episode_form(
    request: Request, state: StateDep, db: DbDep, episode_id: str, done: str | None = None
) -> Response:
    """Change an episode."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    episode = _own(db, who, episode_id)
    if episode is None:
        return not_found(request, state)
    zone, zone_label = zone_of(request)
    notice = None
    if done == "check":
        notice = _(
            "Your check was saved to your diary. Add anything it did not ask about, "
            "such as the time or what you tried, then save."
        )
    return form_page(
        request,
        state,
        who,
        episode_form(episode, zone, zone_name(request)),
        {},
        episode_id=episode.id,
        notice=notice,
    )


@router.post("/diary/{episode_id}/edit")
def edit_episode_submit(
    request: Request, state: StateDep, db: DbDep, form: FormDep, episode_id: str
) -> Response:
    """Store the changes (a check saved with the episode is kept)."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    episode = _own(db, who, episode_id)
    if episode is None:
        return not_found(request, state)
    if not session_csrf_valid(state, who.token, form):
        return csrf_failed(request, state)
    parsed = parse_episode(form, zone_of(request)[0], check=episode.check)
    if parsed.data is None:
        return form_page(request, state, who, parsed.values, parsed.errors, episode_id=episode.id)
    diary.update_episode(db, who.user.id, episode.id, parsed.data)
    response = RedirectResponse("/diary?done=updated", status_code=303)
    remember_zone(response, request, parsed.values["tz"])
    return response


@router.get("/diary/{episode_id}/delete")
def delete_episode_form(request: Request, state: StateDep, db: DbDep, episode_id: str) -> Response:
    """Ask before deleting an episode."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    episode = _own(db, who, episode_id)
    if episode is None:
        return not_found(request, state)
    zone, _name = zone_of(request)
    return page(
        request,
        state,
        "diary_delete.html",
        {
            "episode": episode_view(episode, zone),
            "csrf_token": session_csrf(state, who.token),
        },
    )


@router.post("/diary/{episode_id}/delete")
def delete_episode_submit(
    request: Request, state: StateDep, db: DbDep, form: FormDep, episode_id: str
) -> Response:
    """Delete the episode for good."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    episode = _own(db, who, episode_id)
    if episode is None:
        return not_found(request, state)
    if not session_csrf_valid(state, who.token, form):
        return csrf_failed(request, state)
    diary.delete_episode(db, who.user.id, episode.id)
    return RedirectResponse("/diary?done=deleted", status_code=303)


# ---------------------------------------------------------------- the list and the month


def episode_view(episode: Episode, zone: tzinfo) -> dict[str, Any]:
    """An episode in words, for the list and the delete page."""
    headings = urgency_headings()
    urgency = (episode.check or {}).get("urgency")
    return {
        "id": episode.id,
        "when": show_time(episode.started_at, zone),
        "feel": short_feel_labels().get(episode.feel, episode.feel),
        "site": site_labels().get(episode.site or "", ""),
        "side": side_labels().get(episode.side or "", ""),
        "duration": None if episode.duration_minutes is None else _number(episode.duration_minutes),
        "pain": episode.pain,
        "activity": activity_labels().get(episode.activity or "", ""),
        "at_night": episode.at_night,
        "context": [context_labels().get(c, c) for c in episode.context or []],
        "tried": [treatment_labels().get(t, t) for t in episode.tried or []],
        "helped": episode.helped,
        "notes": episode.notes,
        "checked": headings[urgency][0] if urgency in headings else None,
    }


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/diary")
def diary_home(
    request: Request,
    state: StateDep,
    db: DbDep,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    day: Annotated[str | None, Query(max_length=10)] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    welcome: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    """The diary: newest episodes first, a page at a time (optionally one day or site)."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    zone, zone_label = zone_of(request)
    chosen_day = _day(day)
    since = until = None
    if chosen_day is not None:
        start = datetime(chosen_day.year, chosen_day.month, chosen_day.day, tzinfo=zone)
        since, until = start, start + timedelta(days=1)
    site_filter = site if site in SITES else None
    found = diary.list_episodes(
        db,
        who.user.id,
        since=since,
        until=until,
        site=site_filter,
        limit=PAGE_SIZE + 1,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    notices = {
        "saved": _("The episode was saved."),
        "updated": _("The episode was changed."),
        "deleted": _("The episode was deleted."),
    }
    query = "".join(
        f"&{name}={value}"
        for name, value in (
            ("day", chosen_day.isoformat() if chosen_day else None),
            ("site", site_filter),
        )
        if value
    )
    return page(
        request,
        state,
        "diary_list.html",
        {
            "episodes": [episode_view(e, zone) for e in found[:PAGE_SIZE]],
            "page_number": page_number,
            "older": f"/diary?page={page_number + 1}{query}" if len(found) > PAGE_SIZE else None,
            "newer": f"/diary?page={page_number - 1}{query}" if page_number > 1 else None,
            "day": chosen_day.isoformat() if chosen_day else None,
            "site": site_filter or "",
            "sites": [(s, site_labels()[s]) for s in SITES],
            "site_label": site_labels().get(site_filter or "", ""),
            "notice": notices.get(done or ""),
            "welcome": bool(welcome),
            "zone_label": zone_label,
            "month": datetime.now(zone).strftime("%Y-%m"),
        },
    )


@router.get("/diary/month")
def month_page(
    request: Request,
    state: StateDep,
    db: DbDep,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    """A month at a glance: how many episodes each day, each day a link to its episodes."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    zone, zone_label = zone_of(request)
    today = datetime.now(zone).date()
    year, number = today.year, today.month
    if month:
        matched = _MONTH.match(month)
        if not matched or not 1 <= int(matched[2]) <= 12 or not 2000 <= int(matched[1]) <= 2100:
            return not_found(request, state)
        year, number = int(matched[1]), int(matched[2])
    first = datetime(year, number, 1, tzinfo=zone)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    counts: dict[date, int] = {}
    for episode in diary.list_episodes(
        db, who.user.id, since=first, until=following, limit=MONTH_EPISODES
    ):
        key = local(episode.started_at, zone).date()
        counts[key] = counts.get(key, 0) + 1
    weeks = [
        [
            {
                "date": d.isoformat(),
                "number": d.day,
                "label": short_date(d),
                "in_month": d.month == number,
                "count": counts.get(d, 0) if d.month == number else 0,
                "today": d == today,
            }
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, number)
    ]
    previous = first - timedelta(days=1)
    return page(
        request,
        state,
        "diary_month.html",
        {
            "title": _("%(month)s %(year)d") % {"month": month_names()[number - 1], "year": year},
            "weeks": weeks,
            "weekdays": weekday_names(),
            "previous": previous.strftime("%Y-%m"),
            "next": following.strftime("%Y-%m"),
            "total": sum(counts.values()),
            "zone_label": zone_label,
        },
    )


# ---------------------------------------------------------------- checks


def episode_check(episode: Episode, kb: KnowledgeBase) -> CheckIn:
    """An episode as a check: its answers as the knowledge base's findings (what each
    answer means is the knowledge base's diary mapping)."""
    means = kb.diary_mapping.episode
    findings: dict[str, str] = {}
    values: dict[str, float] = {}
    present = "present"
    if episode.site:
        findings[episode.site] = present
    if episode.side in means.side:
        findings[means.side[episode.side]] = present
    if episode.feel in means.feel:
        findings[means.feel[episode.feel]] = present
    if episode.duration_minutes is not None:
        findings[means.duration] = present
        values[means.duration] = episode.duration_minutes
    if episode.pain is not None:
        findings[means.pain_score] = present
        values[means.pain_score] = float(episode.pain)
        findings[means.pain] = present if episode.pain > 0 else "absent"
        if episode.pain >= means.severe_pain.at_least:
            findings[means.severe_pain.finding] = present
    if episode.activity in means.activity:
        findings[means.activity[episode.activity]] = present
    if episode.at_night:
        findings[means.at_night] = present
    for context in episode.context or []:
        findings[context] = present
    for treatment in episode.tried or []:
        if treatment in means.tried:
            findings[means.tried[treatment]] = present
    if episode.tried and episode.helped is True:
        findings[means.helped] = present
    elif episode.tried and episode.helped is False and episode.feel in means.not_helped.feels:
        findings[means.not_helped.finding] = present
    return CheckIn.model_validate({"findings": findings, "values": values})


@router.get("/diary/{episode_id}/check")
def check_episode(request: Request, state: StateDep, db: DbDep, episode_id: str) -> Response:
    """Run an episode through the check and show the result."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    episode = _own(db, who, episode_id)
    if episode is None:
        return not_found(request, state)
    flow = FlowState.model_validate(episode_check(episode, state.pipeline.kb).model_dump())
    result = run_check(state, flow.check())
    context = result_context(state, flow, result)
    return page(request, state, "result.html", {**context, "diary_episode": episode.id})


def _present(result: CheckResult) -> set[str]:
    return {f for f, s in result.case.findings.items() if s is FindingState.PRESENT}


def _answer(answers: dict[str, str], present: set[str]) -> str | None:
    """The first answer whose finding is present."""
    return next((a for a, f in answers.items() if f in present), None)


def episode_from_check(
    flow: FlowState,
    result: CheckResult,
    assessment: dict[str, Any],
    now: datetime,
    kb: KnowledgeBase,
) -> EpisodeInput:
    """A diary episode from a finished check, the check kept with it as it was shown."""
    means = kb.diary_mapping.episode
    present = _present(result)
    case = result.case
    site = next((s for s in SITES if s in present), None)
    side = _answer(means.side, present)
    kind = assessment["kind"]
    twitching, contraction = means.feel.get("twitch"), means.feel.get("cramp")
    feel_of_kind = means.feel_of_kind.get(kind)
    if feel_of_kind == "twitch" or (twitching in present and contraction not in present):
        feel = "twitch"
    elif feel_of_kind == "cramp" or contraction in present:
        feel = "cramp"
    else:
        feel = "other"
    minutes = case.value(means.duration)
    score = case.value(means.pain_score)
    # The at-night tick carries an activity that means being at night (sleeping).
    activity = _answer({a: f for a, f in means.activity.items() if f != means.at_night}, present)
    # Each finding reads back as the first answer that means it.
    first_answer = {f: a for a, f in reversed(means.tried.items())}
    tried = tuple(t for t, f in means.tried.items() if f in present and first_answer[f] == t)
    helped: bool | None = None
    if means.helped in present:
        helped = True
    elif any(f in present for f in means.not_helped_from):
        helped = False
    check = {
        "checked_at": now.isoformat(),
        "urgency": assessment["urgency"],
        "kind": kind,
        "action": assessment["action"],
        "description": flow.text,
        "findings": [
            {k: f.get(k) for k in ("id", "label", "state", "value", "text")}
            for f in assessment["findings"]
        ],
        "reasons": [
            {"rule_id": r["rule_id"], "text": r["text"], "source_ids": r["source_ids"]}
            for r in assessment["reasons"]
        ],
        "kb_version": assessment["kb_version"],
    }
    return EpisodeInput(
        started_at=now,
        feel=feel,
        site=site,
        side=side,
        duration_minutes=None if minutes is None else min(max(minutes, 0.0), 1440.0),
        pain=None if score is None else min(max(round(score), 0), 10),
        activity=activity,
        at_night=means.at_night in present,
        context=tuple(c for c in CONTEXTS if c in present),
        tried=tried,
        helped=helped,
        check=check,
    )


@router.post("/diary/save-check")
def save_check(request: Request, state: StateDep, db: DbDep, form: FormDep) -> Response:
    """Save the check carried from the result page as an episode, then open it to edit."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    if not session_csrf_valid(state, who.token, form):
        return csrf_failed(request, state)
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    result = run_check(state, flow.check())
    assessment = assessment_payload(state, result)
    now = datetime.now(UTC)
    try:
        episode = diary.log_episode(
            db,
            who.user.id,
            episode_from_check(flow, result, assessment, now, state.pipeline.kb),
            now,
        )
    except EpisodeError:
        return bad_state_page(request, state)
    return RedirectResponse(f"/diary/{episode.id}/edit?done=check", status_code=303)


# ---------------------------------------------------------------- patterns and charts


@dataclass(frozen=True)
class Counts:
    """Counts the patterns rest on that :class:`Patterns` does not carry."""

    night: int
    with_duration: int
    with_pain: int
    recent: int


def counts_of(db: Session, user_id: str, now: datetime) -> Counts:
    mine = Episode.user_id == user_id
    recent = Episode.started_at >= now - timedelta(days=RECENT_DAYS)
    row = db.execute(
        select(
            func.sum(case((Episode.at_night.is_(True), 1), else_=0)),
            func.sum(case((and_(recent, Episode.duration_minutes.is_not(None)), 1), else_=0)),
            func.sum(case((and_(recent, Episode.pain.is_not(None)), 1), else_=0)),
            func.sum(case((recent, 1), else_=0)),
        ).where(mine)
    ).one()
    return Counts(*(int(x or 0) for x in row))


def week_starts(now: datetime, zone: tzinfo) -> list[date]:
    """The first day of each of the 12 weeks :func:`diary.patterns` counts."""
    return [local(now - timedelta(weeks=diary.WEEKS - i), zone).date() for i in range(diary.WEEKS)]


def short_date(day: date) -> str:
    return _("%(day)d %(month)s") % {"day": day.day, "month": month_names()[day.month - 1][:3]}


def chart_data(found: Patterns, now: datetime, zone: tzinfo) -> dict[str, dict[str, Any]]:
    """Each chart's title, text alternative and the rows of its table."""
    weeks = [short_date(d) for d in week_starts(now, zone)]
    total_weeks = sum(found.weekly_counts)
    pains = [(w, p) for w, p in zip(weeks, found.pain_by_week, strict=True) if p is not None]
    busiest = max(range(24), key=lambda h: found.hours[h]) if any(found.hours) else None
    return {
        "weekly": {
            "title": _("Episodes per week, last 12 weeks"),
            "alt": _(
                "Bar chart of episodes per week over the last 12 weeks: %(total)d in all, "
                "%(last)d in the latest week. The numbers are in the table below."
            )
            % {"total": total_weeks, "last": found.weekly_counts[-1]},
            "head": (_("Week starting"), _("Episodes")),
            "rows": list(zip(weeks, found.weekly_counts, strict=True)),
            "labels": weeks,
        },
        "pain": {
            "title": _("Average pain per week (0 to 10), last 12 weeks"),
            "alt": (
                _(
                    "Line chart of the average pain per week: %(weeks)d weeks with a pain "
                    "score, the latest %(last)s out of 10. The numbers are in the table below."
                )
                % {"weeks": len(pains), "last": _number(pains[-1][1])}
                if pains
                else _("Line chart of the average pain per week: no pain scores yet.")
            ),
            "head": (_("Week starting"), _("Average pain")),
            "rows": [
                (w, "" if p is None else _number(p))
                for w, p in zip(weeks, found.pain_by_week, strict=True)
            ],
            "labels": weeks,
        },
        "hours": {
            "title": _("Episodes by time of day, last 12 weeks"),
            "alt": (
                _(
                    "Bar chart of episodes by hour of the day: most often between %(hour)02d:00 "
                    "and %(next)02d:00. The numbers are in the table below."
                )
                % {"hour": busiest, "next": (busiest + 1) % 24}
                if busiest is not None
                else _("Bar chart of episodes by hour of the day: no episodes yet.")
            ),
            "head": (_("Hour"), _("Episodes")),
            "rows": [(f"{h:02d}:00", found.hours[h]) for h in range(24)],
            "labels": [f"{h:02d}" for h in range(24)],
        },
    }


def chart_svg(name: str, found: Patterns, now: datetime, zone: tzinfo) -> str:
    """One of the diary's charts as SVG (``found`` measured in ``zone``, whose weeks
    label the charts): the person's patterns page, the clinic's request page and the
    one-page summary all draw them here."""
    data = chart_data(found, now, zone)[name]
    if name == "weekly":
        return charts.bar_chart(
            data["title"],
            data["alt"],
            data["labels"],
            list(found.weekly_counts),
            y_label=_("episodes"),
            label_every=3,
        )
    if name == "pain":
        return charts.line_chart(
            data["title"],
            data["alt"],
            data["labels"],
            list(found.pain_by_week),
            y_label=_("pain, 0 to 10"),
            label_every=3,
        )
    return charts.bar_chart(
        data["title"],
        data["alt"],
        data["labels"],
        list(found.hours),
        y_label=_("episodes by hour"),
        label_every=6,
    )


@router.get("/diary/charts/{name}.svg")
def chart(request: Request, state: StateDep, db: DbDep, name: str) -> Response:
    """One chart of the diary as an SVG image."""
    who = page_user(request, db)
    if who is None:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    if name not in CHARTS:
        return not_found(request, state)
    zone, _name = zone_of(request)
    now = datetime.now(UTC)
    found = diary.patterns(db, who.user.id, state.pipeline.kb, now=now, zone=zone)
    svg = chart_svg(name, found, now, zone)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


def diary_summary(found: Patterns, counts: Counts) -> str:
    """The diary in a few plain sentences, for the clinic."""
    recent, before = sum(found.weekly_counts[-4:]), sum(found.weekly_counts[-8:-4])
    parts = [
        _("Summary of my crampcheck diary: %(total)d episodes over %(days)d days.")
        % {"total": found.total, "days": found.diary_days},
        _(
            "Last 4 weeks: %(recent)d episodes (about %(per_week)s a week); "
            "the 4 weeks before: %(before)d."
        )
        % {
            "recent": recent,
            "per_week": _number(found.metrics.get("episodes_per_week", 0.0)),
            "before": before,
        },
    ]
    if found.total:
        parts.append(
            _("At night: %(night)d of %(total)d.") % {"night": counts.night, "total": found.total}
        )
    labels = site_labels()
    if found.sites:
        where = ", ".join(f"{labels.get(s, s).lower()} {n}" for s, n in found.sites)
        parts.append(_("Where: %(sites)s.") % {"sites": where})
    if found.median_duration is not None:
        parts.append(
            _("Typical length: %(minutes)s minutes.") % {"minutes": _number(found.median_duration)}
        )
    if found.median_pain is not None:
        parts.append(_("Typical pain: %(pain)s out of 10.") % {"pain": _number(found.median_pain)})
    treatments = treatment_labels()
    for treatment, tried, relieved in found.home_care:
        parts.append(
            _("%(treatment)s: tried %(tried)d times, followed by relief %(relief)d times.")
            % {
                "treatment": treatments.get(treatment, treatment),
                "tried": tried,
                "relief": relieved,
            }
        )
    if found.escalations:
        reasons = escalation_phrases()
        parts.append(
            _("Why the diary says to see a doctor: %(reasons)s.")
            % {"reasons": "; ".join(reasons.get(e.rule_id, e.rule_id) for e in found.escalations)}
        )
    return " ".join(parts)


def escalation_phrases() -> dict[str, str]:
    """Each diary rule in a few words, for the summary the clinic reads."""
    return {
        "diary-keeps-recurring": _("episodes have come back week after week"),
        "diary-frequent": _("three or more episodes a week"),
        "diary-more-frequent": _("episodes are becoming more frequent"),
        "diary-more-painful": _("episodes are becoming more painful"),
        "diary-home-care-not-helping": _("home care has rarely brought relief"),
        "diary-disturbing-sleep": _("most episodes are at night, more than twice a week"),
        "diary-severe-episodes": _("several episodes had pain of 8 out of 10 or more"),
    }


def diary_flow(found: Patterns, counts: Counts, summary: str, kb: KnowledgeBase) -> FlowState:
    """The diary as a check for an appointment request: the summary in words, the
    measured patterns as values, and what each escalation means as findings (what the
    patterns and escalations mean is the knowledge base's diary mapping)."""
    means = kb.diary_mapping.request
    findings: dict[str, str] = {}
    values: dict[str, float] = {}
    for metric, value in found.metrics.items():
        if metric in kb.findings and math.isfinite(value) and 0 <= value <= 100_000:
            findings[metric] = "present"
            values[metric] = value
    # What the diary measured is stated outright: answers win over what is read in the
    # summary's words ("At night: 0 of 6" mentions the night, but says no to it).
    values[means.diary_days] = float(found.diary_days)
    findings[means.diary_days] = "present"
    findings[means.night] = "present" if counts.night else "absent"
    for threshold in (means.frequent, means.recurrent):
        if found.metrics.get(threshold.metric, 0.0) >= threshold.at_least:
            findings[threshold.finding] = "present"
        elif threshold.below is not None:
            findings[threshold.finding] = threshold.below
    for escalation in found.escalations:
        for finding in means.escalations.get(escalation.rule_id, ()):
            findings[finding] = "present"
    if found.sites and found.sites[0][0] in kb.findings:
        findings[found.sites[0][0]] = "present"
    return FlowState.model_validate({"text": summary, "findings": findings, "values": values})


@router.get("/diary/patterns")
def patterns_page(request: Request, state: StateDep, db: DbDep) -> Response:
    """What the diary shows, in plain words with the counts behind each statement."""
    who = page_user(request, db)
    if who is None:
        return to_sign_in(request)
    kb = state.pipeline.kb
    zone, zone_label = zone_of(request)
    now = datetime.now(UTC)
    found = diary.patterns(db, who.user.id, kb, now=now, zone=zone)
    counts = counts_of(db, who.user.id, now)
    contexts, treatments, sites = context_labels(), treatment_labels(), site_labels()
    factors = sorted(
        (
            {
                "label": contexts.get(c, c),
                "per_day_with": _number(w),
                "per_day_without": _number(wo),
                "days_with": dw,
                "days_without": dwo,
                "more": w > wo,
            }
            for c, w, wo, dw, dwo in found.factors
        ),
        key=lambda f: not f["more"],
    )
    escalations = [
        {
            "reason": e.reason,
            "sources": [kb.sources[s] for s in e.source_ids if s in kb.sources],
        }
        for e in found.escalations
    ]
    summary = diary_summary(found, counts)
    offer = bool(found.escalations)
    return page(
        request,
        state,
        "diary_patterns.html",
        {
            "found": found,
            "counts": counts,
            "recent": sum(found.weekly_counts[-4:]),
            "before": sum(found.weekly_counts[-8:-4]),
            "per_week": _number(found.metrics.get("episodes_per_week", 0.0)),
            "median_duration": (
                None if found.median_duration is None else _number(found.median_duration)
            ),
            "median_pain": None if found.median_pain is None else _number(found.median_pain),
            "sites": [(sites.get(s, s), n) for s, n in found.sites],
            "home_care": [(treatments.get(t, t), n, m) for t, n, m in found.home_care],
            "factors": factors,
            "min_days": diary.MIN_DIARY_DAYS_FOR_PATTERNS,
            "min_each": diary.MIN_DAYS_WITH_AND_WITHOUT,
            "escalations": escalations,
            "summary": summary if offer else "",
            "appointment_state": (diary_flow(found, counts, summary, kb).encode() if offer else ""),
            "charts": chart_data(found, now, zone),
            "zone_label": zone_label,
            "doctor": urgency_headings()[Urgency.DOCTOR.value][0],
        },
    )
