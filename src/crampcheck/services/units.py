"""Measured values in the units a person reads them in, for the shells.

The knowledge base keeps a temperature in °C; to a clinic whose people measure in °F
(its locale's, see :mod:`crampcheck.domain.units`) it is asked and shown in °F. The
knowledge base of the moment (``Pipeline.kb``) already names the unit shown; these
give the values in it.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.units import shown_value

ShownValue = Callable[[str, float], float]
"""A finding's stored value (by its id) as it is shown."""


def shown_values(kb: KnowledgeBase) -> ShownValue:
    """How ``kb`` shows each finding's stored value (38.5 °C as 101.3 where its
    temperatures are in °F; any other value as it is)."""

    def shown(finding_id: str, value: float) -> float:
        return shown_value(kb.findings.get(finding_id), value)

    return shown
