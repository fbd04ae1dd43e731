"""Measuring a diary: a pure function over the episodes, shared by the person's patterns
page, the clinician's view of a shared diary and the PDF summary.

Weeks are counted back from ``now``; hours of the day and calendar days are those of
``zone`` (the person's, or the clinic's for the clinic). Escalation is decided by the
knowledge base's diary rules over the measured figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from crampcheck.domain.diary import (
    CONTEXTS,
    MIN_DAYS_WITH_AND_WITHOUT,
    MIN_DIARY_DAYS_FOR_FORTNIGHTS,
    MIN_DIARY_DAYS_FOR_PATTERNS,
    MIN_DIARY_DAYS_FOR_TREND,
    WEEKS,
    DiaryEpisode,
    Escalation,
    Factor,
    HomeCare,
    Patterns,
    SiteCount,
    Trend,
)
from crampcheck.domain.types import Case, FindingState
from crampcheck.engine.rules import fires
from crampcheck.knowledge.loader import KnowledgeBase

RECENT_DAYS = 84


def measure(
    episodes: Sequence[DiaryEpisode], now: datetime, zone: tzinfo, kb: KnowledgeBase
) -> Patterns:
    """The patterns of these episodes at ``now``, and the diary rules they fire."""
    week_starts = [now - timedelta(weeks=WEEKS - i) for i in range(WEEKS + 1)]
    windows = list(zip(week_starts, week_starts[1:], strict=False))
    weekly = tuple(
        sum(1 for e in episodes if start <= e.started_at < end) for start, end in windows
    )
    pain_by_week = tuple(
        _mean([e.pain for e in episodes if start <= e.started_at < end and e.pain is not None])
        for start, end in windows
    )
    total = len(episodes)
    night = sum(1 for e in episodes if e.at_night)
    first = min((e.started_at for e in episodes), default=None)
    diary_days = max(0, (now - first).days) if first is not None else 0
    site_counts: dict[str, int] = {}
    for episode in episodes:
        if episode.site is not None:
            site_counts[episode.site] = site_counts.get(episode.site, 0) + 1
    sites = tuple(
        SiteCount(site, count)
        for site, count in sorted(site_counts.items(), key=lambda item: (-item[1], item[0]))
    )
    recent = sorted(
        (e for e in episodes if e.started_at >= now - timedelta(days=RECENT_DAYS)),
        key=lambda e: e.started_at,
    )
    durations = sorted(e.duration_minutes for e in recent if e.duration_minutes is not None)
    pains = sorted(float(e.pain) for e in recent if e.pain is not None)
    hours = [0] * 24
    for episode in recent:
        hours[episode.started_at.astimezone(zone).hour] += 1
    cared = [e for e in recent if e.tried]
    factors, enough = _factors(recent, now, diary_days, zone)
    metrics = _metrics(recent, weekly, diary_days, night, total, now)
    return Patterns(
        total=total,
        diary_days=diary_days,
        weekly_counts=weekly,
        trend=_trend(weekly, diary_days),
        night_share=round(night / total, 2) if total else None,
        sites=sites,
        median_duration=_median(durations),
        median_pain=_median(pains),
        hours=tuple(hours),
        pain_by_week=pain_by_week,
        home_care=_home_care(recent),
        factors=factors,
        enough_for_factors=enough,
        metrics=metrics,
        escalations=_escalate(kb, metrics),
        night=night,
        recent=len(recent),
        recent_with_duration=len(durations),
        recent_with_pain=len(pains),
        recent_with_care=len(cared),
        recent_care_helped=sum(1 for e in cared if e.helped is True),
        recent_care_not_helped=sum(1 for e in cared if e.helped is False),
    )


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return round(values[middle], 1)
    return round((values[middle - 1] + values[middle]) / 2, 1)


def _trend(weekly: tuple[int, ...], diary_days: int) -> Trend:
    """The last 4 weeks against the 4 before, once the diary covers both (see
    :data:`~crampcheck.domain.diary.MIN_DIARY_DAYS_FOR_TREND`) and holds a few episodes."""
    recent, before = sum(weekly[-4:]), sum(weekly[-8:-4])
    if diary_days < MIN_DIARY_DAYS_FOR_TREND or recent + before < 4:
        return "not enough data"
    if recent >= before * 1.5 and recent - before >= 2:
        return "more"
    if before >= recent * 1.5 and before - recent >= 2:
        return "fewer"
    return "the same"


def _home_care(episodes: Sequence[DiaryEpisode]) -> tuple[HomeCare, ...]:
    tried: dict[str, list[int]] = {}
    for episode in episodes:
        for treatment in episode.tried or []:
            counts = tried.setdefault(treatment, [0, 0])
            counts[0] += 1
            counts[1] += 1 if episode.helped else 0
    ranked = sorted(tried.items(), key=lambda item: -item[1][0])
    return tuple(HomeCare(t, c[0], c[1]) for t, c in ranked)


def _factors(
    episodes: Sequence[DiaryEpisode], now: datetime, diary_days: int, zone: tzinfo
) -> tuple[tuple[Factor, ...], bool]:
    """Episodes a day on days with and without each context factor.

    Shown only with at least 10 days of diary and 3 days each with and without the factor.
    """
    if diary_days < MIN_DIARY_DAYS_FOR_PATTERNS:
        return (), False
    by_day: dict[str, list[DiaryEpisode]] = {}
    for episode in episodes:
        day = episode.started_at.astimezone(zone).date().isoformat()
        by_day.setdefault(day, []).append(episode)
    days = min(diary_days, 84)
    results: list[Factor] = []
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
            Factor(
                factor,
                round(episodes_with / len(with_days), 2),
                round(episodes_without / days_without, 2),
                len(with_days),
                days_without,
            )
        )
    return tuple(results), True


def _metrics(
    recent: Sequence[DiaryEpisode],
    weekly: tuple[int, ...],
    diary_days: int,
    night: int,
    total: int,
    now: datetime,
) -> dict[str, float]:
    last14 = [e for e in recent if now - e.started_at <= timedelta(days=14)]
    prev14 = [e for e in recent if timedelta(days=14) < now - e.started_at <= timedelta(days=28)]
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
    # The fortnights are compared only when the diary covers both of them.
    covered = diary_days >= MIN_DIARY_DAYS_FOR_FORTNIGHTS
    if prev14 and covered:
        metrics["frequency_trend"] = round(len(last14) / len(prev14), 2)
    pains_now = [e.pain for e in last14 if e.pain is not None]
    pains_before = [e.pain for e in prev14 if e.pain is not None]
    if pains_now and pains_before and covered:
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
