"""The vocabulary of the knowledge base's conditions: three-valued truth, what a
condition reads, and the shape every compiled condition has.

A rule's ``when`` (see :mod:`crampcheck.knowledge.conditions`) is true, false or unknown
for a case: an unknown finding never silently counts as absent, so a danger sign not
yet asked about keeps an emergency rule open rather than ruling it out.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from crampcheck.domain.types import FindingState, Sex

Truth = bool | None
"""True, False, or None when the answer depends on something not yet known."""

ANY_BIT = -1
"""A flip set that constrains nothing (every bit set)."""

COMPARATORS: Mapping[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}
"""The comparisons a measured value, or the age, can be held to (``{gte: 38}``)."""


class Facts(Protocol):
    """What a condition reads: finding states, measured values, age and sex.

    :class:`crampcheck.domain.types.Case` is the usual implementation.
    """

    @property
    def age(self) -> int | None: ...

    @property
    def sex(self) -> Sex | None: ...

    def state(self, finding_id: str) -> FindingState: ...

    def value(self, finding_id: str) -> float | None: ...


TruthFunction = Callable[[int, int, Facts], Truth]
"""A condition compiled into a closure: ``fast(present, absent, facts)`` is its value on
a case given as bit sets of present and absent findings, with the case itself for
measured values, age and sex (the same value as :meth:`Condition.truth`)."""


@dataclass(frozen=True, slots=True)
class Bits:
    """A case as bit sets over the knowledge base's finding index, with the case itself
    for measured values, age and sex."""

    present: int
    absent: int
    facts: Facts


class Condition(Protocol):
    """A compiled condition."""

    def evaluate(self, case: Facts) -> Truth:
        """True, False or None (unknown) for this case."""
        ...

    def bits(self, case: Bits) -> tuple[Truth, int]:
        """The value, and the bit set of unknown findings a "yes" to any one of which
        would make the condition True on its own (empty unless the value is None)."""
        ...

    def truth(self, case: Bits) -> Truth:
        """The value alone, read from bit sets."""
        ...

    @property
    def fast(self) -> TruthFunction:
        """The value alone, compiled into a closure (see :data:`TruthFunction`)."""
        ...

    def findings(self) -> Iterator[str]:
        """Every finding id the condition reads."""
        ...

    def describe(self) -> str:
        """A compact, readable rendering (for reviewers and error messages)."""
        ...
