"""The unit a temperature is asked and shown in follows the clinic's locale, and the
conversion both ways keeps the knowledge base's thresholds exact."""

from __future__ import annotations

import pytest

from crampcheck.domain.units import (
    CELSIUS,
    FAHRENHEIT,
    current_temperature_unit,
    from_celsius,
    temperature_unit_of,
    to_celsius,
    using_temperature_unit,
)


@pytest.mark.parametrize(
    ("locale", "unit"),
    [
        ("en_US", FAHRENHEIT),
        ("es_US", FAHRENHEIT),
        ("es-PR", FAHRENHEIT),
        ("en_GB", CELSIUS),
        ("es_MX", CELSIUS),
        ("en_CA", CELSIUS),
        ("en", CELSIUS),
        ("sr_Latn_RS", CELSIUS),
    ],
)
def test_the_unit_follows_the_locale_s_country(locale: str, unit: str) -> None:
    assert temperature_unit_of(locale) == unit


def test_a_temperature_typed_in_fahrenheit_is_kept_in_celsius() -> None:
    assert to_celsius(101.3, FAHRENHEIT) == 38.5
    # The rules' thresholds land exactly: 100.4 °F is 38 °C, 103 °F is 39.44 °C.
    assert to_celsius(100.4, FAHRENHEIT) == 38.0
    assert to_celsius(103, FAHRENHEIT) == 39.44
    assert to_celsius(38.5, CELSIUS) == 38.5


def test_a_kept_temperature_is_shown_in_the_unit_asked() -> None:
    assert from_celsius(38.5, FAHRENHEIT) == 101.3
    assert from_celsius(to_celsius(99.9, FAHRENHEIT), FAHRENHEIT) == 99.9
    assert from_celsius(38.5, CELSIUS) == 38.5


def test_the_unit_of_the_moment_is_celsius_unless_set() -> None:
    assert current_temperature_unit() == CELSIUS
    with using_temperature_unit(FAHRENHEIT):
        assert current_temperature_unit() == FAHRENHEIT
        with using_temperature_unit("kelvin"):
            assert current_temperature_unit() == CELSIUS
    assert current_temperature_unit() == CELSIUS
