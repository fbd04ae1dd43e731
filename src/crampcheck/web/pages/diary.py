"""The episode diary: log an episode in a few taps, list and edit them, a month at a
glance, patterns over time with charts, and a check of any episode.

Times are shown and typed in the person's time zone: the browser reports it (a small
script fills a hidden field) or the person chooses it on the account page; without
either, UTC. Every page needs a session and shows only that person's episodes: anyone
else's episode is answered like one that does not exist.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from crampcheck.domain.diary import SITES
from crampcheck.domain.diary_labels import site_labels
from crampcheck.domain.limits import sane_year
from crampcheck.domain.local_format import LocalFormat, duration_text
from crampcheck.services import diary
from crampcheck.services.diary import EpisodeError, episode_record
from crampcheck.services.diary_checks import episode_check, episode_from_check
from crampcheck.services.export import episode_words
from crampcheck.services.metrics import count_check
from crampcheck.services.serialize import assessment_payload as serialized_assessment
from crampcheck.storage.tables import Episode
from crampcheck.web.auth import DbDep, SignedIn, session_csrf
from crampcheck.web.checking import run_check
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.account import remember_zone, zone_name
from crampcheck.web.pages.check import bad_state_page
from crampcheck.web.pages.diary_form import (
    empty_form,
    episode_form,
    form_page,
    parse_episode,
)
from crampcheck.web.pages.diary_times import here, local, zone_of
from crampcheck.web.pages.flow import (
    BadState,
    FlowState,
    decode_state,
)
from crampcheck.web.pages.guards import Answer, CurrentPatient, PatientForm
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.result import result_context, urgency_headings

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MONTH_EPISODES = 500
_ID = re.compile(r"^[0-9a-f-]{36}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _own(db: Session, who: SignedIn, episode_id: str) -> Episode | None:
    if not _ID.match(episode_id):
        return None
    return diary.get_episode(db, who.user.id, episode_id)


def own_episode(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, episode_id: str
) -> Episode:
    """The signed-in person's episode the path names; another person's, or none, is the
    not-found page (as if it did not exist)."""
    episode = _own(db, who, episode_id)
    if episode is None:
        raise Answer(not_found(request, state))
    return episode


OwnEpisode = Annotated[Episode, Depends(own_episode)]


# ---------------------------------------------------------------- log, edit, delete


@router.get("/diary/new")
def new_episode_form(request: Request, state: StateDep, who: CurrentPatient) -> Response:
    """Log an episode: only when it happened is needed; the rest takes a tap each."""
    return form_page(request, state, who, empty_form(zone_of(request, state)[1]), {})


@router.post("/diary/new")
def new_episode_submit(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, form: PatientForm
) -> Response:
    """Store the episode, then show the diary."""
    parsed = parse_episode(form, zone_of(request, state)[0])
    if parsed.data is None:
        return form_page(request, state, who, parsed.values, parsed.errors)
    logged = diary.log_episode(db, who.user.id, parsed.data)
    # The diary then says what time it stored ("last night" is a guess at 3 AM).
    response = RedirectResponse(f"/diary?done=saved&episode={logged.id}", status_code=303)
    remember_zone(response, request, parsed.values["tz"])
    return response


@router.get("/diary/{episode_id}/edit")
def edit_episode_form(
    request: Request,
    state: StateDep,
    who: CurrentPatient,
    episode: OwnEpisode,
    done: str | None = None,
) -> Response:
    """Change an episode."""
    zone, _name = zone_of(request, state)
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
        episode_form(episode_record(episode), zone, zone_name(request)),
        {},
        episode_id=episode.id,
        notice=notice,
    )


@router.post("/diary/{episode_id}/edit")
def edit_episode_submit(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: CurrentPatient,
    episode: OwnEpisode,
    form: PatientForm,
) -> Response:
    """Store the changes (a check saved with the episode is kept)."""
    parsed = parse_episode(form, zone_of(request, state)[0], check=episode.check)
    if parsed.data is None:
        return form_page(request, state, who, parsed.values, parsed.errors, episode_id=episode.id)
    diary.update_episode(db, who.user.id, episode.id, parsed.data)
    response = RedirectResponse("/diary?done=updated", status_code=303)
    remember_zone(response, request, parsed.values["tz"])
    return response


@router.get("/diary/{episode_id}/delete")
def delete_episode_form(
    request: Request, state: StateDep, who: CurrentPatient, episode: OwnEpisode
) -> Response:
    """Ask before deleting an episode."""
    return page(
        request,
        state,
        "diary_delete.html",
        {
            "episode": episode_view(episode, here(request, state)),
            "csrf_token": session_csrf(state, who.token),
        },
    )


@router.post("/diary/{episode_id}/delete")
def delete_episode_submit(
    db: DbDep, who: CurrentPatient, episode: OwnEpisode, form: PatientForm
) -> Response:
    """Delete the episode for good (``form`` is read for its CSRF token only)."""
    diary.delete_episode(db, who.user.id, episode.id)
    return RedirectResponse("/diary?done=deleted", status_code=303)


# ---------------------------------------------------------------- the list and the month


def episode_view(episode: Episode, fmt: LocalFormat) -> dict[str, Any]:
    """An episode in words, for the list and the delete page (its time in the person's
    zone as people of the clinic's locale write it; its length in seconds or minutes)."""
    headings = urgency_headings()
    urgency = (episode.check or {}).get("urgency")
    words = episode_words(episode)
    return {
        "id": episode.id,
        "when": fmt.moment(episode.started_at),
        "feel": words.feel,
        "site": words.site,
        "side": words.side,
        "duration": None
        if episode.duration_minutes is None
        else duration_text(episode.duration_minutes),
        "pain": episode.pain,
        "activity": words.activity,
        "at_night": episode.at_night,
        "context": list(words.context),
        "tried": list(words.tried),
        "helped": episode.helped,
        "notes": episode.notes,
        "checked": headings[urgency][0] if urgency in headings else None,
    }


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if sane_year(day.year) else None


@router.get("/diary")
def diary_home(
    request: Request,
    state: StateDep,
    db: DbDep,
    who: CurrentPatient,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    day: Annotated[str | None, Query(max_length=10)] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    welcome: Annotated[str | None, Query(max_length=5)] = None,
    episode_id: Annotated[str | None, Query(alias="episode", max_length=36)] = None,
) -> Response:
    """The diary: newest episodes first, a page at a time (optionally one day or site)."""
    fmt = here(request, state)
    zone, zone_label = fmt.zone, fmt.zone_name
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
    saved = _own(db, who, episode_id) if done == "saved" and episode_id else None
    notices = {
        "saved": (
            _("The episode was saved for %(when)s.")
            % {"when": fmt.moment_with_zone(saved.started_at)}
            if saved is not None
            else _("The episode was saved.")
        ),
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
            "episodes": [episode_view(e, fmt) for e in found[:PAGE_SIZE]],
            "page_number": page_number,
            "older": f"/diary?page={page_number + 1}{query}" if len(found) > PAGE_SIZE else None,
            "newer": f"/diary?page={page_number - 1}{query}" if page_number > 1 else None,
            "day": chosen_day.isoformat() if chosen_day else None,
            "day_label": fmt.day(chosen_day, weekday=True) if chosen_day else "",
            "site": site_filter or "",
            "sites": [(s, site_labels()[s]) for s in SITES],
            "site_label": site_labels().get(site_filter or "", ""),
            "notice": notices.get(done or ""),
            "saved_id": saved.id if saved is not None else None,
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
    who: CurrentPatient,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    """A month at a glance: how many episodes each day, each day a link to its episodes
    (weeks start on the day the clinic's locale starts them: Sunday in the US)."""
    fmt = here(request, state)
    zone, zone_label = fmt.zone, fmt.zone_name
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
                "label": fmt.day(d, weekday=True),
                "in_month": d.month == number,
                "count": counts.get(d, 0) if d.month == number else 0,
                "today": d == today,
            }
            for d in week
        ]
        for week in calendar.Calendar(fmt.first_weekday()).monthdatescalendar(year, number)
    ]
    previous = first - timedelta(days=1)
    return page(
        request,
        state,
        "diary_month.html",
        {
            "title": fmt.month(year, number),
            "weeks": weeks,
            "weekdays": fmt.weekdays(),
            "previous": previous.strftime("%Y-%m"),
            "next": following.strftime("%Y-%m"),
            "total": sum(counts.values()),
            "zone_label": zone_label,
        },
    )


# ---------------------------------------------------------------- checks


@router.get("/diary/{episode_id}/check")
def check_episode(
    request: Request, state: StateDep, who: CurrentPatient, episode: OwnEpisode
) -> Response:
    """Run an episode through the check and show the result (``who``: signed in only)."""
    flow = FlowState.from_given(episode_check(episode_record(episode), state.pipeline.kb))
    result = run_check(state, flow.check())
    context = result_context(state, flow, result)
    count_check(str(context["urgency"]), "diary")
    return page(request, state, "result.html", {**context, "diary_episode": episode.id})


@router.post("/diary/save-check")
def save_check(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient, form: PatientForm
) -> Response:
    """Save the check carried from the result page as an episode, then open it to edit."""
    try:
        flow = decode_state(form)
    except BadState:
        return bad_state_page(request, state)
    result = run_check(state, flow.check())
    assessment = serialized_assessment(result, state.pipeline.kb, state.clinic)
    now = datetime.now(UTC)
    try:
        episode = diary.log_episode(
            db,
            who.user.id,
            episode_from_check(flow.text, result, assessment, now, state.pipeline.kb),
            now,
        )
    except EpisodeError:
        return bad_state_page(request, state)
    return RedirectResponse(f"/diary/{episode.id}/edit?done=check", status_code=303)
