"""Response shapes of the diary's patterns (``GET /api/v1/patterns`` and the staff API's
shared diary): each kind of episode measured apart, as the person's patterns page shows
it. Not a diagnosis."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from crampcheck.domain.diary import Feel
from crampcheck.web.api.schemas import SourceOut


class SiteCountOut(BaseModel):
    site: str
    episodes: int


class HomeCareOut(BaseModel):
    treatment: str
    tried: int
    followed_by_relief: int


class FactorOut(BaseModel):
    """Episodes a day on days with the factor and on days without it."""

    context: str
    episodes_a_day_with: float
    episodes_a_day_without: float
    days_with: int
    days_without: int


class EscalationOut(BaseModel):
    rule_id: str
    level: str
    reason: str
    source_ids: list[str]
    sources: list[SourceOut]
    kind: Feel | None = Field(default=None, description="the kind of episode whose rule fired")


class FiguresOut(BaseModel):
    """What one kind of episode shows, with the counts behind it."""

    total: int
    diary_days: int
    weekly_counts: list[int] = Field(description="episodes in each of the last 12 weeks")
    trend: Literal["more", "fewer", "the same", "not enough data"] = Field(
        description="the last 4 weeks against the 4 before; 'not enough data' until the "
        "diary covers 56 days and holds a few episodes"
    )
    night_share: float | None
    sites: list[SiteCountOut]
    median_duration_minutes: float | None
    median_pain: float | None
    hours: list[int] = Field(description="episodes in the last 12 weeks by hour of day, 0-23")
    pain_by_week: list[float | None]
    home_care: list[HomeCareOut]
    factors: list[FactorOut]
    enough_for_factors: bool
    metrics: dict[str, float]
    escalations: list[EscalationOut]


class KindPatternsOut(FiguresOut):
    """One kind of episode's patterns (cramps, twitching or other episodes)."""

    kind: Feel


class PatternsOut(FiguresOut):
    """What the diary shows, each kind of episode apart (``kinds``, most episodes
    first; twitching is never counted with cramps). The top-level figures are those of
    the kind with most episodes (named by ``kind``; null and all zero for an empty
    diary), so a client written for one kind of episode reads them as before; the
    top-level ``escalations`` are every kind's, each naming its kind. Not a diagnosis."""

    kind: Feel | None = Field(description="the kind the top-level figures describe")
    kinds: list[KindPatternsOut]
