"""A person's data, downloadable: everything as JSON, episodes as CSV, and FHIR R4."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.domain.diary import ENTRY_FIELDS
from crampcheck.fhir.diary import diary_bundle
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.diary import episode_record
from crampcheck.storage.tables import Episode, User
from crampcheck.storage.times import aware

CSV_COLUMNS = ("id", *ENTRY_FIELDS)


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


def export_csv(session: Session, user: User) -> str:
    """The person's episodes as CSV (one row an episode; lists joined with ';')."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for episode in _episodes(session, user):
        row = episode_dict(episode)
        writer.writerow(
            [
                ";".join(row[c]) if c in ("context", "tried") else safe_cell(row[c])
                for c in CSV_COLUMNS
            ]
        )
    return buffer.getvalue()


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
