"""The age of the person behind a request, and where it comes from, as the staff JSON
API gives it: from the date of birth on today's date in the clinic's time zone, else
the age given in the check (as the staff pages show it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from crampcheck.domain.birth import age_on
from crampcheck.domain.times import aware
from crampcheck.storage.tables import AppointmentRequest

AgeSource = Literal["date_of_birth", "check"]


@dataclass(frozen=True)
class PersonAge:
    """An age in whole years and where it comes from (both None when neither the date
    of birth nor the check's age was given)."""

    years: int | None
    source: AgeSource | None


def person_age(request: AppointmentRequest, zone: tzinfo, now: datetime) -> PersonAge:
    """The person's age on ``now``'s date in ``zone``: from the date of birth, else as
    given in the check."""
    if request.date_of_birth is not None:
        return PersonAge(
            age_on(request.date_of_birth, aware(now).astimezone(zone).date()), "date_of_birth"
        )
    if request.check_age is not None:
        return PersonAge(request.check_age, "check")
    return PersonAge(None, None)
