"""The episode diary: log episodes, see patterns, and notice what a single check cannot.

Every query is scoped to one person and uses the (user_id, started_at) index, so the
cost grows with that person's episodes, not with the table. Escalation is decided by
the knowledge base's diary rules, over patterns measured here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, get_args

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from crampcheck.domain.types import Case, FindingState
from crampcheck.engine.rules import fires
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.storage.tables import Episode
from crampcheck.storage.times import aware as _aware

Feel = Literal["cramp", "twitch", "other"]
Site = Literal[
    "site_calf",
    "site_foot",
    "site_thigh",
    "site_leg",
    "site_hand",
    "site_arm",
    "site_back",
    "site_neck",
    "site_eyelid",
    "site_face",
    "site_abdomen",
]
Side = Literal["left", "right", "both"]
Activity = Literal["exercise", "resting", "sleeping", "walking", "writing", "working", "other"]
Context = Literal[
    "hot_environment", "low_fluid", "poor_sleep", "new_medicine", "stress", "caffeine", "pregnant"
]
Treatment = Literal["stretching", "massage", "heat", "cold", "fluids", "nsaid"]
FEELS: tuple[str, ...] = get_args(Feel)
SIDES: tuple[str, ...] = get_args(Side)
ACTIVITIES: tuple[str, ...] = get_args(Activity)
CONTEXTS: tuple[str, ...] = get_args(Context)
TREATMENTS: tuple[str, ...] = get_args(Treatment)
SITES: tuple[str, ...] = get_args(Site)
MIN_DIARY_DAYS_FOR_PATTERNS = 10
MIN_DAYS_WITH_AND_WITHOUT = 3


class EpisodeError(ValueError):
    """Input that cannot be logged; ``field`` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class EpisodeInput:
    """What a person logs about one episode."""

    started_at: datetime
    feel: str = "cramp"
    site: str | None = None
    side: str | None = None
    duration_minutes: float | None = None
    pain: int | None = None
    activity: str | None = None
    at_night: bool = False
    context: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()
    helped: bool | None = None
    notes: str | None = None
    check: dict[str, Any] | None = None


def validate_episode(data: EpisodeInput, now: datetime) -> None:
    """Raise :class:`EpisodeError` for anything that cannot be an episode."""
    started = _aware(data.started_at)
    if started > now + timedelta(minutes=5):
        raise EpisodeError("started_at", "The time of the episode cannot be in the future.")
    if started < now - timedelta(days=3650):
        raise EpisodeError("started_at", "Please give a time within the last ten years.")
    checks: list[tuple[str, object, tuple[str, ...]]] = [
        ("feel", data.feel, FEELS),
        ("site", data.site, SITES),
        ("side", data.side, SIDES),
        ("activity", data.activity, ACTIVITIES),
    ]
    for name, value, allowed in checks:
        if value is not None and value not in allowed:
            raise EpisodeError(name, f"Please choose one of: {', '.join(allowed)}.")
    for name, values, allowed in (
        ("context", data.context, CONTEXTS),
        ("tried", data.tried, TREATMENTS),
    ):
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise EpisodeError(name, f"Unknown choice: {', '.join(unknown[:3])}.")
    if data.duration_minutes is not None and not 0 <= data.duration_minutes <= 24 * 60:
        raise EpisodeError("duration_minutes", "Please give a duration from 0 to 1440 minutes.")
    if data.pain is not None and not 0 <= data.pain <= 10:
        raise EpisodeError("pain", "Please give the pain from 0 (none) to 10 (worst).")
    if data.notes is not None and len(data.notes) > 2000:
        raise EpisodeError("notes", "Please keep notes under 2,000 characters.")


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


@dataclass(frozen=True)
class Escalation:
    """A diary rule that fired: time to see a doctor, why, and on what source."""

    rule_id: str
    level: str
    reason: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class Patterns:
    """What the diary shows, with the counts behind every statement."""

    total: int
    diary_days: int
    weekly_counts: tuple[int, ...]
    """Episodes in each of the last 12 weeks, oldest first."""
    trend: Literal["more", "fewer", "the same", "not enough data"]
    night_share: float | None
    sites: tuple[tuple[str, int], ...]
    median_duration: float | None
    median_pain: float | None
    hours: tuple[int, ...]
    """Episodes by hour of day (0-23)."""
    pain_by_week: tuple[float | None, ...]
    home_care: tuple[tuple[str, int, int], ...]
    """(treatment, times tried, times followed by relief)."""
    factors: tuple[tuple[str, float, float, int, int], ...]
    """(context, episodes a day on days with it, without it, days with, days without)."""
    enough_for_factors: bool
    metrics: dict[str, float] = field(default_factory=dict)
    escalations: tuple[Escalation, ...] = ()


WEEKS = 12


def patterns(
    session: Session,
    user_id: str,
    kb: KnowledgeBase,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> Patterns:
    """Measure this person's diary and apply the knowledge base's diary rules.

    Hours of the day and calendar days are those of ``zone``, the person's time zone.
    """
    now = _utc(now) if now else datetime.now(UTC)
    week_starts = [now - timedelta(weeks=WEEKS - i) for i in range(WEEKS + 1)]
    mine = Episode.user_id == user_id
    in_week = [
        func.sum(case((and_(Episode.started_at >= start, Episode.started_at < end), 1), else_=0))
        for start, end in zip(week_starts, week_starts[1:], strict=False)
    ]
    pain_in_week = [
        func.avg(
            case(
                (and_(Episode.started_at >= start, Episode.started_at < end), Episode.pain),
                else_=None,
            )
        )
        for start, end in zip(week_starts, week_starts[1:], strict=False)
    ]
    summary = session.execute(
        select(
            func.count(),
            func.min(Episode.started_at),
            func.sum(case((Episode.at_night.is_(True), 1), else_=0)),
            *in_week,
            *pain_in_week,
        ).where(mine)
    ).one()
    total = int(summary[0] or 0)
    first = summary[1]
    night = int(summary[2] or 0)
    weekly = tuple(int(x or 0) for x in summary[3 : 3 + WEEKS])
    weekly_pain = tuple(
        None if x is None else round(float(x), 1) for x in summary[3 + WEEKS : 3 + 2 * WEEKS]
    )
    diary_days = 0
    if first is not None:
        first_aware = _aware(first)
        diary_days = max(0, (now - first_aware).days)

    sites = tuple(
        (str(site), int(count))
        for site, count in session.execute(
            select(Episode.site, func.count())
            .where(mine, Episode.site.is_not(None))
            .group_by(Episode.site)
            .order_by(func.count().desc())
        )
    )
    recent = list(
        session.scalars(
            select(Episode)
            .where(mine, Episode.started_at >= now - timedelta(days=84))
            .order_by(Episode.started_at)
        )
    )
    durations = sorted(e.duration_minutes for e in recent if e.duration_minutes is not None)
    pains = sorted(e.pain for e in recent if e.pain is not None)
    hours = [0] * 24
    for e in recent:
        hours[_aware(e.started_at).astimezone(zone).hour] += 1
    home_care = _home_care(recent)
    factors, enough = _factors(recent, now, diary_days, zone)
    metrics = _metrics(recent, weekly, diary_days, night, total, now)
    escalations = _escalate(kb, metrics)
    return Patterns(
        total=total,
        diary_days=diary_days,
        weekly_counts=weekly,
        trend=_trend(weekly),
        night_share=round(night / total, 2) if total else None,
        sites=sites,
        median_duration=_median(durations),
        median_pain=_median([float(p) for p in pains]),
        hours=tuple(hours),
        pain_by_week=weekly_pain,
        home_care=home_care,
        factors=factors,
        enough_for_factors=enough,
        metrics=metrics,
        escalations=escalations,
    )


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a time without a zone is taken to be UTC already)."""
    return _aware(moment).astimezone(UTC)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return round(values[middle], 1)
    return round((values[middle - 1] + values[middle]) / 2, 1)


def _trend(weekly: tuple[int, ...]) -> Literal["more", "fewer", "the same", "not enough data"]:
    recent, before = sum(weekly[-4:]), sum(weekly[-8:-4])
    if recent + before < 4:
        return "not enough data"
    if recent >= before * 1.5 and recent - before >= 2:
        return "more"
    if before >= recent * 1.5 and before - recent >= 2:
        return "fewer"
    return "the same"


def _home_care(episodes: list[Episode]) -> tuple[tuple[str, int, int], ...]:
    tried: dict[str, list[int]] = {}
    for episode in episodes:
        for treatment in episode.tried or []:
            counts = tried.setdefault(treatment, [0, 0])
            counts[0] += 1
            counts[1] += 1 if episode.helped else 0
    return tuple((t, c[0], c[1]) for t, c in sorted(tried.items(), key=lambda i: -i[1][0]))


def _factors(
    episodes: list[Episode], now: datetime, diary_days: int, zone: tzinfo = UTC
) -> tuple[tuple[tuple[str, float, float, int, int], ...], bool]:
    """Episodes a day on days with and without each context factor.

    Shown only with at least 10 days of diary and 3 days each with and without the factor.
    """
    if diary_days < MIN_DIARY_DAYS_FOR_PATTERNS:
        return (), False
    by_day: dict[str, list[Episode]] = {}
    for episode in episodes:
        day = _aware(episode.started_at).astimezone(zone).date().isoformat()
        by_day.setdefault(day, []).append(episode)
    days = min(diary_days, 84)
    results = []
    for factor in CONTEXTS:
        with_days = [
            d for d, eps in by_day.items() if any(factor in (e.context or []) for e in eps)
        ]
        episodes_with = sum(len(by_day[d]) for d in with_days)
        days_without = days - len(with_days)
        if len(with_days) < MIN_DAYS_WITH_AND_WITHOUT or days_without < MIN_DAYS_WITH_AND_WITHOUT:
            continue
        episodes_without = len(episodes) - episodes_with
        results.append(
            (
                factor,
                round(episodes_with / len(with_days), 2),
                round(episodes_without / days_without, 2),
                len(with_days),
                days_without,
            )
        )
    return tuple(results), True


def _metrics(
    recent: list[Episode],
    weekly: tuple[int, ...],
    diary_days: int,
    night: int,
    total: int,
    now: datetime,
) -> dict[str, float]:
    last14 = [e for e in recent if now - _aware(e.started_at) <= timedelta(days=14)]
    prev14 = [
        e for e in recent if timedelta(days=14) < now - _aware(e.started_at) <= timedelta(days=28)
    ]
    last28 = last14 + prev14
    tries = [e for e in last28 if e.tried]
    metrics: dict[str, float] = {
        "diary_days": float(diary_days),
        "episodes_per_week": round(sum(weekly[-4:]) / 4, 2),
        "episodes_last_14_days": float(len(last14)),
        "weeks_with_episodes": float(sum(1 for w in weekly[-6:] if w > 0)),
        "home_care_tries": float(len(tries)),
        "severe_episodes": float(sum(1 for e in last28 if (e.pain or 0) >= 8)),
    }
    if prev14:
        metrics["frequency_trend"] = round(len(last14) / len(prev14), 2)
    pains_now = [e.pain for e in last14 if e.pain is not None]
    pains_before = [e.pain for e in prev14 if e.pain is not None]
    if pains_now and pains_before:
        metrics["pain_trend"] = round(
            sum(pains_now) / len(pains_now) - sum(pains_before) / len(pains_before), 2
        )
    if tries:
        metrics["home_care_relief_share"] = round(sum(1 for e in tries if e.helped) / len(tries), 2)
    if total:
        metrics["night_share"] = round(night / total, 2)
    return metrics


def _escalate(kb: KnowledgeBase, metrics: dict[str, float]) -> tuple[Escalation, ...]:
    measured = Case(findings={k: FindingState.PRESENT for k in metrics}, values=metrics)
    return tuple(
        Escalation(rule.id, rule.spec.level.value, rule.spec.reason, rule.spec.sources)
        for rule in kb.diary_rules
        if fires(rule, measured)
    )
