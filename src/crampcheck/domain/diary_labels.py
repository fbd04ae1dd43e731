"""The words of the diary's choices (sites, sides, how it felt, what helped ...), month
and weekday names and the diary's escalation phrases, in the person's language: the
diary's pages, the clinic's pages and the one-page summary all say them with these."""

from __future__ import annotations

from crampcheck.domain.diary import (
    ACTIVITIES,
    CONTEXTS,
    FEELS,
    MIN_DIARY_DAYS_FOR_TREND,
    SIDES,
    SITES,
    TREATMENTS,
    Patterns,
)
from crampcheck.domain.i18n import _, ngettext, pgettext


def site_labels() -> dict[str, str]:
    return {
        "site_calf": _("Calf"),
        "site_foot": _("Foot or toes"),
        "site_thigh": _("Thigh"),
        "site_leg": _("Elsewhere in the leg"),
        "site_hand": _("Hand or fingers"),
        "site_arm": _("Arm or shoulder"),
        "site_back": pgettext("body part", "Back"),
        "site_neck": _("Neck"),
        "site_eyelid": _("Eyelid"),
        "site_face": _("Face"),
        "site_abdomen": _("Belly"),
    }


def side_labels() -> dict[str, str]:
    return {"left": _("Left"), "right": _("Right"), "both": _("Both sides")}


def feel_labels() -> dict[str, str]:
    return {
        "cramp": _("A cramp (the muscle tightened and would not let go)"),
        "twitch": _("Twitching or flickering"),
        "other": _("Something else"),
    }


def short_feel_labels() -> dict[str, str]:
    return {"cramp": _("Cramp"), "twitch": _("Twitching"), "other": _("Other")}


def kind_headings() -> dict[str, str]:
    """Each kind of episode as the diary's patterns are headed, one kind apart from
    another."""
    return {"cramp": _("Cramps"), "twitch": _("Twitching"), "other": _("Other episodes")}


def activity_labels() -> dict[str, str]:
    return {
        "exercise": _("Exercise or hard work"),
        "resting": _("Resting or sitting"),
        "sleeping": _("Sleeping or in bed"),
        "walking": _("Walking"),
        "writing": _("Writing or typing"),
        "working": _("Working"),
        "other": _("Something else"),
    }


def context_labels() -> dict[str, str]:
    return {
        "hot_environment": _("Heat"),
        "low_fluid": _("Not much to drink"),
        "poor_sleep": _("Poor sleep"),
        "new_medicine": _("A new medicine or dose"),
        "stress": _("Stress"),
        "caffeine": _("Lots of caffeine"),
        "pregnant": _("Pregnancy"),
    }


def treatment_labels() -> dict[str, str]:
    return {
        "stretching": _("Stretching"),
        "massage": _("Massage"),
        "heat": _("Heat"),
        "cold": _("Cold"),
        "fluids": _("Water or a sports drink"),
        "nsaid": _("An anti-inflammatory painkiller (NSAID, such as ibuprofen)"),
    }


def preset_labels() -> dict[str, str]:
    return {
        "now": _("Now"),
        "this_morning": _("This morning"),
        "last_night": _("Last night"),
        "yesterday": _("Yesterday"),
    }


def month_names() -> list[str]:
    return [
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    ]


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) names, Monday first."""
    return [
        (_("Mon"), _("Monday")),
        (_("Tue"), _("Tuesday")),
        (_("Wed"), _("Wednesday")),
        (_("Thu"), _("Thursday")),
        (_("Fri"), _("Friday")),
        (_("Sat"), _("Saturday")),
        (_("Sun"), _("Sunday")),
    ]


def choices() -> dict[str, list[tuple[str, str]]]:
    """Every choice of the episode form as (value, label), in the service's order."""
    return {
        "when": list(preset_labels().items()),
        "site": [(s, site_labels()[s]) for s in SITES],
        "side": [(s, side_labels()[s]) for s in SIDES],
        "feel": [(f, feel_labels()[f]) for f in FEELS],
        "activity": [(a, activity_labels()[a]) for a in ACTIVITIES],
        "context": [(c, context_labels()[c]) for c in CONTEXTS],
        "tried": [(t, treatment_labels()[t]) for t in TREATMENTS],
        "helped": [("yes", _("Yes")), ("no", _("No")), ("", _("Not sure"))],
        "pain": [(str(n), str(n)) for n in range(11)],
    }


def escalation_phrases() -> dict[str, str]:
    """Each diary rule in a few words, for the summary the clinic reads."""
    return {
        "diary-keeps-recurring": _("episodes have come back week after week"),
        "diary-frequent": _("three or more episodes a week"),
        "diary-more-frequent": _("episodes are becoming more frequent"),
        "diary-more-painful": _("episodes are becoming more painful"),
        "diary-home-care-not-helping": _("home care has rarely brought relief"),
        "diary-disturbing-sleep": _("most episodes are at night, more than twice a week"),
        "diary-severe-episodes": _("several episodes had pain of 8 out of 10 or more"),
    }


def trend_words(found: Patterns) -> str:
    """Whether one kind's episodes are becoming more or less frequent (the last 4 weeks
    against the 4 before), as the clinic reads it. "More often" is never said before
    the diary covers both periods (:data:`MIN_DIARY_DAYS_FOR_TREND` days, the rule of
    the person's own patterns page): weeks before the diary began are not weeks without
    episodes."""
    if found.diary_days < MIN_DIARY_DAYS_FOR_TREND:
        return ngettext(
            "too short a diary to tell a trend: it covers %(num)d day, %(needed)d are needed",
            "too short a diary to tell a trend: it covers %(num)d days, %(needed)d are needed",
            found.days_covered,
        ) % {"num": found.days_covered, "needed": MIN_DIARY_DAYS_FOR_TREND}
    return {
        "more": _("more often than before"),
        "fewer": _("less often than before"),
        "the same": _("about as often as before"),
    }.get(found.trend, _("too few episodes to tell a trend"))


def times(count: int) -> str:
    """ "1 time", "3 times" in the language of the moment (its own plural rule)."""
    return ngettext("%(num)d time", "%(num)d times", count) % {"num": count}


def home_care_sentence(treatment: str, tried: int, relieved: int) -> str:
    """How often a treatment was tried and followed by relief: "Stretching: tried 1 time,
    followed by relief 3 times." (the patterns page, its summary and the clinic's view)."""
    return _("%(treatment)s: tried %(tried)s, followed by relief %(relief)s.") % {
        "treatment": treatment,
        "tried": times(tried),
        "relief": times(relieved),
    }


def show_number(value: float) -> str:
    """A number as the diary shows it: whole numbers without a decimal point."""
    return str(int(value)) if value == int(value) else str(value)


def one_decimal(value: float) -> str:
    """A number as the clinic's view of a diary shows it: whole, or to one decimal."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"
