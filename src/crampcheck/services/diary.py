"""The episode diary: log episodes, see patterns, and notice what a single check cannot.

Every query is scoped to one person and uses the (user_id, started_at) index, so the
cost grows with that person's episodes, not with the table. Escalation is decided by
the knowledge base's diary rules, over patterns measured here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from crampcheck.domain.diary import (
    ENTRY_FIELDS,
    FEELS,
    ONE_OF,
    SOME_OF,
    DiaryEpisode,
    EpisodeEntry,
    EpisodeRecord,
    KindPatterns,
    Patterns,
)
from crampcheck.domain.i18n import N_
from crampcheck.engine.diary_patterns import measure
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.input_errors import FieldError
from crampcheck.storage.tables import Episode
from crampcheck.storage.times import aware as _aware


class EpisodeError(FieldError):
    """Input that cannot be logged; ``field`` names the form field at fault."""


@dataclass(frozen=True, kw_only=True)
class EpisodeInput(EpisodeEntry):
    """What a person logs about one episode, and the check it came from, if any."""

    check: dict[str, Any] | None = None


def validate_episode(data: EpisodeInput, now: datetime) -> None:
    """Raise :class:`EpisodeError` for anything that cannot be an episode."""
    started = _aware(data.started_at)
    if started > now + timedelta(minutes=5):
        raise EpisodeError("started_at", N_("The time of the episode cannot be in the future."))
    if started < now - timedelta(days=3650):
        raise EpisodeError("started_at", N_("Please give a time within the last ten years."))
    for name, allowed in ONE_OF.items():
        value = getattr(data, name)
        if value is not None and value not in allowed:
            raise EpisodeError(name, f"Please choose one of: {', '.join(allowed)}.")
    for name, allowed in SOME_OF.items():
        unknown = [v for v in getattr(data, name) if v not in allowed]
        if unknown:
            raise EpisodeError(name, f"Unknown choice: {', '.join(unknown[:3])}.")
    if data.duration_minutes is not None and not 0 <= data.duration_minutes <= 24 * 60:
        raise EpisodeError("duration_minutes", N_("Please give a duration from 0 to 1440 minutes."))
    if data.pain is not None and not 0 <= data.pain <= 10:
        raise EpisodeError("pain", N_("Please give the pain from 0 (none) to 10 (worst)."))
    if data.notes is not None and len(data.notes) > 2000:
        raise EpisodeError("notes", N_("Please keep notes under 2,000 characters."))


def log_episode(
    session: Session, user_id: str, data: EpisodeInput, now: datetime | None = None
) -> Episode:
    """Store a new episode for this person (in the caller's transaction)."""
    now = now or datetime.now(UTC)
    validate_episode(data, now)
    episode = Episode(user_id=user_id, id=str(uuid.uuid4()), created_at=now, updated_at=now)
    _apply(episode, data)
    session.add(episode)
    return episode


def update_episode(
    session: Session,
    user_id: str,
    episode_id: str,
    data: EpisodeInput,
    now: datetime | None = None,
) -> Episode | None:
    """Change one of this person's episodes; None when it is not theirs or does not exist."""
    now = now or datetime.now(UTC)
    episode = get_episode(session, user_id, episode_id)
    if episode is None:
        return None
    validate_episode(data, now)
    _apply(episode, data)
    episode.updated_at = now
    return episode


def delete_episode(session: Session, user_id: str, episode_id: str) -> bool:
    """Delete one of this person's episodes; False when it is not theirs."""
    episode = get_episode(session, user_id, episode_id)
    if episode is None:
        return False
    session.delete(episode)
    return True


def get_episode(session: Session, user_id: str, episode_id: str) -> Episode | None:
    """One of this person's episodes (never another person's)."""
    return session.get(Episode, (user_id, episode_id))


def list_episodes(
    session: Session,
    user_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    site: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Episode]:
    """This person's episodes, newest first, filtered and paged."""
    query: Select[Episode] = select(Episode).where(Episode.user_id == user_id)
    if since is not None:
        query = query.where(Episode.started_at >= _utc(since))
    if until is not None:
        query = query.where(Episode.started_at < _utc(until))
    if site is not None:
        query = query.where(Episode.site == site)
    query = query.order_by(Episode.started_at.desc()).limit(min(limit, 500)).offset(offset)
    return list(session.scalars(query))


def _apply(episode: Episode, data: EpisodeInput) -> None:
    # Stored in UTC: SQLite keeps the wall time without its offset, so a time given in
    # another zone would otherwise sort and compare wrongly there.
    episode.started_at = _utc(data.started_at)
    episode.feel = data.feel
    episode.site = data.site
    episode.side = data.side
    episode.duration_minutes = data.duration_minutes
    episode.pain = data.pain
    episode.activity = data.activity
    episode.at_night = data.at_night or data.activity == "sleeping"
    episode.context = list(dict.fromkeys(data.context))
    episode.tried = list(dict.fromkeys(data.tried))
    episode.helped = data.helped if data.tried else None
    episode.notes = (data.notes or "").strip() or None
    episode.check = data.check


MEASURED: tuple[str, ...] = tuple(f.name for f in fields(DiaryEpisode))
"""What the diary's measurement reads of an episode."""

_FROM_STORED: dict[str, Callable[[Any], Any]] = {
    "at_night": bool,
    "context": lambda choices: tuple(choices or ()),
    "tried": lambda choices: tuple(choices or ()),
    "feel": lambda feel: feel or "cramp",
}
"""How a stored field is read where its column can hold something the values do not
(a JSON list, an integer for a flag); every other field is read as stored."""


def _as_logged(episode: Any, names: Sequence[str]) -> dict[str, Any]:
    """``names`` of a stored episode (an :class:`Episode` or a row of its columns), as
    the diary's values have them."""
    return {name: _FROM_STORED.get(name, _as_stored)(getattr(episode, name)) for name in names}


def _as_stored(value: Any) -> Any:
    return value


def as_measured(episode: Episode | Row[Any]) -> DiaryEpisode:
    """A stored episode (or a row of its :data:`MEASURED` columns) as the diary's
    measurement takes it (its start in UTC)."""
    values = _as_logged(episode, MEASURED)
    return DiaryEpisode(**values | {"started_at": _utc(episode.started_at)})


def episode_record(episode: Episode) -> EpisodeRecord:
    """A stored episode as the person logged it, for the FHIR export (times as stored,
    with their zone)."""
    values = _as_logged(episode, ENTRY_FIELDS)
    return EpisodeRecord(
        **values | {"started_at": _aware(episode.started_at)},
        id=episode.id,
        created_at=_aware(episode.created_at),
    )


def patterns_by_kind(
    session: Session,
    user_id: str,
    kb: KnowledgeBase,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> tuple[KindPatterns, ...]:
    """This person's diary measured per kind of episode (see :func:`by_kind`): the one
    measurement the person's patterns page, their printable summary, the clinician's
    view of a shared diary, the one-page PDF and the API all show.

    Hours of the day and calendar days are those of ``zone`` (the person's, or the
    clinic's for the clinic)."""
    now = _utc(now) if now else datetime.now(UTC)
    return by_kind(_measured(session, user_id), now, zone, kb)


def patterns_of_kind(
    session: Session,
    user_id: str,
    kb: KnowledgeBase,
    kind: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> Patterns:
    """This person's diary measured for one kind of episode (none logged: empty)."""
    now = _utc(now) if now else datetime.now(UTC)
    found = next(
        (k.patterns for k in by_kind(_measured(session, user_id), now, zone, kb) if k.kind == kind),
        None,
    )
    return found if found is not None else nothing_logged(now, zone, kb)


def nothing_logged(now: datetime, zone: tzinfo, kb: KnowledgeBase) -> Patterns:
    """The patterns of a diary with no episode of a kind (all counts zero, no rule
    fired): what a chart of a kind not logged yet draws, and what the API's top-level
    figures say of an empty diary."""
    return measure([], _utc(now), zone, kb)


def by_kind(
    episodes: Sequence[DiaryEpisode], now: datetime, zone: tzinfo, kb: KnowledgeBase
) -> tuple[KindPatterns, ...]:
    """The patterns of each kind of episode apart (cramps, twitching, something else),
    the kind with most episodes first; only kinds with episodes. Eyelid twitches and
    calf cramps have different causes and different reasons to see a doctor, so one is
    never counted towards the other's frequency, trend or diary rules."""
    now = _utc(now)
    kinds: dict[str, list[DiaryEpisode]] = {}
    for episode in episodes:
        kinds.setdefault(episode.feel if episode.feel in FEELS else "other", []).append(episode)
    ordered = sorted(kinds.items(), key=lambda item: (-len(item[1]), FEELS.index(item[0])))
    return tuple(KindPatterns(kind, measure(found, now, zone, kb)) for kind, found in ordered)


def _measured(session: Session, user_id: str) -> list[DiaryEpisode]:
    columns = [getattr(Episode, name) for name in MEASURED]
    rows = session.execute(select(*columns).where(Episode.user_id == user_id))
    return [as_measured(row) for row in rows]


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a time without a zone is taken to be UTC already)."""
    return _aware(moment).astimezone(UTC)
