"""Value types: urgency levels, kinds of episode, finding states and a case.

These carry no clinical knowledge: what a finding *means* lives in the knowledge
base. They only fix the vocabulary every layer speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType


class Urgency(StrEnum):
    """How soon a person should get care, lowest first.

    ``self_care``: manage at home; ``doctor``: book within days to weeks;
    ``urgent``: be seen within 24 hours; ``emergency``: call the emergency number now.
    """

    SELF_CARE = "self_care"
    DOCTOR = "doctor"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """Position in the order self_care < doctor < urgent < emergency."""
        return _URGENCY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Urgency):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Urgency):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Urgency):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Urgency):
            return NotImplemented
        return self.rank >= other.rank


def urgency_order(level: Urgency) -> int:
    """0 for the most urgent level, then 1, 2, ...: an ascending sort puts the most
    urgent first (the clinic's inbox)."""
    return len(_URGENCY_ORDER) - 1 - level.rank


_URGENCY_ORDER = (Urgency.SELF_CARE, Urgency.DOCTOR, Urgency.URGENT, Urgency.EMERGENCY)
_URGENCY_RANK = {level: rank for rank, level in enumerate(_URGENCY_ORDER)}


class Kind(StrEnum):
    """What the episode is.

    ``cramp``: a sustained, usually painful contraction (seconds to minutes);
    ``spasm``: brief twitches or jerks, often in clusters;
    ``other``: something that only looks like a cramp or spasm (a clot, a blocked
    artery, a stroke, ordinary soreness ...).
    """

    CRAMP = "cramp"
    SPASM = "spasm"
    OTHER = "other"


class FindingState(StrEnum):
    """What is known about one finding: reported, denied, or not yet known."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Sex(StrEnum):
    """Sex as reported; used only where a source distinguishes it (pregnancy)."""

    FEMALE = "female"
    MALE = "male"


def _frozen(mapping: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Case:
    """Everything known about one person and one episode.

    ``findings`` maps finding ids to present/absent; a finding not in it is unknown.
    ``values`` holds measured quantities by finding id (minutes, °C, 0-10 pain ...).
    """

    age: int | None = None
    sex: Sex | None = None
    findings: Mapping[str, FindingState] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", _frozen(self.findings))
        object.__setattr__(self, "values", _frozen(self.values))

    def state(self, finding_id: str) -> FindingState:
        """The state of a finding, ``unknown`` when nothing was said about it."""
        return self.findings.get(finding_id, FindingState.UNKNOWN)

    def value(self, finding_id: str) -> float | None:
        """A measured quantity, or None when it was not given."""
        return self.values.get(finding_id)

    def with_answers(
        self,
        findings: Mapping[str, FindingState] | None = None,
        values: Mapping[str, float] | None = None,
    ) -> Case:
        """A new case with these answers added (later answers win)."""
        merged_findings = {**self.findings, **(findings or {})}
        merged_values = {**self.values, **(values or {})}
        return replace(self, findings=merged_findings, values=merged_values)
