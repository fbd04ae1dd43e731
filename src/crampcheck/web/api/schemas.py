"""Request and response shapes of the JSON API (input, storage and output never mix)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from crampcheck.knowledge import default_knowledge
from crampcheck.nlp.reader import MAX_TEXT_CHARS

State = Literal["present", "absent", "unknown"]
MAX_ANSWERS = 300


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckIn(_In):
    """What is known about an episode: free text, structured answers, or both."""

    text: str | None = Field(
        default=None, max_length=MAX_TEXT_CHARS, description="the episode in the person's own words"
    )
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    findings: dict[str, State] = Field(
        default_factory=dict,
        max_length=MAX_ANSWERS,
        description="finding id -> present / absent / unknown (unknown = asked, don't know)",
    )
    values: dict[str, float] = Field(
        default_factory=dict, max_length=50, description="measured quantities by finding id"
    )

    @field_validator("findings")
    @classmethod
    def _known_findings(cls, value: dict[str, State]) -> dict[str, State]:
        unknown = sorted(k for k in value if k not in default_knowledge().findings)
        if unknown:
            raise ValueError(f"unknown finding ids: {', '.join(unknown[:10])}")
        return value

    @field_validator("values")
    @classmethod
    def _known_values(cls, value: dict[str, float]) -> dict[str, float]:
        kb = default_knowledge()
        for key, number in value.items():
            finding = kb.findings.get(key)
            if finding is None or finding.answer != "number":
                raise ValueError(f"'{key}' is not a measured finding")
            if not math.isfinite(number) or not 0 <= number <= 100_000:
                raise ValueError(f"'{key}' must be a number from 0 to 100000")
        return value


class FindingOut(BaseModel):
    id: str
    label: str
    state: State
    text: str | None
    start: int | None
    end: int | None
    value: float | None


class IgnoredOut(BaseModel):
    id: str
    reason: Literal["other_person", "hypothetical"]
    text: str
    start: int
    end: int


class ReasonOut(BaseModel):
    rule_id: str
    level: str
    text: str
    source_ids: list[str]


class CauseOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    kind: str
    summary: str
    for_: list[str] = Field(alias="for", serialization_alias="for")
    against: list[str]
    flagged_by_rule: bool
    clinician: str | None
    source_ids: list[str]


class AdviceOut(BaseModel):
    id: str
    kind: str
    title: str
    text: str
    steps: list[str]
    cautions: list[str]
    evidence: str | None
    evidence_strength: str | None
    source_ids: list[str]


class OpenQuestionOut(BaseModel):
    id: str
    question: str
    why: str
    could_raise_to: str | None
    could_change_kind_to: str | None


class SourceOut(BaseModel):
    id: str
    title: str
    publisher: str
    year: int | None
    url: str | None
    accessed: str


class ScopeOut(BaseModel):
    site_ids: list[str]
    clinicians: list[str]


class AssessmentOut(BaseModel):
    """The same object ``crampcheck assess --json`` prints."""

    urgency: Literal["emergency", "urgent", "doctor", "self_care"]
    action: str
    kind: Literal["cramp", "spasm", "other"]
    kind_reasons: list[str]
    findings: list[FindingOut]
    ignored_mentions: list[IgnoredOut]
    reasons: list[ReasonOut]
    causes: list[CauseOut]
    advice: list[AdviceOut]
    open_questions: list[OpenQuestionOut]
    sources: list[SourceOut]
    kb_version: str
    disclaimer: str
    notice: str | None = None
    outside_scope: ScopeOut | None = None


class OptionOut(BaseModel):
    id: str
    label: str


class QuestionOut(BaseModel):
    id: str
    text: str
    why: str
    select: Literal["many", "one", "boolean", "number"]
    options: list[OptionOut]
    unit: str | None


class InterviewOut(BaseModel):
    """Either the next question, or (when done) the final assessment."""

    done: bool
    answered: int = Field(description="how many findings are known so far")
    question: QuestionOut | None
    assessment: AssessmentOut | None


class AppointmentIn(_In):
    """An appointment request, carrying the check it is about."""

    name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9()+ .-]*$")
    email: EmailStr | None = None
    preferred_location: str | None = Field(default=None, max_length=64)
    preferred_times: str | None = Field(default=None, max_length=500)
    consent_to_share: bool
    check: CheckIn


class AppointmentOut(BaseModel):
    id: str
    status: str
    urgency: str
    clinic: str
    next_steps: str


class LocationOut(BaseModel):
    id: str
    name: str
    city: str
    region: str | None
    address: str | None
    hours: str | None


class ClinicOut(BaseModel):
    id: str
    name: str
    clinician: str | None
    specialty: str
    phone: str
    phone_link: str
    hours: str | None
    about: str | None
    locations: list[LocationOut]
    emergency_number: str


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    kb_version: str


class ErrorOut(BaseModel):
    detail: str
