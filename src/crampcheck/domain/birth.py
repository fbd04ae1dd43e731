"""Dates of birth: what is accepted, and the age they give on a day.

A date of birth on an appointment request is optional. One in the future, or before
1900, is refused with a message saying which (a typo in the year, usually).
"""

from __future__ import annotations

from datetime import date

from crampcheck.domain.i18n import N_

EARLIEST_BIRTH_YEAR = 1900
"""No date of birth before 1 January of this year is accepted."""


def birth_date_problem(born: date, today: date) -> str | None:
    """Why ``born`` cannot be a person's date of birth on ``today``, or None when it can."""
    if born > today:
        return N_("A date of birth cannot be in the future. Please check the year.")
    if born.year < EARLIEST_BIRTH_YEAR:
        return f"Please give a date of birth in {EARLIEST_BIRTH_YEAR} or later."
    return None


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today`` (a birthday on 29 February counts on
    1 March in other years)."""
    years = today.year - born.year
    return years - 1 if (today.month, today.day) < (born.month, born.day) else years
