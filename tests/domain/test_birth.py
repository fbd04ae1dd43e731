"""Dates of birth: which are accepted, and the age they give."""

from __future__ import annotations

from datetime import date

import pytest

from crampcheck.domain.birth import age_on, birth_date_problem

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (date(1960, 12, 6), 66),
        (date(1960, 12, 7), 65),
        (date(2000, 2, 29), 26),
        (date(2026, 12, 6), 0),
    ],
)
def test_age_counts_whole_years(born: date, age: int) -> None:
    assert age_on(born, TODAY) == age


def test_a_leap_day_birthday_counts_on_the_first_of_march() -> None:
    assert age_on(date(2004, 2, 29), date(2025, 2, 28)) == 20
    assert age_on(date(2004, 2, 29), date(2025, 3, 1)) == 21


@pytest.mark.parametrize(
    ("born", "problem"),
    [
        (date(2026, 12, 7), "future"),
        (date(1899, 12, 31), "1900"),
        (date(1900, 1, 1), None),
        (TODAY, None),
    ],
)
def test_what_cannot_be_a_date_of_birth(born: date, problem: str | None) -> None:
    found = birth_date_problem(born, TODAY)
    assert (found is None) if problem is None else (problem in (found or ""))
