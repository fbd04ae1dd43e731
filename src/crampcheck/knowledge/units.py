"""The knowledge base with its temperatures asked and shown in another unit.

A finding measuring a temperature (``measure.dimension: temperature``) is kept in °C:
its ``unit`` is °C and its rules read °C. For a clinic whose people measure in °F
(:func:`crampcheck.domain.units.temperature_unit_of`), :func:`in_units` gives the same
knowledge with those findings' unit, and the unit named in their texts, in °F ("what is
your temperature in °F?"); :func:`shown_value` and :func:`typed_value` convert a value
between the stored unit and the one shown. :func:`check_temperature_texts` keeps this
honest: a temperature finding's unit is °C, and its texts name no number in a unit (a
number would not be converted with its unit).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType

from crampcheck.domain.units import CELSIUS, TEMPERATURE_UNITS, from_celsius, to_celsius
from crampcheck.knowledge.compiled import KnowledgeBase, KnowledgeError
from crampcheck.knowledge.schema import Finding

_TEXTS = ("label", "denied_label", "question", "why")
_NUMBER_IN_A_UNIT = re.compile(r"\d\s*°")


def is_temperature(finding: Finding) -> bool:
    """Whether ``finding`` is a measured temperature (its value in °C)."""
    return finding.measure is not None and finding.measure.dimension == "temperature"


def in_units(kb: KnowledgeBase, temperature_unit: str) -> KnowledgeBase:
    """``kb`` with its temperatures asked and shown in ``temperature_unit`` (kept beside
    it once made; ``kb`` itself for its own unit or an unknown one)."""
    if temperature_unit == kb.temperature_unit or temperature_unit not in TEMPERATURE_UNITS:
        return kb
    variants = kb.unit_variants
    variants.setdefault(kb.temperature_unit, kb)
    found = variants.get(temperature_unit)
    if found is None:
        findings = {
            fid: _shown_in(f, kb.temperature_unit, temperature_unit) if is_temperature(f) else f
            for fid, f in kb.findings.items()
        }
        found = dataclasses.replace(
            kb,
            findings=MappingProxyType(findings),
            temperature_unit=temperature_unit,
        )
        variants[temperature_unit] = found
    return found


def _shown_in(finding: Finding, old: str, new: str) -> Finding:
    update: dict[str, str] = {"unit": new}
    for key in _TEXTS:
        text = getattr(finding, key)
        if isinstance(text, str):
            update[key] = text.replace(old, new)
    return finding.model_copy(update=update)


def shown_value(finding: Finding | None, value: float) -> float:
    """A stored value as ``finding``'s unit shows it (a temperature in °C as 101.3 in °F)."""
    if finding is None or not is_temperature(finding) or finding.unit is None:
        return value
    return from_celsius(value, finding.unit)


def typed_value(finding: Finding | None, value: float) -> float:
    """A value typed in ``finding``'s unit as it is stored (101.3 in °F as 38.5 °C)."""
    if finding is None or not is_temperature(finding) or finding.unit is None:
        return value
    return to_celsius(value, finding.unit)


def check_temperature_texts(findings: Mapping[str, Finding], where: Mapping[str, str]) -> None:
    """A temperature finding is kept in °C and its texts name no temperature of their own
    (the unit they name is shown in the clinic's, the number would not be)."""
    for fid, finding in findings.items():
        if not is_temperature(finding):
            continue
        if finding.unit != CELSIUS:
            raise KnowledgeError(
                f"{where[fid]}.unit: a temperature is kept in {CELSIUS}, not {finding.unit!r}"
            )
        for key in _TEXTS:
            text = getattr(finding, key)
            if isinstance(text, str) and _NUMBER_IN_A_UNIT.search(text):
                raise KnowledgeError(
                    f"{where[fid]}.{key}: names a temperature ('{text}'), which would not be "
                    "converted when shown in °F; say it in a rule or a finding of its own"
                )
