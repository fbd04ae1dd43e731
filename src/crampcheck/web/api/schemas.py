"""Request and response shapes of the JSON API (input, storage and output never mix)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
)

from crampcheck.domain.diary import Activity, Context, Feel, Side, Site, Treatment
from crampcheck.domain.limits import EARLIEST_YEAR, LATEST_YEAR, MAX_TEXT_CHARS, sane_year
from crampcheck.knowledge import default_knowledge
from crampcheck.web.api.inputs import StrictInput

State = Literal["present", "absent", "unknown"]
MAX_ANSWERS = 300


class _In(StrictInput):
    """A request body of this module (see :class:`StrictInput`)."""


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
    confirmed: bool = Field(
        default=False, description="read in the words and kept as read on the confirm step"
    )
    hedged: bool = Field(
        default=False, description="said with a hedge ('maybe swollen?'): counted, to confirm"
    )


class IgnoredOut(BaseModel):
    id: str
    reason: Literal["other_person", "hypothetical", "other_event"]
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


class WithheldOut(BaseModel):
    """Advice left out because it could harm this person: why, and what to do instead."""

    advice_ids: list[str]
    titles: list[str]
    because: str
    instead: str | None
    stop: str | None
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
    withheld: list[WithheldOut] = Field(default_factory=list)
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
    none_of_these: str | None = Field(
        default=None,
        description='the label of the explicit "None of these" answer a list of options '
        "takes (send every option as absent); a blank list is not a no",
    )


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
    share_diary: bool = Field(
        default=False,
        description="also share the signed-in person's diary with the clinic "
        "(revocable from the account); needs a session",
    )
    date_of_birth: date | None = Field(
        default=None,
        description="YYYY-MM-DD; not in the future, not before 1900",
    )
    reason: str | None = Field(
        default=None, max_length=1000, description="why the person asks, in their own words"
    )
    idempotency_key: str | None = Field(
        default=None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="a key of the client's choosing (a new UUID per request): a request "
        "sent again with the same key is stored once, and answered 200 with the first's "
        "confirmation. The Idempotency-Key header does the same and wins over this field",
    )
    check: CheckIn


class AppointmentOut(BaseModel):
    id: str
    reference: str = Field(description="the short reference the person quotes to the clinic")
    status: str
    urgency: str
    clinic: str
    next_steps: str
    diary_shared: bool
    repeated: bool = Field(
        description="true when this request had been sent before with the same "
        "idempotency key: nothing new was stored, this is the first one"
    )


class OpeningHoursOut(BaseModel):
    days: str = Field(description="a day (Sat), a range (Mon-Fri) or a list (Mon, Wed, Fri)")
    opens: str = Field(description="24-hour time, HH:MM, in the clinic's time zone")
    closes: str = Field(description="24-hour time, HH:MM, in the clinic's time zone")
    label: str = Field(description="the row in US style: Mon–Fri 8:00 AM – 5:00 PM")


class LocationOut(BaseModel):
    id: str
    name: str
    city: str
    region: str | None
    address: str | None
    postal_code: str | None
    hours: str | None = Field(description="the opening hours on one line, US style")
    opening_hours: list[OpeningHoursOut]


class ClinicOut(BaseModel):
    id: str
    name: str
    clinician: str | None
    specialty: str
    phone: str
    phone_link: str
    nurse_line: str | None = None
    """A nurse advice line's number, when the clinic file gives one."""
    nurse_line_link: str | None = None
    hours: str | None
    about: str | None
    locations: list[LocationOut]
    emergency_number: str


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    kb_version: str


class ReadyOut(BaseModel):
    status: Literal["ready", "not ready"]
    reason: str | None = Field(
        default=None, description="why not ready: the database, or migrations not applied"
    )


class ErrorOut(BaseModel):
    detail: str


# ---------------------------------------------------------------- accounts and the diary

# The diary's vocabularies are defined once, by the diary service.


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    """Refuse anything but a date and time in ISO 8601 / RFC 3339 form, as documented:
    pydantic alone reads a number, or a string of digits, as seconds since 1970 (so
    ``until=0`` meant 1 January 1970) and a bare date as midnight."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value.strip()):
        raise ValueError("Please give a date and time such as 2025-01-20T06:30:00Z.")
    return value


def _sane_date_time(value: datetime) -> datetime:
    if not sane_year(value.year):
        raise ValueError(f"Please give a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return value


DateTimeText = Annotated[
    datetime, BeforeValidator(_date_time_text), AfterValidator(_sane_date_time)
]


class SignUpIn(_In):
    """A new account: an email address and a password of at least 10 characters."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class SignInIn(_In):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class PasswordIn(_In):
    """Change the password: every session ends and a new one starts for this client."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class DeleteAccountIn(_In):
    """The password again, to confirm deleting the account and everything in it."""

    password: str = Field(min_length=1, max_length=1024)


class AccountOut(BaseModel):
    id: str
    email: str
    created_at: datetime


class BearerSessionOut(BaseModel):
    """A new session of a patient's or a staff member's: send ``token`` as
    ``Authorization: Bearer <token>`` until ``expires_at``."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class SessionOut(BearerSessionOut):
    """A session: send ``token`` as ``Authorization: Bearer <token>`` (browsers get a cookie)."""

    account: AccountOut


class EpisodeIn(_In):
    """One episode. A time without a zone is taken as UTC."""

    started_at: DateTimeText
    feel: Feel = "cramp"
    site: Site | None = None
    side: Side | None = None
    duration_minutes: float | None = Field(default=None, ge=0, le=1440, allow_inf_nan=False)
    pain: int | None = Field(default=None, ge=0, le=10, description="0 (none) to 10 (worst)")
    activity: Activity | None = None
    at_night: bool = False
    context: list[Context] = Field(default_factory=list, max_length=20)
    tried: list[Treatment] = Field(default_factory=list, max_length=20)
    helped: bool | None = Field(default=None, description="whether what was tried helped")
    notes: str | None = Field(default=None, max_length=2000)


class EpisodeOut(BaseModel):
    id: str
    started_at: datetime
    created_at: datetime
    updated_at: datetime
    feel: Feel
    site: Site | None
    side: Side | None
    duration_minutes: float | None
    pain: int | None
    activity: Activity | None
    at_night: bool
    context: list[Context]
    tried: list[Treatment]
    helped: bool | None
    notes: str | None
    check: dict[str, Any] | None = Field(description="the check this episode was saved from")


class EpisodePageOut(BaseModel):
    """A page of episodes, newest first; ``next_offset`` is null on the last page."""

    items: list[EpisodeOut]
    limit: int
    offset: int
    next_offset: int | None


class ExportedEpisodeOut(BaseModel):
    id: str
    started_at: str
    feel: str
    site: str | None
    side: str | None
    duration_minutes: float | None
    pain: int | None
    activity: str | None
    at_night: bool
    context: list[str]
    tried: list[str]
    helped: bool | None
    notes: str | None
    check: dict[str, Any] | None


class ExportAccountOut(BaseModel):
    id: str
    email: str
    created_at: str


class ExportOut(BaseModel):
    """Everything crampcheck holds about the person (``format=json``)."""

    exported_at: str
    account: ExportAccountOut
    episodes: list[ExportedEpisodeOut]
