"""The units a person reads and types measurements in, chosen by the clinic's locale.

The knowledge base keeps one unit per quantity (a body temperature in °C, its rules
reading "38 °C or more"); people of some countries measure in another. The unit a
temperature is asked and shown in follows the clinic's locale (``en_US``: °F, as
CLDR's unit preferences give for the US, Puerto Rico, the Bahamas, Belize, the Cayman
Islands and Palau; °C everywhere else). A value is converted when it is shown and when
it is typed; what is stored and reasoned over stays in the knowledge base's unit.

The unit of the moment is a context variable, as the language is
(:mod:`crampcheck.domain.i18n`): the web sets it for each request from its clinic; a
command, a test or the evaluation that sets none reads and writes °C.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CELSIUS = "°C"
"""The knowledge base's unit of temperature."""

FAHRENHEIT = "°F"

TEMPERATURE_UNITS = (CELSIUS, FAHRENHEIT)

FAHRENHEIT_TERRITORIES = frozenset({"US", "PR", "BS", "BZ", "KY", "PW"})
"""Where people measure temperatures in °F (CLDR's unitPreferenceData, temperature)."""

UCUM = {CELSIUS: "Cel", FAHRENHEIT: "[degF]"}
"""A temperature unit's UCUM code (for FHIR quantities)."""

_temperature_unit: ContextVar[str] = ContextVar("crampcheck_temperature_unit", default=CELSIUS)


def temperature_unit_of(locale: str) -> str:
    """The unit people of ``locale`` (``en_US``, ``es-US``, ``en_GB``) measure a body
    temperature in: °F where their country does, else °C."""
    parts = locale.replace("-", "_").split("_")
    territory = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    return FAHRENHEIT if territory in FAHRENHEIT_TERRITORIES else CELSIUS


def current_temperature_unit() -> str:
    """The unit temperatures are asked and shown in now (°C when none was set)."""
    return _temperature_unit.get()


@contextmanager
def using_temperature_unit(unit: str) -> Iterator[None]:
    """Ask and show temperatures in ``unit`` inside the block (°C for an unknown unit)."""
    token = _temperature_unit.set(unit if unit in TEMPERATURE_UNITS else CELSIUS)
    try:
        yield
    finally:
        _temperature_unit.reset(token)


def from_celsius(value: float, unit: str) -> float:
    """A temperature in °C as it reads in ``unit`` (38.5 °C is 101.3 °F), to 0.1."""
    shown = value * 9 / 5 + 32 if unit == FAHRENHEIT else value
    return round(shown, 1)


def to_celsius(value: float, unit: str) -> float:
    """A temperature typed in ``unit`` as the knowledge base reads it (101.3 °F is 38.5 °C;
    to 0.01, so that 100.4 °F is exactly the 38 °C a rule reads)."""
    return round((value - 32) * 5 / 9, 2) if unit == FAHRENHEIT else value
