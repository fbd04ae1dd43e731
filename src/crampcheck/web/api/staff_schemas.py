"""The shapes of the staff JSON API (:mod:`crampcheck.web.api.staff`): what it takes
and what it answers, each field described in its OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from crampcheck.services.inbox import MAX_REASON
from crampcheck.web.api.inputs import StrictInput
from crampcheck.web.api.pattern_schemas import PatternsOut
from crampcheck.web.api.schemas import (
    BearerSessionOut,
    CauseOut,
    FindingOut,
    OpenQuestionOut,
    ReasonOut,
)

StatusName = Literal["new", "contacted", "booked", "closed", "declined"]
StatusFilter = Literal["open", "all", "new", "contacted", "booked", "closed", "declined"]
UrgencyName = Literal["emergency", "urgent", "doctor", "self_care"]
AgeSourceName = Literal["date_of_birth", "check"]


# ---------------------------------------------------------------- shapes


class _In(StrictInput):
    """A request body of this module (see :class:`StrictInput`)."""


class StaffSignInIn(_In):
    """A staff member's work email address and password."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class StaffMemberOut(BaseModel):
    id: str
    clinic_id: str
    email: str
    name: str
    role: Literal["front_desk", "clinician", "admin"]


class StaffSessionOut(BearerSessionOut):
    """A staff session: send ``token`` as ``Authorization: Bearer <token>``."""

    staff: StaffMemberOut


class InboxItemOut(BaseModel):
    """One request as the inbox lists it."""

    id: str
    created_at: datetime
    waiting_minutes: int = Field(description="minutes since the request arrived")
    name: str
    urgency: UrgencyName
    urgent: bool = Field(description="urgent: contact within 24 hours")
    kind: str
    preferred_location: str | None
    preferred_location_name: str | None
    status: StatusName
    status_changed_at: datetime | None
    age: int | None = Field(
        description="from the date of birth (today, in the clinic's time zone), else as "
        "given in the check; null when neither was given"
    )
    age_source: AgeSourceName | None = Field(description="where the age comes from")
    likely_duplicate: bool = Field(
        description="another request of the clinic looks like the same person's "
        "(same email address, or same name and date of birth, within 14 days)"
    )


class InboxPageOut(BaseModel):
    """A page of the inbox: most urgent first, then longest waiting."""

    items: list[InboxItemOut]
    total: int = Field(description="requests matching the filter")
    start: int = Field(
        description="the position of the page's first item (1 on the first "
        "page; 0 when the page is empty)"
    )
    next_cursor: str | None = Field(description="the next page's link (`cursor`), if any")
    previous_cursor: str | None = Field(description="the previous page's link, if any")
    last_cursor: str | None = Field(description="the last page's link, unless this is it")
    counts: dict[str, int] = Field(description="the clinic's requests by status")
    open_urgent: int = Field(description="open urgent requests (contact within 24 hours)")


class StatusChangeOut(BaseModel):
    at: datetime
    staff_id: str
    staff_name: str
    from_status: str
    to_status: str
    reason: str | None


class DuplicateOut(BaseModel):
    """Another request of the clinic that looks like the same person's, and why."""

    id: str
    created_at: datetime
    status: StatusName
    why: str


class SnapshotOut(BaseModel):
    """The check exactly as the person saw it when they sent the request."""

    urgency: str
    action: str | None = None
    kind: str
    kind_reasons: list[str] = Field(default_factory=list)
    findings: list[FindingOut] = Field(default_factory=list)
    reasons: list[ReasonOut] = Field(default_factory=list)
    causes: list[CauseOut] = Field(default_factory=list)
    open_questions: list[OpenQuestionOut] = Field(default_factory=list)
    kb_version: str
    disclaimer: str | None = None
    description: str | None = Field(default=None, description="the person's own words")
    version: int = Field(default=1, description="the snapshot's format (1: before it was stored)")


class RequestOut(BaseModel):
    """A request: who, how to reach them, status and history; for clinicians also the
    check and, while the person shares it with the clinic, their diary's patterns."""

    id: str
    created_at: datetime
    name: str
    phone: str | None
    email: str | None
    preferred_location: str | None
    preferred_location_name: str | None
    preferred_times: str | None
    consent_to_share: bool
    date_of_birth: date | None = Field(description="as given on the form")
    age: int | None = Field(
        description="from the date of birth (today, in the clinic's time zone), else as "
        "given in the check; null when neither was given"
    )
    age_source: AgeSourceName | None = Field(description="where the age comes from")
    likely_duplicate: bool = Field(description="other requests look like the same person's")
    duplicates: list[DuplicateOut] = Field(
        description="the clinic's other requests that look like the same person's, oldest first"
    )
    urgency: UrgencyName
    urgent: bool
    kind: str
    kb_version: str
    status: StatusName
    status_changed_at: datetime | None
    decline_reason: str | None
    next_statuses: list[StatusName] = Field(description="the moves the workflow allows")
    history: list[StatusChangeOut]
    clinical: bool = Field(description="whether the member's role sees clinical detail")
    reason: str | None = Field(
        description="why the person asks, in their own words, from the form (clinicians only)"
    )
    snapshot: SnapshotOut | None = Field(description="clinicians only")
    diary_shared: bool | None = Field(description="clinicians only")
    diary: PatternsOut | None = Field(description="clinicians only, while shared")


class StatusIn(_In):
    """Move a request on; declining needs a reason."""

    status: StatusName
    reason: str | None = Field(default=None, max_length=MAX_REASON)
