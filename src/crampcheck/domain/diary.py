"""A person's episode diary as values: the episodes measured, and what was measured.

An episode is one cramp or spasm the person logged (when it started, in UTC; where;
how long and how painful; whether at night; what was going on; what they tried and
whether it helped): :class:`DiaryEpisode` as the diary measures it, :class:`EpisodeEntry`
as the person writes it down, :class:`EpisodeRecord` as it was logged. :class:`Patterns`
is what a diary shows and the diary rules read, with the counts behind every statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal, NamedTuple, get_args

Trend = Literal["more", "fewer", "the same", "not enough data"]

WEEKS = 12
"""The weeks a diary's charts and trend look back over."""
MIN_DIARY_DAYS_FOR_PATTERNS = 10
"""Days of diary before episodes on days with and without a factor are compared."""
MIN_DAYS_WITH_AND_WITHOUT = 3
"""Days with, and days without, a factor needed to compare them."""
MIN_DIARY_DAYS_FOR_TREND = 56
"""Days of diary before "more" or "fewer than before" is said: the last 4 weeks are
compared with the 4 weeks before them, and both must lie within the diary, or the weeks
before it was started would count as weeks without episodes (a 7-day-old diary is
always "more than before")."""
MIN_DIARY_DAYS_FOR_FORTNIGHTS = 28
"""Days of diary before the last 14 days are compared with the 14 before them (the
diary rules' frequency and pain trends), for the same reason."""

# What a diary entry can say: the choices of the diary's form and API.
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
ONE_OF: dict[str, tuple[str, ...]] = {
    "feel": FEELS,
    "site": SITES,
    "side": SIDES,
    "activity": ACTIVITIES,
}
"""An episode's fields that take one choice, each with its choices (the form and the API
accept nothing else)."""
SOME_OF: dict[str, tuple[str, ...]] = {"context": CONTEXTS, "tried": TREATMENTS}
"""An episode's fields that take any number of choices, each with its choices."""


@dataclass(frozen=True)
class DiaryEpisode:
    """One logged episode, as measured (times are aware, in UTC)."""

    started_at: datetime
    site: str | None = None
    duration_minutes: float | None = None
    pain: int | None = None
    at_night: bool = False
    context: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()
    helped: bool | None = None
    feel: str = "cramp"
    """The kind of episode (a cramp, twitching, something else): patterns are measured
    per kind, so eyelid twitches are not counted with calf cramps."""


@dataclass(frozen=True, kw_only=True)
class EpisodeEntry:
    """What a person writes down about one episode (the diary's form and API, or a check
    saved to the diary): when it started, and the rest as far as they said."""

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


ENTRY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(EpisodeEntry))
"""What a person writes down about an episode, in the order the diary's download has it."""


@dataclass(frozen=True, kw_only=True)
class EpisodeRecord(EpisodeEntry):
    """One episode as the person logged it, with its id and when it was logged: what the
    diary's FHIR export writes (times are aware, as stored: in UTC)."""

    id: str
    created_at: datetime
    feel: str


@dataclass(frozen=True)
class Escalation:
    """A diary rule that fired: time to see a doctor, why, and on what source."""

    rule_id: str
    level: str
    reason: str
    source_ids: tuple[str, ...]


class HomeCare(NamedTuple):
    """One treatment: how often it was tried, and how often relief followed."""

    treatment: str
    tried: int
    helped: int


class SiteCount(NamedTuple):
    """How many episodes were at one site."""

    site: str
    episodes: int


class Factor(NamedTuple):
    """A context factor: episodes a day on days with it and on days without it (shown
    only with enough days of each)."""

    context: str
    per_day_with: float
    per_day_without: float
    days_with: int
    days_without: int


@dataclass(frozen=True)
class KindPatterns:
    """The patterns of one kind of episode (``feel``: cramp, twitch or other)."""

    kind: str
    patterns: Patterns


@dataclass(frozen=True)
class Patterns:
    """What the diary shows, with the counts behind every statement."""

    total: int
    diary_days: int
    weekly_counts: tuple[int, ...]
    """Episodes in each of the last 12 weeks, oldest first."""
    trend: Trend
    night_share: float | None
    sites: tuple[SiteCount, ...]
    """Most episodes first."""
    median_duration: float | None
    median_pain: float | None
    hours: tuple[int, ...]
    """Episodes by hour of day (0-23)."""
    pain_by_week: tuple[float | None, ...]
    home_care: tuple[HomeCare, ...]
    factors: tuple[Factor, ...]
    enough_for_factors: bool
    metrics: dict[str, float] = field(default_factory=dict)
    escalations: tuple[Escalation, ...] = ()
    night: int = 0
    """Episodes at night (of all)."""
    recent: int = 0
    """Episodes in the last 12 weeks, which the medians, hours and home care describe."""
    recent_with_duration: int = 0
    recent_with_pain: int = 0
    recent_with_care: int = 0
    """Episodes in the last 12 weeks with some home care tried; of them, those followed
    by relief and those not (the rest did not say)."""
    recent_care_helped: int = 0
    recent_care_not_helped: int = 0

    @property
    def days_covered(self) -> int:
        """The days the diary covers as a person counts them, for the words people read:
        a diary begun today (``diary_days`` 0, less than 24 hours since the first episode)
        covers one day, not "0 days"; an empty diary covers none. The rules and
        thresholds keep reading ``diary_days``, whole days since the first episode."""
        return max(1, self.diary_days) if self.total else 0
