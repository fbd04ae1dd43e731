"""What a diary episode's answers, and a diary's escalations, mean as findings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crampcheck.domain.types import Kind
from crampcheck.knowledge.schema.base import Strict


class Threshold(Strict):
    """A number at or above which a finding is present, with why and on what source."""

    finding: str
    at_least: float
    why: str
    sources: tuple[str, ...] = ()


class PatternThreshold(Threshold):
    """A diary pattern (a measured ``metric``, itself a diary finding) at or above which a
    finding is present in an appointment request."""

    metric: str
    below: Literal["absent"] | None = Field(
        default=None, description="the finding below the threshold: absent, or left unset"
    )


class NotHelped(Strict):
    """What an episode means when something was tried and did not help."""

    finding: str
    feels: tuple[str, ...] = Field(description="the feel answers it applies to")
    why: str
    sources: tuple[str, ...] = ()


class DiaryEpisodeMapping(Strict):
    """Which finding each answer of a logged episode means (answer -> finding id)."""

    feel: dict[str, str]
    feel_of_kind: dict[Kind, str] = Field(
        description="the feel answer a saved check's kind of episode is logged as"
    )
    side: dict[str, str]
    activity: dict[str, str]
    tried: dict[str, str] = Field(
        description="treatments; when several mean one finding, a saved check reads back "
        "as the first"
    )
    at_night: str
    duration: str = Field(description="the number finding an episode's length (minutes) fills")
    pain_score: str = Field(description="the number finding the 0-10 pain score fills")
    pain: str = Field(description="present when the pain score is above 0, absent at 0")
    severe_pain: Threshold
    helped: str = Field(description="present when something was tried and it helped")
    not_helped: NotHelped
    not_helped_from: tuple[str, ...] = Field(
        description="findings that, present in a saved check, mean what was tried did not help"
    )


class DiaryRequestMapping(Strict):
    """What a diary's patterns and escalations say, as findings, in an appointment request."""

    diary_days: str = Field(description="the number finding the days the diary covers fill")
    night: str = Field(description="present when any episode was at night, absent otherwise")
    frequent: PatternThreshold
    recurrent: PatternThreshold
    escalations: dict[str, tuple[str, ...]] = Field(
        description="diary rule id -> the findings it stands for"
    )


class DiaryMapping(Strict):
    """How the episode diary's answers and patterns read as the knowledge base's findings
    (``diary_mapping.yaml``)."""

    episode: DiaryEpisodeMapping
    request: DiaryRequestMapping
