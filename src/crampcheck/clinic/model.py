"""A clinic described by one YAML file (the packaged default is the article's podiatrist).

Another clinic is one YAML file and the ``CRAMPCHECK_CLINIC_FILE`` setting away.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crampcheck.clinic.hours import DAYS, OpeningHours, check_no_overlap
from crampcheck.domain.links import web_address
from crampcheck.domain.local_format import DEFAULT_LOCALE, LocalFormat, in_language, known_locale
from crampcheck.domain.problems import listed
from crampcheck.domain.units import temperature_unit_of
from crampcheck.domain.zones import UNKNOWN_ZONE, place_zone

DEFAULT_CLINIC = "auger-podiatry.yaml"


class ClinicError(ValueError):
    """The clinic file is missing or malformed; the message says what and where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    """One place the clinic sees patients: its street address when published (the city
    otherwise), and its opening hours when known (see :mod:`.hours`)."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    name: str
    city: str
    region: str | None = None
    address: str | None = Field(
        default=None, description="the street address, as on an envelope (without the city)"
    )
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{5}(-[0-9]{4})?$")
    hours: tuple[OpeningHours, ...] = Field(
        default=(), description="opening hours, one row per day or range of days"
    )

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_are_rows(cls, value: object) -> object:
        """Hours written as one line of text cannot be read reliably: say how to write them."""
        if isinstance(value, str):
            raise ValueError(
                "opening hours are a list of rows such as "
                '{days: Mon-Fri, opens: "08:00", closes: "17:00"}, not one line of text'
            )
        return value

    @field_validator("hours")
    @classmethod
    def _no_overlap(cls, value: tuple[OpeningHours, ...]) -> tuple[OpeningHours, ...]:
        check_no_overlap(value)
        return value

    @property
    def town_line(self) -> str:
        """City, state and ZIP code: ``Sandy, Utah 84070``."""
        line = f"{self.city}, {self.region}" if self.region else self.city
        return f"{line} {self.postal_code}" if self.postal_code else line

    @property
    def closed_days(self) -> str | None:
        """The days with no opening hours (``Sat, Sun``), when hours are given at all."""
        if not self.hours:
            return None
        open_days = {day for row in self.hours for day in row.weekdays}
        return ", ".join(day for i, day in enumerate(DAYS) if i not in open_days) or None

    @property
    def hours_text(self) -> str | None:
        """The opening hours on one line, US style (``Mon–Fri 8:00 AM – 5:00 PM; ...``)."""
        return "; ".join(row.label for row in self.hours) or None


class Referral(_Strict):
    """Which kind of clinician fits a body site better than this clinic."""

    site: str
    clinician: str


class Clinic(_Strict):
    """The clinic shown on the clinic page and given appointment requests."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    name: str
    clinician: str | None = None
    specialty: str
    phone: str = Field(pattern=r"^[0-9()+ .-]{7,20}$")
    website: str | None = Field(
        default=None, description="the clinic's website: an http(s) address, put in a link"
    )
    nurse_line: str | None = Field(
        default=None,
        pattern=r"^[0-9()+ .-]{7,20}$",
        description="a nurse advice line's phone number (the clinic's own, or its health "
        "system's) that patients may call for advice today: shown on urgent and doctor "
        "results and on the clinic page when given",
    )
    hours: str | None = None
    about: str | None = None
    source: str = Field(description="where these details come from")
    locations: tuple[Location, ...] = Field(min_length=1)
    sites_in_scope: tuple[str, ...] = Field(
        description="body-site findings this clinic treats; a check elsewhere gets a referral note"
    )
    referrals: tuple[Referral, ...] = ()
    care_pathway: str = Field(
        default="US",
        description="the country whose places to get care the check names (care_pathways.yaml)",
    )
    time_zone: str = Field(
        default="UTC",
        max_length=64,
        description="IANA time zone the staff pages and the summary show times in",
    )
    locale: str = Field(
        default=DEFAULT_LOCALE,
        max_length=20,
        description="how dates, times and numbers are written for the clinic's patients "
        "(a CLDR locale such as en_US: 'Mar 14, 2025, 7:30 AM', weeks from Sunday)",
    )
    paper_size: Literal["letter", "a4"] = Field(
        default="letter",
        description="the paper the one-page summary PDF is laid out for: US Letter "
        "(8.5 x 11 in) or A4",
    )

    @property
    def temperature_unit(self) -> str:
        """The unit its patients are asked and shown temperatures in, by its locale (°F
        for ``en_US``)."""
        return temperature_unit_of(self.locale)

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """Only an http(s) address goes into the clinic page's link (never ``javascript:``)."""
        return None if value is None else web_address(value)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        """An IANA zone name of a place (such as ``America/Denver``) that this system knows."""
        if place_zone(value) is None:
            raise ValueError(f"unknown time zone {value!r}: {UNKNOWN_ZONE}")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        """A locale the date and number formats know (such as ``en_US``)."""
        if not known_locale(value):
            raise ValueError(f"unknown locale {value!r}: give a locale such as en_US")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone (UTC unless the clinic file names one)."""
        return ZoneInfo(self.time_zone)

    def local_format(self, language: str | None = None) -> LocalFormat:
        """How the clinic writes dates and times: in its time zone and locale ("Mon, Mar 3,
        2025, 2:00 AM MST" for a US clinic), or in that locale's way for a reader of
        ``language`` (``es_US`` for a Spanish reader at a US clinic)."""
        locale = in_language(self.locale, language) if language else self.locale
        return LocalFormat(self.zone, self.time_zone, locale)

    @property
    def phone_link(self) -> str:
        """The phone number as a ``tel:`` link target."""
        return _tel(self.phone)

    @property
    def nurse_line_link(self) -> str | None:
        """The nurse line's number as a ``tel:`` link target (None when not given)."""
        return _tel(self.nurse_line) if self.nurse_line else None

    def location(self, location_id: str) -> Location | None:
        """The location with this id, if any."""
        return next((loc for loc in self.locations if loc.id == location_id), None)


def _tel(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}"


def load_clinic(path: Path | None = None) -> Clinic:
    """Load the clinic file (the packaged default when ``path`` is None)."""
    try:
        if path is None:
            text = (resources.files("crampcheck.clinic") / "data" / DEFAULT_CLINIC).read_text(
                encoding="utf-8"
            )
            where = DEFAULT_CLINIC
        else:
            text = path.read_text(encoding="utf-8")
            where = str(path)
    except OSError as error:
        raise ClinicError(f"cannot read the clinic file {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ClinicError(f"{where}: not valid YAML: {error}") from None
    try:
        return Clinic.model_validate(data)
    except ValidationError as error:
        raise ClinicError(f"{where}: {listed(error.errors())}") from None
