"""The diary's patterns in words: the summary sentence (the check it leads to is
:func:`crampcheck.services.diary_checks.patterns_check`)."""

from __future__ import annotations

from crampcheck.domain.diary import Patterns
from crampcheck.domain.diary_charts import (
    Counts,
)
from crampcheck.domain.diary_labels import (
    escalation_phrases,
    show_number,
    site_labels,
    treatment_labels,
)
from crampcheck.web.i18n import _


def diary_summary(found: Patterns, counts: Counts) -> str:
    """The diary in a few plain sentences, for the clinic."""
    recent, before = sum(found.weekly_counts[-4:]), sum(found.weekly_counts[-8:-4])
    parts = [
        _("Summary of my crampcheck diary: %(total)d episodes over %(days)d days.")
        % {"total": found.total, "days": found.diary_days},
        _(
            "Last 4 weeks: %(recent)d episodes (about %(per_week)s a week); "
            "the 4 weeks before: %(before)d."
        )
        % {
            "recent": recent,
            "per_week": show_number(found.metrics.get("episodes_per_week", 0.0)),
            "before": before,
        },
    ]
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
            _("Typical length: %(minutes)s minutes.")
            % {"minutes": show_number(found.median_duration)}
        )
    if found.median_pain is not None:
        parts.append(
            _("Typical pain: %(pain)s out of 10.") % {"pain": show_number(found.median_pain)}
        )
    treatments = treatment_labels()
    for treatment, tried, relieved in found.home_care:
        parts.append(
            _("%(treatment)s: tried %(tried)d times, followed by relief %(relief)d times.")
            % {
                "treatment": treatments.get(treatment, treatment),
                "tried": tried,
                "relief": relieved,
            }
        )
    if found.escalations:
        reasons = escalation_phrases()
        parts.append(
            _("Why the diary says to see a doctor: %(reasons)s.")
            % {"reasons": "; ".join(reasons.get(e.rule_id, e.rule_id) for e in found.escalations)}
        )
    return " ".join(parts)
