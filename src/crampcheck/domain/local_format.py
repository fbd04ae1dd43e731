"""Dates, times and durations as people of a locale write them, through Babel (the
Unicode CLDR data): "Fri, Mar 14, 2025, 7:30 AM" in the US, "Fri, 14 Mar 2025, 07:30"
in the UK; weeks starting on Sunday in the US and Monday in most of Europe.

The locale is the clinic's (its clinic file's ``locale``, ``en_US`` for a US clinic), in
the person's language (:func:`in_language`: ``es_US`` for a Spanish reader at a US
clinic, so "vie, 14 de mar de 2025, 7:30 a.m."); the time zone is the person's (or the
clinic's when the person's is not known). Durations are in seconds or minutes, with
plurals through gettext (``ngettext``), so a 30-second cramp is "30 seconds", never
"0.5 minutes".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, get_timezone_name

from crampcheck.domain.i18n import current_language, translations

DEFAULT_LOCALE = "en_US"
"""The locale when a clinic file names none: crampcheck's clinics are in the US."""


def known_locale(name: str) -> bool:
    """Whether ``name`` (such as ``en_US`` or ``es_US``) is a locale Babel knows."""
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def in_language(locale: str, language: str) -> str:
    """The clinic's ``locale`` for a reader of ``language``: the same country's way of
    writing in that language (``en_US`` and Spanish: ``es_US``), or the language's own
    when the country has none in Babel's data; the locale itself for its own language."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return locale
    if parsed.language == language:
        return locale
    regional = f"{language}_{parsed.territory}" if parsed.territory else language
    return regional if known_locale(regional) else language if known_locale(language) else locale


def _spaces(text: str) -> str:
    # CLDR puts a narrow no-break space before AM/PM; a plain space reads the same and
    # matches what people type and search for.
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@dataclass(frozen=True)
class LocalFormat:
    """How a person's dates and times are written: their time zone and locale."""

    zone: tzinfo = UTC
    zone_name: str = "UTC"
    locale: str = DEFAULT_LOCALE

    def local(self, moment: datetime) -> datetime:
        """A stored time (UTC, or without a zone meaning UTC) in the person's zone."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    def moment(self, moment: datetime) -> str:
        """A date and time: "Fri, Mar 14, 2025, 7:30 AM"."""
        here = self.local(moment)
        glue = Locale.parse(self.locale).datetime_formats["medium"]
        text = str(glue).replace("{1}", self.day(here.date(), weekday=True))
        return text.replace("{0}", self.clock(here.time()))

    def moment_with_zone(self, moment: datetime) -> str:
        """A date and time with its zone's short name: "Fri, Mar 14, 2025, 7:30 AM MDT"."""
        return f"{self.moment(moment)} {self.zone_abbreviation(moment)}"

    def day(self, day: date, *, weekday: bool = False) -> str:
        """A date: "Mar 14, 2025" (or "Fri, Mar 14, 2025" with its weekday)."""
        return _spaces(format_skeleton("yMMMEd" if weekday else "yMMMd", day, locale=self.locale))

    def numeric_day(self, day: date) -> str:
        """A date in figures, as a spreadsheet of this locale reads it: "3/14/2025"."""
        return _spaces(format_skeleton("yMd", day, locale=self.locale))

    def short_day(self, day: date) -> str:
        """A date without its year, for a chart's axis: "Mar 14"."""
        return _spaces(format_skeleton("MMMd", day, locale=self.locale))

    def clock(self, at: time) -> str:
        """A time of day: "7:30 AM"."""
        return _spaces(format_time(at, "short", locale=self.locale))

    def hour(self, hour: int) -> str:
        """An hour of the day, for a chart: "7 AM"."""
        return _spaces(
            format_skeleton("h" if self._twelve_hours() else "HH", time(hour), locale=self.locale)
        )

    def month(self, year: int, month: int) -> str:
        """A month and its year: "March 2025"."""
        return _spaces(format_skeleton("yMMMM", date(year, month, 1), locale=self.locale))

    def weekdays(self) -> list[tuple[str, str]]:
        """(short, full) names of the days, in the order the locale's week runs."""
        names = Locale.parse(self.locale).days["format"]
        return [(str(names["abbreviated"][d]), str(names["wide"][d])) for d in self.week_days()]

    def week_days(self) -> list[int]:
        """The days of a week (0 = Monday), in the order the locale's week runs."""
        first = self.first_weekday()
        return [(first + i) % 7 for i in range(7)]

    def first_weekday(self) -> int:
        """The day a week starts on (0 = Monday, 6 = Sunday as in the US)."""
        return int(Locale.parse(self.locale).first_week_day)

    def zone_abbreviation(self, moment: datetime) -> str:
        """The zone's short name at that moment ("MDT"), or its IANA name when the
        locale has no short name for it."""
        here = self.local(moment)
        short = get_timezone_name(here, width="short", locale=self.locale)
        return short if short and not short.startswith("GMT") else self.zone_name

    def _twelve_hours(self) -> bool:
        return "a" in str(Locale.parse(self.locale).time_formats["short"])


def duration_text(minutes: float) -> str:
    """A duration as a person says it, in the language of the moment: "30 seconds",
    "1 minute", "2 minutes 30 seconds", "1 hour 5 minutes" (seconds are rounded to whole
    ones)."""
    total = max(0, round(minutes * 60))
    words = translations(current_language())
    hours, rest = divmod(total, 3600)
    whole_minutes, seconds = divmod(rest, 60)
    parts: list[str] = []
    if hours:
        parts.append(words.ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours})
    if whole_minutes:
        parts.append(
            words.ngettext("%(num)d minute", "%(num)d minutes", whole_minutes)
            % {"num": whole_minutes}
        )
    if seconds or not parts:
        parts.append(
            words.ngettext("%(num)d second", "%(num)d seconds", seconds) % {"num": seconds}
        )
    return " ".join(parts)


def duration_field(minutes: float) -> tuple[str, str]:
    """A stored duration as the episode form shows it: (number, "seconds" or
    "minutes"), in seconds when it is not a whole number of minutes."""
    seconds = round(minutes * 60)
    if seconds % 60 == 0 and seconds:
        return str(seconds // 60), "minutes"
    return str(seconds), "seconds"
