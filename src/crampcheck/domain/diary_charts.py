"""The diary's charts and the counts beside them, from the diary's measurement
(:class:`~crampcheck.domain.diary.Patterns`): the person's patterns page, the clinic's
request page and the one-page summary all draw them here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from crampcheck.domain import charts
from crampcheck.domain.diary import WEEKS, Patterns
from crampcheck.domain.diary_labels import (
    context_labels,
    show_number,
    site_labels,
    treatment_labels,
)
from crampcheck.domain.i18n import _
from crampcheck.domain.local_format import LocalFormat
from crampcheck.domain.times import aware

RECENT_DAYS = 84
CHARTS = ("weekly", "pain", "hours")


@dataclass(frozen=True)
class Counts:
    """Counts the patterns rest on that :class:`Patterns` does not carry."""

    night: int
    with_duration: int
    with_pain: int
    recent: int


def counts_of(found: Patterns) -> Counts:
    """The counts beside the charts, as the diary's measurement found them."""
    return Counts(found.night, found.recent_with_duration, found.recent_with_pain, found.recent)


def week_starts(now: datetime, zone: tzinfo) -> list[date]:
    """The first day of each of the 12 weeks :func:`diary.patterns` counts."""
    return [aware(now - timedelta(weeks=WEEKS - i)).astimezone(zone).date() for i in range(WEEKS)]


US_STYLE = LocalFormat()
"""Dates and hours as a US clinic writes them ("Mar 14", "7 AM"), where no other
locale is given."""


def short_date(day: date, fmt: LocalFormat = US_STYLE) -> str:
    """A week's first day on a chart's axis ("Mar 14")."""
    return fmt.short_day(day)


def chart_data(
    found: Patterns, now: datetime, zone: tzinfo, fmt: LocalFormat = US_STYLE
) -> dict[str, dict[str, Any]]:
    """Each chart's title, text alternative and the rows of its table (dates and hours
    written as ``fmt``'s locale writes them)."""
    weeks = [short_date(d, fmt) for d in week_starts(now, zone)]
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
                % {"weeks": len(pains), "last": show_number(pains[-1][1])}
                if pains
                else _("Line chart of the average pain per week: no pain scores yet.")
            ),
            "head": (_("Week starting"), _("Average pain")),
            "rows": [
                (w, "" if p is None else show_number(p))
                for w, p in zip(weeks, found.pain_by_week, strict=True)
            ],
            "labels": weeks,
        },
        "hours": {
            "title": _("Episodes by time of day, last 12 weeks"),
            "alt": (
                _(
                    "Bar chart of episodes by hour of the day: most often between %(hour)s "
                    "and %(next)s. The numbers are in the table below."
                )
                % {"hour": fmt.hour(busiest), "next": fmt.hour((busiest + 1) % 24)}
                if busiest is not None
                else _("Bar chart of episodes by hour of the day: no episodes yet.")
            ),
            "head": (_("Hour"), _("Episodes")),
            "rows": [(fmt.hour(h), found.hours[h]) for h in range(24)],
            "labels": [fmt.hour(h) for h in range(24)],
        },
    }


def patterns_view(
    found: Patterns,
    now: datetime,
    zone: tzinfo,
    number: Callable[[float], str],
    *,
    telling_first: bool = False,
    fmt: LocalFormat = US_STYLE,
) -> dict[str, Any]:
    """What the person's patterns page and the clinic's view of a shared diary both show:
    the counts, the last 4 weeks against the 4 before, the typical episode, the sites,
    home care, the factors (those going with more episodes first when ``telling_first``)
    and the charts' data, numbers written by ``number``."""
    sites, treatments, contexts = site_labels(), treatment_labels(), context_labels()
    factors = [
        {
            "label": contexts.get(c, c),
            "per_day_with": number(w),
            "per_day_without": number(wo),
            "days_with": dw,
            "days_without": dwo,
            "more": w > wo,
        }
        for c, w, wo, dw, dwo in found.factors
    ]
    if telling_first:
        factors.sort(key=lambda f: not f["more"])
    return {
        "found": found,
        "counts": counts_of(found),
        "recent": sum(found.weekly_counts[-4:]),
        "before": sum(found.weekly_counts[-8:-4]),
        "per_week": number(found.metrics.get("episodes_per_week", 0.0)),
        "median_duration": (
            None if found.median_duration is None else number(found.median_duration)
        ),
        "median_pain": None if found.median_pain is None else number(found.median_pain),
        "sites": [(sites.get(s, s), n) for s, n in found.sites],
        "home_care": [(treatments.get(t, t), n, m) for t, n, m in found.home_care],
        "factors": factors,
        "charts": chart_data(found, now, zone, fmt),
    }


def chart_svg(
    name: str, found: Patterns, now: datetime, zone: tzinfo, fmt: LocalFormat = US_STYLE
) -> str:
    """One of the diary's charts as SVG (``found`` measured in ``zone``, whose weeks
    label the charts): the person's patterns page, the clinic's request page and the
    one-page summary all draw them here."""
    data = chart_data(found, now, zone, fmt)[name]
    if name == "pain":
        return charts.line_chart(
            data["title"],
            data["alt"],
            data["labels"],
            list(found.pain_by_week),
            y_label=_("pain, 0 to 10"),
            label_every=3,
        )
    weekly = name == "weekly"
    return charts.bar_chart(
        data["title"],
        data["alt"],
        data["labels"],
        list(found.weekly_counts if weekly else found.hours),
        y_label=_("episodes") if weekly else _("episodes by hour"),
        label_every=3 if weekly else 6,
    )
