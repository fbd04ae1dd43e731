"""A location's opening hours, as the clinic file gives them, and as a US reader reads them.

In the clinic file each location lists its opening hours as rows of days and times, in
24-hour ``HH:MM`` (quoted, so YAML keeps them as text)::

    hours:
      - {days: Mon-Fri, opens: "08:00", closes: "17:00"}
      - {days: Sat, opens: "09:00", closes: "12:00"}

``days`` is one day (``Sat``), a range (``Mon-Fri``) or a list (``Mon, Wed, Fri``). A row
closes after it opens, and no two rows of one location overlap on the same day; days
not listed are closed. The pages show each row in US style: ``Mon–Fri 8:00 AM – 5:00 PM``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""The days of the week as the clinic file and the pages write them, Monday first."""

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_DAY_NAMES = {day.lower(): i for i, day in enumerate(DAYS)}


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(name: str) -> int:
    key = name.strip().lower()
    if key in _DAY_NAMES:
        return _DAY_NAMES[key]
    if key in _FULL_NAMES:
        return _FULL_NAMES.index(key)
    raise ValueError(f"unknown day {name.strip()!r}: use {', '.join(DAYS)}")


def parse_days(text: str) -> tuple[int, ...]:
    """The days a ``days`` field names, Monday = 0; a ValueError says what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        raise ValueError(f"days {text!r}: give a day, a range such as Mon-Fri, or a list")
    days: list[int] = []
    for part in parts:
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first), _day(last)
            if end <= start:
                raise ValueError(f"days {part!r}: a range runs forward within one week")
            days.extend(range(start, end + 1))
        else:
            days.append(_day(part))
    if len(set(days)) != len(days):
        raise ValueError(f"days {text!r}: a day is listed twice")
    return tuple(days)


def clock_time(value: str) -> str:
    """``HH:MM`` (24-hour) as a US reader reads it: ``08:00`` -> ``8:00 AM``."""
    hour, minute = (int(part) for part in value.split(":"))
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


class OpeningHours(BaseModel):
    """One row of a location's opening hours: on these days, from ``opens`` to ``closes``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: str = Field(description="a day (Sat), a range (Mon-Fri) or a list (Mon, Wed, Fri)")
    opens: str = Field(description='24-hour time, quoted: "08:00"')
    closes: str = Field(description='24-hour time, quoted: "17:00"')

    @field_validator("days")
    @classmethod
    def _known_days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        if isinstance(value, int):
            raise ValueError(
                'a time must be quoted in the clinic file, such as "08:00" '
                "(unquoted, YAML reads 8:00 as a number)"
            )
        if not isinstance(value, str) or not _TIME.match(value):
            raise ValueError(f'{value!r} is not a 24-hour time such as "08:00" or "17:30"')
        return value

    @model_validator(mode="after")
    def _closes_after_opening(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError(f"closes at {self.closes}, not after it opens at {self.opens}")
        return self

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The days this row covers, Monday = 0."""
        return parse_days(self.days)

    @property
    def day_label(self) -> str:
        """The days in US style: ``Mon–Fri``, ``Sat``, ``Mon, Wed, Fri``."""
        days = self.weekdays
        if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
            return f"{DAYS[days[0]]}\u2013{DAYS[days[-1]]}"
        return ", ".join(DAYS[d] for d in days)

    @property
    def label(self) -> str:
        """The row in US style: ``Mon–Fri 8:00 AM – 5:00 PM``."""
        return f"{self.day_label} {clock_time(self.opens)} \u2013 {clock_time(self.closes)}"


def check_no_overlap(rows: Sequence[OpeningHours]) -> None:
    """No two rows of one location are open at the same time on the same day."""
    for i, row in enumerate(rows):
        for j, other in enumerate(rows[:i]):
            shared = set(row.weekdays) & set(other.weekdays)
            if shared and row.opens < other.closes and other.opens < row.closes:
                day = DAYS[min(shared)]
                raise ValueError(
                    f"hours[{i}] overlaps hours[{j}] on {day}: list each day's hours once"
                )
