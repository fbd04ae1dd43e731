"""The shared diary on the one-page summary: the figures, the two charts and the diary
rules that say it is time to see a doctor, measured as the person's own patterns page
measures them (days and weeks in the clinic's time zone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from crampcheck.domain import diary_charts as chart_pages
from crampcheck.domain import diary_labels
from crampcheck.domain.diary import DiaryEpisode, Patterns
from crampcheck.engine.diary_patterns import measure
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.report.parts import SourceRef, number_text, sources_of

TREND_LABELS: Mapping[str, str] = {
    "more": "more often",
    "fewer": "less often",
    "the same": "about the same",
    "not enough data": "too short a diary (under 8 weeks) or too few episodes to tell a trend",
}
"""The diary service's trend (last 4 weeks against the 4 before) in words."""


@dataclass(frozen=True)
class Chart:
    """One of the diary's charts: title, text alternative and the SVG markup (drawn by
    :mod:`crampcheck.domain.charts`, which escapes every text it writes)."""

    title: str
    description: str
    svg: str


@dataclass(frozen=True)
class HomeCare:
    """One home treatment in the diary's last 12 weeks: how often it was tried and how
    often relief followed."""

    treatment: str
    tried: int
    relieved: int


@dataclass(frozen=True)
class Escalation:
    """A diary rule that says it is time to see a doctor, with its sources."""

    text: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class DiaryFigures:
    """The shared diary: counts behind every statement, the two charts, home care."""

    total: int
    diary_days: int
    last_4_weeks: int
    previous_4_weeks: int
    per_week: str
    trend: str
    night: str | None
    sites: tuple[tuple[str, int], ...]
    median_duration: str | None
    median_pain: str | None
    weekly_chart: Chart
    pain_chart: Chart
    home_care: tuple[HomeCare, ...]
    episodes_with_care: int
    care_helped: int
    care_did_not_help: int
    care_not_recorded: int
    escalations: tuple[Escalation, ...]


def diary_patterns(
    episodes: Sequence[DiaryEpisode], kb: KnowledgeBase, now: datetime, zone: tzinfo = UTC
) -> Patterns:
    """The diary's own measurement of these episodes (the person's patterns page's: same
    weeks, same rules), hours of the day and calendar days those of ``zone`` (the
    clinic's)."""
    return measure(episodes, _in_utc(now), zone, kb)


def diary_charts(found: Patterns, now: datetime, zone: tzinfo = UTC) -> tuple[Chart, Chart]:
    """Episodes per week and average pain per week: the diary page's two charts, drawn
    with its titles, labels and settings (weeks starting on days of ``zone``)."""
    data = chart_pages.chart_data(found, now, zone)
    weekly, pain = data["weekly"], data["pain"]
    weekly_svg = chart_pages.chart_svg("weekly", found, now, zone)
    pain_svg = chart_pages.chart_svg("pain", found, now, zone)
    return (
        Chart(weekly["title"], weekly["alt"], weekly_svg),
        Chart(pain["title"], pain["alt"], pain_svg),
    )


def diary_figures(
    episodes: Sequence[DiaryEpisode], kb: KnowledgeBase, now: datetime, zone: tzinfo = UTC
) -> DiaryFigures:
    """What the shared diary shows: how many episodes and how often (the last 4 weeks
    against the 4 before), where, how long and how painful typically, the charts, what
    home care was tried and whether relief followed, and the diary rules that say it is
    time to see a doctor; days and weeks are those of ``zone`` (the clinic's)."""
    found = diary_patterns(episodes, kb, now, zone)
    weekly_chart, pain_chart = diary_charts(found, now, zone)
    sites, treatments = diary_labels.site_labels(), diary_labels.treatment_labels()
    with_care = [e for e in episodes if e.tried]
    return DiaryFigures(
        total=found.total,
        diary_days=found.diary_days,
        last_4_weeks=sum(found.weekly_counts[-4:]),
        previous_4_weeks=sum(found.weekly_counts[-8:-4]),
        per_week=number_text(found.metrics.get("episodes_per_week", 0.0)),
        trend=TREND_LABELS.get(found.trend, found.trend),
        night=None if found.night_share is None else f"{round(found.night_share * 100)}%",
        sites=tuple((sites.get(s, s), n) for s, n in found.sites),
        median_duration=None
        if found.median_duration is None
        else number_text(found.median_duration),
        median_pain=None if found.median_pain is None else number_text(found.median_pain),
        weekly_chart=weekly_chart,
        pain_chart=pain_chart,
        home_care=tuple(HomeCare(treatments.get(t, t), n, m) for t, n, m in found.home_care),
        episodes_with_care=len(with_care),
        care_helped=sum(1 for e in with_care if e.helped is True),
        care_did_not_help=sum(1 for e in with_care if e.helped is False),
        care_not_recorded=sum(1 for e in with_care if e.helped is None),
        escalations=escalations_of(found, kb),
    )


def escalations_of(found: Patterns, kb: KnowledgeBase) -> tuple[Escalation, ...]:
    """The diary rules that fired, in the few words the diary's summary for the clinic
    uses, each with its sources."""
    phrases = diary_labels.escalation_phrases()
    return tuple(
        Escalation(
            text=phrases.get(e.rule_id, e.reason),
            sources=sources_of(e.source_ids, kb),
        )
        for e in found.escalations
    )


def _in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a time without a zone is taken to be UTC already)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
