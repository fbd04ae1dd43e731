"""An appointment request as the clinic received it, as a value.

The one-page summary and the FHIR export read a request through this record, never
through the database's row: who asked and how to reach them, where and when they would
like to be seen, the request's place in the clinic's workflow, and the snapshot of the
check they saw, as stored (read it with :meth:`crampcheck.domain.snapshot.Snapshot.read`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class RequestDetails:
    """What the person gives on the appointment form: who they are, how to reach them,
    where and when they would like to be seen."""

    name: str
    phone: str | None
    email: str | None
    preferred_location: str | None
    preferred_times: str | None
    consent_to_share: bool
    date_of_birth: date | None = None
    """As the person typed it on the form (optional)."""
    reason: str | None = None
    """Why they ask, in their own words (optional)."""


@dataclass(frozen=True, kw_only=True)
class AppointmentRecord(RequestDetails):
    """One appointment request: the person's details, and what the clinic keeps with
    them (``created_at`` aware, as stored: in UTC)."""

    clinic_id: str
    id: str
    created_at: datetime
    urgency: str
    """The urgency the check gave, as stored (a :class:`~crampcheck.domain.types.Urgency`
    value)."""
    kind: str
    """The kind the check gave, as stored (a :class:`~crampcheck.domain.types.Kind` value)."""
    kb_version: str
    status: str
    """Where the request is in the clinic's workflow (``new``, ``contacted``, ...)."""
    snapshot: Mapping[str, Any]
    """What the person was shown, as stored."""
    check_age: int | None = None
    """The age given in the check, when given."""
    check_sex: str | None = None
    """The sex given in the check (``female`` or ``male``), when given."""
