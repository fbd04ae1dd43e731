"""Boolean conditions over a case, compiled from the knowledge base's YAML.

A rule's ``when`` is written in a small language:

- ``finding_id`` - the finding is present;
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``;
- ``{at_least: N, of: [...]}`` - N or more of the listed conditions hold;
- ``{value: finding_id, gte|gt|lte|lt: number}`` - a measured quantity;
- ``{age: {gte|gt|lte|lt: number}}``; ``{sex: female|male}``.

Evaluation is three-valued (Kleene logic): a condition is True, False or None
(unknown). An unknown finding therefore never silently counts as absent.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from crampcheck.domain.types import FindingState, Sex

Truth = bool | None
"""True, False, or None when the answer depends on something not yet known."""


_NONE: frozenset[str] = frozenset()


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


_COMPARATORS: Mapping[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


class Condition(Protocol):
    """A compiled condition."""

    def evaluate(self, case: Facts) -> Truth:
        """True, False or None (unknown) for this case."""
        ...

    def findings(self) -> Iterator[str]:
        """Every finding id the condition reads."""
        ...

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        """The current value, and the unknown findings a "yes" to any one of which
        would make the condition True on its own (used to rank the next question)."""
        ...

    def describe(self) -> str:
        """A compact, readable rendering (for reviewers and error messages)."""
        ...


@dataclass(frozen=True, slots=True)
class Present:
    """The finding is present (True), absent (False) or unknown (None)."""

    finding: str

    def evaluate(self, case: Facts) -> Truth:
        state = case.state(self.finding)
        if state is FindingState.PRESENT:
            return True
        if state is FindingState.ABSENT:
            return False
        return None

    def findings(self) -> Iterator[str]:
        yield self.finding

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        value = self.evaluate(case)
        return value, (frozenset((self.finding,)) if value is None else _NONE)

    def describe(self) -> str:
        return self.finding


@dataclass(frozen=True, slots=True)
class All:
    """Every part holds: False as soon as one is False."""

    parts: tuple[Condition, ...]

    def evaluate(self, case: Facts) -> Truth:
        result: Truth = True
        for part in self.parts:
            value = part.evaluate(case)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def findings(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.findings()

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        open_sets: list[frozenset[str]] = []
        for part in self.parts:
            value, flips = part.flips(case)
            if value is False:
                return False, _NONE
            if value is None:
                open_sets.append(flips)
        if not open_sets:
            return True, _NONE
        return None, frozenset.intersection(*open_sets)

    def describe(self) -> str:
        return "(" + " and ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class AtLeast:
    """At least ``count`` of the parts hold (``any`` is ``at_least: 1``)."""

    count: int
    parts: tuple[Condition, ...]

    def evaluate(self, case: Facts) -> Truth:
        true = unknown = 0
        for part in self.parts:
            value = part.evaluate(case)
            if value is True:
                true += 1
                if true >= self.count:
                    return True
            elif value is None:
                unknown += 1
        if true + unknown < self.count:
            return False
        return None

    def findings(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.findings()

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        true = unknown = 0
        counts: dict[str, int] = {}
        for part in self.parts:
            value, flips = part.flips(case)
            if value is True:
                true += 1
            elif value is None:
                unknown += 1
                for finding_id in flips:
                    counts[finding_id] = counts.get(finding_id, 0) + 1
        if true >= self.count:
            return True, _NONE
        if true + unknown < self.count:
            return False, _NONE
        return None, frozenset(f for f, n in counts.items() if true + n >= self.count)

    def describe(self) -> str:
        joined = ", ".join(p.describe() for p in self.parts)
        if self.count == 1:
            return "(" + " or ".join(p.describe() for p in self.parts) + ")"
        return f"at least {self.count} of ({joined})"


@dataclass(frozen=True, slots=True)
class Not:
    """The part does not hold; unknown stays unknown."""

    part: Condition

    def evaluate(self, case: Facts) -> Truth:
        value = self.part.evaluate(case)
        return None if value is None else not value

    def findings(self) -> Iterator[str]:
        yield from self.part.findings()

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        return self.evaluate(case), _NONE

    def describe(self) -> str:
        return f"not {self.part.describe()}"


@dataclass(frozen=True, slots=True)
class ValueCompare:
    """A measured quantity compared with a threshold; unknown when not measured.

    A quantity that was asked and answered "absent" (for example, no fever at all)
    makes the comparison False.
    """

    finding: str
    comparator: str
    threshold: float

    def evaluate(self, case: Facts) -> Truth:
        value = case.value(self.finding)
        if value is None:
            return False if case.state(self.finding) is FindingState.ABSENT else None
        return _COMPARATORS[self.comparator](value, self.threshold)

    def findings(self) -> Iterator[str]:
        yield self.finding

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        return self.evaluate(case), _NONE

    def describe(self) -> str:
        return f"{self.finding} {self.comparator} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class AgeCompare:
    """The person's age compared with a threshold; unknown when age is not given."""

    comparator: str
    threshold: float

    def evaluate(self, case: Facts) -> Truth:
        if case.age is None:
            return None
        return _COMPARATORS[self.comparator](case.age, self.threshold)

    def findings(self) -> Iterator[str]:
        return iter(())

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        return self.evaluate(case), _NONE

    def describe(self) -> str:
        return f"age {self.comparator} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class SexIs:
    """The person's reported sex; unknown when not given."""

    sex: Sex

    def evaluate(self, case: Facts) -> Truth:
        if case.sex is None:
            return None
        return case.sex is self.sex

    def findings(self) -> Iterator[str]:
        return iter(())

    def flips(self, case: Facts) -> tuple[Truth, frozenset[str]]:
        return self.evaluate(case), _NONE

    def describe(self) -> str:
        return f"sex {self.sex.value}"


class ConditionSyntaxError(ValueError):
    """A condition in the knowledge base is not written in the condition language."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def compile_condition(spec: Any, path: str = "when") -> Condition:
    """Compile a YAML condition into evaluable nodes, naming ``path`` in any error."""
    if isinstance(spec, str):
        if not spec.strip():
            raise ConditionSyntaxError(path, "empty finding id")
        return Present(spec)
    if isinstance(spec, list):
        return All(tuple(compile_condition(s, f"{path}[{i}]") for i, s in enumerate(spec)))
    if not isinstance(spec, dict) or len(spec) == 0:
        raise ConditionSyntaxError(path, f"expected a finding id or a mapping, got {spec!r}")
    keys = set(spec)
    if keys == {"all"}:
        return All(_compile_list(spec["all"], f"{path}.all"))
    if keys == {"any"}:
        return AtLeast(1, _compile_list(spec["any"], f"{path}.any"))
    if keys == {"not"}:
        return Not(compile_condition(spec["not"], f"{path}.not"))
    if keys == {"at_least", "of"}:
        count = spec["at_least"]
        parts = _compile_list(spec["of"], f"{path}.of")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= len(parts):
            raise ConditionSyntaxError(
                f"{path}.at_least", f"must be a whole number from 1 to {len(parts)}"
            )
        return AtLeast(count, parts)
    if "value" in keys:
        comparators = keys - {"value"}
        if len(comparators) != 1 or not comparators <= set(_COMPARATORS):
            raise ConditionSyntaxError(
                path, f"a value condition takes one of {sorted(_COMPARATORS)}, got {sorted(keys)}"
            )
        (comparator,) = comparators
        return ValueCompare(
            str(spec["value"]), comparator, _number(spec[comparator], f"{path}.{comparator}")
        )
    if keys == {"age"}:
        inner = spec["age"]
        if not isinstance(inner, dict) or len(inner) != 1 or not set(inner) <= set(_COMPARATORS):
            raise ConditionSyntaxError(f"{path}.age", f"takes one of {sorted(_COMPARATORS)}")
        ((comparator, threshold),) = inner.items()
        return AgeCompare(comparator, _number(threshold, f"{path}.age.{comparator}"))
    if keys == {"sex"}:
        try:
            return SexIs(Sex(spec["sex"]))
        except ValueError:
            raise ConditionSyntaxError(f"{path}.sex", "must be female or male") from None
    valid = "all, any, not, at_least+of, value+gte/gt/lte/lt, age, sex"
    raise ConditionSyntaxError(path, f"unknown keys {sorted(keys)}; valid forms: {valid}")


def _compile_list(spec: Any, path: str) -> tuple[Condition, ...]:
    if not isinstance(spec, list) or not spec:
        raise ConditionSyntaxError(path, "expected a non-empty list")
    return tuple(compile_condition(s, f"{path}[{i}]") for i, s in enumerate(spec))


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionSyntaxError(path, f"expected a number, got {value!r}")
    return float(value)
