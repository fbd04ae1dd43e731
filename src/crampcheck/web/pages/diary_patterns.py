"""The diary's patterns: each kind of episode apart (eyelid twitches are never counted
with calf cramps), in plain words with the counts behind every statement, with charts;
the summary sentence that goes with an appointment request (the check it leads to is
:func:`crampcheck.services.diary_checks.patterns_check`); and a printable summary of
the diary for a doctor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from crampcheck.domain.diary import (
    FEELS,
    MIN_DAYS_WITH_AND_WITHOUT,
    MIN_DIARY_DAYS_FOR_PATTERNS,
    MIN_DIARY_DAYS_FOR_TREND,
    KindPatterns,
    Patterns,
)
from crampcheck.domain.diary_charts import CHARTS, Counts, chart_svg, patterns_view
from crampcheck.domain.diary_labels import (
    escalation_phrases,
    home_care_sentence,
    kind_headings,
    show_number,
    site_labels,
    treatment_labels,
)
from crampcheck.domain.local_format import LocalFormat, duration_text
from crampcheck.domain.types import Urgency
from crampcheck.services import diary
from crampcheck.services.diary_checks import patterns_check
from crampcheck.services.diary_print import (
    LISTED_AT_MOST,
    PRINTED_WEEKS,
    PrintedWeek,
    printed_episodes,
)
from crampcheck.web.auth import DbDep, signed_in
from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _, ngettext
from crampcheck.web.pages.diary import episode_view
from crampcheck.web.pages.diary_times import here
from crampcheck.web.pages.flow import FlowState
from crampcheck.web.pages.guards import CurrentPatient
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.result import urgency_headings
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)


def diary_summary(found: Patterns, counts: Counts, kind: str = "") -> str:
    """The diary in a few plain sentences, for the clinic (``kind``: which kind of
    episode these patterns are of, when the diary holds more than one)."""
    recent, before = sum(found.weekly_counts[-4:]), sum(found.weekly_counts[-8:-4])
    episodes = ngettext("%(num)d episode", "%(num)d episodes", found.total) % {"num": found.total}
    days = ngettext("%(num)d day", "%(num)d days", found.days_covered) % {"num": found.days_covered}
    if kind:
        opening = _("Summary of my crampcheck diary (%(kind)s): %(episodes)s over %(days)s.") % {
            "kind": kind.lower(),
            "episodes": episodes,
            "days": days,
        }
    else:
        opening = _("Summary of my crampcheck diary: %(episodes)s over %(days)s.") % {
            "episodes": episodes,
            "days": days,
        }
    parts = [opening]
    parts.append(
        ngettext(
            "Last 4 weeks: %(num)d episode (about %(per_week)s a week); "
            "the 4 weeks before: %(before)d.",
            "Last 4 weeks: %(num)d episodes (about %(per_week)s a week); "
            "the 4 weeks before: %(before)d.",
            recent,
        )
        % {
            "num": recent,
            "per_week": show_number(found.metrics.get("episodes_per_week", 0.0)),
            "before": before,
        }
    )
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
            _("Typical length: %(duration)s.") % {"duration": duration_text(found.median_duration)}
        )
    if found.median_pain is not None:
        parts.append(
            _("Typical pain: %(pain)s out of 10.") % {"pain": show_number(found.median_pain)}
        )
    treatments = treatment_labels()
    for treatment, tried, relieved in found.home_care:
        parts.append(home_care_sentence(treatments.get(treatment, treatment), tried, relieved))
    if found.escalations:
        reasons = escalation_phrases()
        parts.append(
            _("Why the diary says to see a doctor: %(reasons)s.")
            % {"reasons": "; ".join(reasons.get(e.rule_id, e.rule_id) for e in found.escalations)}
        )
    return " ".join(parts)


def kind_view(measured: KindPatterns, now: datetime, fmt: LocalFormat) -> dict[str, Any]:
    """What the patterns page shows of one kind of episode."""
    found = measured.patterns
    view = patterns_view(found, now, fmt.zone, show_number, telling_first=True, fmt=fmt)
    return {
        **view,
        "kind": measured.kind,
        "heading": kind_headings()[measured.kind],
        "median_duration": (
            None if found.median_duration is None else duration_text(found.median_duration)
        ),
        "trend_ready": found.diary_days >= MIN_DIARY_DAYS_FOR_TREND,
        "busiest": busiest_hours(found, fmt),
        "home_care": [home_care_sentence(*care) for care in view["home_care"]],
    }


def busiest_hours(found: Patterns, fmt: LocalFormat) -> str:
    """The hour of the day with most episodes in the last 12 weeks, in words ('' with
    none): "between 2 AM and 3 AM"."""
    if not any(found.hours):
        return ""
    hour = max(range(24), key=lambda h: found.hours[h])
    return _("between %(hour)s and %(next)s") % {
        "hour": fmt.hour(hour),
        "next": fmt.hour((hour + 1) % 24),
    }


def _measure(
    request: Request, state: AppState, db: DbDep, user_id: str
) -> tuple[LocalFormat, datetime, tuple[KindPatterns, ...]]:
    fmt = here(request, state)
    now = datetime.now(UTC)
    kinds = diary.patterns_by_kind(db, user_id, state.pipeline.kb, now=now, zone=fmt.zone)
    return fmt, now, kinds


@router.get("/diary/charts/{name}.svg")
def chart(
    request: Request,
    state: StateDep,
    db: DbDep,
    name: str,
    kind: Annotated[str, Query(max_length=10)] = "cramp",
) -> Response:
    """One chart of one kind of episode as an SVG image."""
    who = signed_in(request, db)
    if who is None:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    if name not in CHARTS or kind not in FEELS:
        return not_found(request, state)
    fmt = here(request, state)
    now = datetime.now(UTC)
    found = diary.patterns_of_kind(db, who.user.id, state.pipeline.kb, kind, now=now, zone=fmt.zone)
    svg = chart_svg(name, found, now, fmt.zone, fmt)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/diary/patterns")
def patterns_page(request: Request, state: StateDep, db: DbDep, who: CurrentPatient) -> Response:
    """What the diary shows, each kind of episode apart, in plain words with the counts
    behind each statement."""
    kb = state.pipeline.kb
    fmt, now, kinds = _measure(request, state, db, who.user.id)
    sections = [kind_view(k, now, fmt) for k in kinds]
    several = len(sections) > 1
    escalations = [
        {
            "kind": section["heading"] if several else "",
            "reason": e.reason,
            "sources": [kb.sources[s] for s in e.source_ids if s in kb.sources],
        }
        for section in sections
        for e in section["found"].escalations
    ]
    # The request goes with the kind whose diary rules fired (the most episodes first).
    offered = next((s for s in sections if s["found"].escalations), None)
    summary = (
        diary_summary(offered["found"], offered["counts"], offered["heading"] if several else "")
        if offered
        else ""
    )
    return page(
        request,
        state,
        "diary_patterns.html",
        {
            "sections": sections,
            "several": several,
            "min_days": MIN_DIARY_DAYS_FOR_PATTERNS,
            "min_each": MIN_DAYS_WITH_AND_WITHOUT,
            "trend_days": MIN_DIARY_DAYS_FOR_TREND,
            "escalations": escalations,
            "summary": summary,
            "appointment_state": (
                FlowState.from_given(
                    patterns_check(offered["found"], offered["counts"], summary, kb)
                ).encode()
                if offered
                else ""
            ),
            "zone_label": fmt.zone_name,
            "doctor": urgency_headings()[Urgency.DOCTOR.value][0],
        },
    )


@router.get("/diary/summary")
def printable_summary(
    request: Request, state: StateDep, db: DbDep, who: CurrentPatient
) -> Response:
    """The diary on one printed page for a doctor: who, the dates it covers, each kind's
    patterns and charts, and the last 8 weeks' episodes (listed when few, each week
    summed up when many)."""
    fmt, now, kinds = _measure(request, state, db, who.user.id)
    sections = [kind_view(k, now, fmt) for k in kinds]
    printed = printed_episodes(db, who.user.id, now, fmt.zone)
    return page(
        request,
        state,
        "diary_summary.html",
        {
            "sections": sections,
            "several": len(sections) > 1,
            "trend_days": MIN_DIARY_DAYS_FOR_TREND,
            "episodes": [episode_view(e, fmt) for e in printed.listed],
            "printed_total": printed.total,
            "printed_weeks": [week_view(w, fmt) for w in printed.weeks],
            "listed_at_most": LISTED_AT_MOST,
            "weeks": PRINTED_WEEKS,
            "email": who.user.email,
            "printed": fmt.moment_with_zone(now),
            "zone_label": fmt.zone_name,
        },
    )


def week_view(week: PrintedWeek, fmt: LocalFormat) -> dict[str, Any]:
    """One of the summary's weeks summed up, in words."""
    headings = kind_headings()
    return {
        "start": fmt.short_day(week.start),
        "episodes": week.episodes,
        "kinds": ", ".join(f"{headings.get(k, k)} {n}" for k, n in week.kinds),
        "night": week.night,
        "worst_pain": week.worst_pain,
        "longest": None if week.longest_minutes is None else duration_text(week.longest_minutes),
    }
