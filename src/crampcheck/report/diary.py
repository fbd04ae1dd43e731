"""The shared diary on the one-page summary: for each kind of episode apart (twitching
is never counted with cramps), the figures, the two charts and the diary rules that say
it is time to see a doctor. The figures are the diary service's own measurement per
kind (:func:`crampcheck.services.diary.by_kind`, what the person's patterns page shows),
taken with days and weeks in the clinic's time zone; nothing here measures again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from crampcheck.domain import diary_charts as chart_pages
from crampcheck.domain import diary_labels, local_format
from crampcheck.domain.diary import KindPatterns, Patterns
from crampcheck.domain.local_format import LocalFormat
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.report.parts import SourceRef, number_text, sources_of


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
    """One kind of episode in the shared diary (``kind``: cramp, twitch or other, headed
    ``heading``): counts behind every statement, the two charts, home care."""

    kind: str
    heading: str
    total: int
    diary_days: int
    """The days the diary covers as people count them (one for a diary begun today)."""
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
    """Of the last 12 weeks' episodes (``recent``), those with home care tried."""
    recent: int
    care_helped: int
    care_did_not_help: int
    care_not_recorded: int
    escalations: tuple[Escalation, ...]


def diary_charts(
    found: Patterns, now: datetime, zone: tzinfo = UTC, fmt: LocalFormat = chart_pages.US_STYLE
) -> tuple[Chart, Chart]:
    """Episodes per week and average pain per week: the diary page's two charts, drawn
    with its titles, labels and settings (weeks starting on days of ``zone``, their
    dates written as ``fmt``'s locale writes them: "Mar 14" in the US, "14 Mar" in the UK)."""
    data = chart_pages.chart_data(found, now, zone, fmt)
    weekly, pain = data["weekly"], data["pain"]
    weekly_svg = chart_pages.chart_svg("weekly", found, now, zone, fmt)
    pain_svg = chart_pages.chart_svg("pain", found, now, zone, fmt)
    return (
        Chart(weekly["title"], weekly["alt"], weekly_svg),
        Chart(pain["title"], pain["alt"], pain_svg),
    )


def diary_figures(
    measured: KindPatterns,
    kb: KnowledgeBase,
    now: datetime,
    zone: tzinfo = UTC,
    fmt: LocalFormat = chart_pages.US_STYLE,
) -> DiaryFigures:
    """What the shared diary shows of one kind of episode: how many and how often (the
    last 4 weeks against the 4 before, a trend only once the diary covers both), where,
    how long and how painful typically, the charts, what home care was tried and whether
    relief followed, and the diary rules that say it is time to see a doctor; days and
    weeks are those of ``zone`` (the clinic's), as the diary was measured, and the charts'
    dates are written in ``fmt``'s locale (the clinic's)."""
    found = measured.patterns
    now = _in_utc(now)
    weekly_chart, pain_chart = diary_charts(found, now, zone, fmt)
    sites, treatments = diary_labels.site_labels(), diary_labels.treatment_labels()
    return DiaryFigures(
        kind=measured.kind,
        heading=diary_labels.kind_headings().get(measured.kind, measured.kind),
        total=found.total,
        diary_days=found.days_covered,
        last_4_weeks=sum(found.weekly_counts[-4:]),
        previous_4_weeks=sum(found.weekly_counts[-8:-4]),
        per_week=number_text(found.metrics.get("episodes_per_week", 0.0)),
        trend=diary_labels.trend_words(found),
        night=None if found.night_share is None else f"{round(found.night_share * 100)}%",
        sites=tuple((sites.get(s, s), n) for s, n in found.sites),
        median_duration=None
        if found.median_duration is None
        else local_format.duration_text(found.median_duration),
        median_pain=None if found.median_pain is None else number_text(found.median_pain),
        weekly_chart=weekly_chart,
        pain_chart=pain_chart,
        home_care=tuple(HomeCare(treatments.get(t, t), n, m) for t, n, m in found.home_care),
        episodes_with_care=found.recent_with_care,
        recent=found.recent,
        care_helped=found.recent_care_helped,
        care_did_not_help=found.recent_care_not_helped,
        care_not_recorded=(
            found.recent_with_care - found.recent_care_helped - found.recent_care_not_helped
        ),
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
