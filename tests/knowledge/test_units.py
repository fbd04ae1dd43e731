"""The knowledge base keeps temperatures in °C; shown to a US clinic's people it asks
and labels them in °F, with the same rules."""

from __future__ import annotations

import pytest

from crampcheck.domain.units import CELSIUS, FAHRENHEIT
from crampcheck.knowledge.compiled import KnowledgeBase, KnowledgeError
from crampcheck.knowledge.loader import in_language
from crampcheck.knowledge.units import (
    check_temperature_texts,
    in_units,
    is_temperature,
    shown_value,
    typed_value,
)


def test_temperatures_are_asked_in_fahrenheit(kb: KnowledgeBase) -> None:
    us = in_units(kb, FAHRENHEIT)
    body = us.findings["temperature_c"]
    assert body.question == "If you have measured it, what is your temperature in °F?"
    assert body.unit == FAHRENHEIT and body.label == "body temperature (°F)"
    assert us.findings["ambient_temperature_c"].question == (
        "How hot was it (air temperature in °F)?"
    )
    # The same knowledge otherwise: the rules (in °C), every other finding as it was.
    assert us.rules is kb.rules
    assert us.findings["episode_minutes"] is kb.findings["episode_minutes"]
    assert kb.findings["temperature_c"].unit == CELSIUS
    # Made once, and back again.
    assert in_units(kb, FAHRENHEIT) is us
    assert in_units(us, CELSIUS) is kb
    assert in_units(kb, "kelvin") is kb


def test_in_spanish_too(kb: KnowledgeBase) -> None:
    spanish = in_units(in_language(kb, "es"), FAHRENHEIT)
    assert spanish.findings["temperature_c"].question.endswith("en °F?")


def test_values_are_converted_only_for_a_temperature_shown_in_fahrenheit(
    kb: KnowledgeBase,
) -> None:
    us = in_units(kb, FAHRENHEIT)
    assert shown_value(us.findings["temperature_c"], 38.5) == 101.3
    assert typed_value(us.findings["temperature_c"], 101.3) == 38.5
    assert shown_value(kb.findings["temperature_c"], 38.5) == 38.5
    assert shown_value(us.findings["episode_minutes"], 38.5) == 38.5
    assert shown_value(None, 38.5) == 38.5


def test_a_temperature_finding_names_its_unit_but_no_temperature(kb: KnowledgeBase) -> None:
    findings = {fid: f for fid, f in kb.findings.items() if is_temperature(f)}
    where = {fid: f"findings_quantities.yaml.findings[{fid}]" for fid in findings}
    check_temperature_texts(findings, where)
    body = findings["temperature_c"]
    in_fahrenheit = {"temperature_c": body.model_copy(update={"unit": FAHRENHEIT})}
    with pytest.raises(KnowledgeError, match=r"temperature_c\]\.unit: a temperature is kept"):
        check_temperature_texts(in_fahrenheit, where)
    with_a_number = {"temperature_c": body.model_copy(update={"why": "A fever is 38 °C."})}
    with pytest.raises(KnowledgeError, match=r"\.why: names a temperature"):
        check_temperature_texts(with_a_number, where)
