"""A person's data, downloadable: everything as JSON, episodes as CSV, and FHIR R4.

The JSON and FHIR downloads keep the stored codes and UTC times (for programs). The CSV
is for people and spreadsheets: the words the diary shows ("Calf", not ``site_calf``;
"Yes", not ``True``), each time in the person's zone as their clinic's locale writes it,
with the zone named."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.domain.diary import ENTRY_FIELDS
from crampcheck.domain.diary_labels import (
    activity_labels,
    context_labels,
    short_feel_labels,
    side_labels,
    site_labels,
    treatment_labels,
)
from crampcheck.domain.i18n import _
from crampcheck.domain.local_format import LocalFormat, duration_text
from crampcheck.fhir.diary import diary_bundle
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.diary import episode_record
from crampcheck.storage.tables import Episode, User
from crampcheck.storage.times import aware

JSON_FIELDS = ("id", *ENTRY_FIELDS)
"""Each episode's fields in the JSON download, in order."""


def csv_columns() -> tuple[str, ...]:
    """The CSV's column headings, in the person's language."""
    return (
        _("Date"),
        _("Time"),
        _("Time zone"),
        _("Kind"),
        _("Where"),
        _("Side"),
        _("Pain (0 to 10)"),
        _("Lasted"),
        _("Lasted (seconds)"),
        _("Doing"),
        _("At night"),
        _("Going on"),
        _("Tried"),
        _("Helped"),
        _("Note"),
        _("Episode id"),
    )


def _episodes(session: Session, user: User) -> list[Episode]:
    return list(
        session.scalars(
            select(Episode).where(Episode.user_id == user.id).order_by(Episode.started_at)
        )
    )


def episode_dict(episode: Episode) -> dict[str, Any]:
    """One episode as plain JSON data."""
    started = aware(episode.started_at)
    return {
        "id": episode.id,
        "started_at": started.isoformat(),
        "feel": episode.feel,
        "site": episode.site,
        "side": episode.side,
        "duration_minutes": episode.duration_minutes,
        "pain": episode.pain,
        "activity": episode.activity,
        "at_night": episode.at_night,
        "context": list(episode.context or []),
        "tried": list(episode.tried or []),
        "helped": episode.helped,
        "notes": episode.notes,
        "check": episode.check,
    }


def export_json(session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything crampcheck holds about the person."""
    now = now or datetime.now(UTC)
    return {
        "exported_at": now.isoformat(),
        "account": {"id": user.id, "email": user.email, "created_at": user.created_at.isoformat()},
        "episodes": [episode_dict(e) for e in _episodes(session, user)],
    }


def export_csv(session: Session, user: User, fmt: LocalFormat) -> str:
    """The person's episodes as CSV, oldest first: one row an episode, in words, times
    in ``fmt``'s zone and locale; lists joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns())
    for episode in _episodes(session, user):
        writer.writerow([safe_cell(cell) for cell in _csv_row(episode, fmt)])
    return buffer.getvalue()


@dataclass(frozen=True)
class EpisodeWords:
    """An episode's choices in words, for the diary's list and its download: a choice not
    made is empty, a code without words (none is stored) is shown as it is."""

    feel: str
    site: str
    side: str
    activity: str
    context: tuple[str, ...]
    tried: tuple[str, ...]


def episode_words(episode: Episode) -> EpisodeWords:
    """The words of ``episode``'s choices (how it felt in its short form)."""
    sites, sides, activities = site_labels(), side_labels(), activity_labels()
    contexts, treatments = context_labels(), treatment_labels()
    return EpisodeWords(
        feel=short_feel_labels().get(episode.feel, episode.feel),
        site=sites.get(episode.site or "", episode.site or ""),
        side=sides.get(episode.side or "", episode.side or ""),
        activity=activities.get(episode.activity or "", episode.activity or ""),
        context=tuple(contexts.get(c, c) for c in episode.context or ()),
        tried=tuple(treatments.get(t, t) for t in episode.tried or ()),
    )


def _csv_row(episode: Episode, fmt: LocalFormat) -> list[object]:
    started = fmt.local(episode.started_at)
    yes_no = {True: _("Yes"), False: _("No"), None: ""}
    words = episode_words(episode)
    minutes = episode.duration_minutes
    return [
        fmt.numeric_day(started.date()),
        fmt.clock(started.time()),
        f"{fmt.zone_name} ({fmt.zone_abbreviation(started)})",
        words.feel,
        words.site,
        words.side,
        episode.pain,
        None if minutes is None else duration_text(minutes),
        None if minutes is None else round(minutes * 60),
        words.activity,
        yes_no[bool(episode.at_night)],
        "; ".join(words.context),
        "; ".join(words.tried),
        yes_no[episode.helped] if episode.tried else "",
        episode.notes,
        episode.id,
    ]


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = str(value)
    # A cell starting with = + - @ could run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def export_fhir(session: Session, user: User, kb: KnowledgeBase) -> dict[str, Any]:
    """The person's diary as a FHIR R4 Bundle."""
    episodes = [episode_record(e) for e in _episodes(session, user)]
    return diary_bundle(user.id, user.email, episodes, kb)
