"""Boolean conditions over a case, compiled from the knowledge base's YAML.

A rule's ``when`` is written in a small language:

- ``finding_id`` - the finding is present;
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``;
- ``{at_least: N, of: [...]}`` - N or more of the listed conditions hold;
- ``{value: finding_id, gte|gt|lte|lt: number}`` - a measured quantity;
- ``{age: {gte|gt|lte|lt: number}}``; ``{sex: female|male}``.

Evaluation is three-valued (Kleene logic): a condition is True, False or None
(unknown). An unknown finding therefore never silently counts as absent.

Two ways to evaluate: :meth:`evaluate` reads any :class:`Facts`; :meth:`bits` reads
the case as bit sets (one bit a finding), which is what the engine uses on its hot
path, and also returns the findings a single "yes" to which would make the condition
True - the decisive next questions.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from crampcheck.domain.types import FindingState, Sex

Truth = bool | None
"""True, False, or None when the answer depends on something not yet known."""

ANY_BIT = -1
"""A flip set that constrains nothing (every bit set)."""

_COMPARATORS: Mapping[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}


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
        """The value alone, read from bit sets (the engine's hot path)."""
        ...

    def findings(self) -> Iterator[str]:
        """Every finding id the condition reads."""
        ...

    def describe(self) -> str:
        """A compact, readable rendering (for reviewers and error messages)."""
        ...


@dataclass(frozen=True, slots=True)
class Present:
    """The finding is present (True), absent (False) or unknown (None)."""

    finding: str
    bit: int = 0

    def evaluate(self, case: Facts) -> Truth:
        state = case.state(self.finding)
        if state is FindingState.PRESENT:
            return True
        if state is FindingState.ABSENT:
            return False
        return None

    def bits(self, case: Bits) -> tuple[Truth, int]:
        if case.present & self.bit:
            return True, 0
        if case.absent & self.bit:
            return False, 0
        return None, self.bit

    def truth(self, case: Bits) -> Truth:
        if case.present & self.bit:
            return True
        if case.absent & self.bit:
            return False
        return None

    def findings(self) -> Iterator[str]:
        yield self.finding

    def describe(self) -> str:
        return self.finding


def _split(parts: tuple[Condition, ...]) -> tuple[int, tuple[Condition, ...]]:
    mask = 0
    rest: list[Condition] = []
    for part in parts:
        if isinstance(part, Present):
            mask |= part.bit
        else:
            rest.append(part)
    return mask, tuple(rest)


@dataclass(frozen=True, slots=True)
class All:
    """Every part holds: False as soon as one is False."""

    parts: tuple[Condition, ...]
    mask: int = field(default=0, compare=False)
    rest: tuple[Condition, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        mask, rest = _split(self.parts)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "rest", rest)

    def evaluate(self, case: Facts) -> Truth:
        result: Truth = True
        for part in self.parts:
            value = part.evaluate(case)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def bits(self, case: Bits) -> tuple[Truth, int]:
        mask = self.mask
        if case.absent & mask:
            return False, 0
        unknown = mask & ~case.present
        flips = ANY_BIT
        if unknown:
            # Several unknown findings are all needed: no single "yes" is enough.
            flips = unknown if unknown & (unknown - 1) == 0 else 0
        for part in self.rest:
            value, part_flips = part.bits(case)
            if value is False:
                return False, 0
            if value is None:
                unknown = 1
                flips &= part_flips
        if not unknown:
            return True, 0
        return None, flips

    def truth(self, case: Bits) -> Truth:
        mask = self.mask
        if case.absent & mask:
            return False
        result: Truth = None if mask & ~case.present else True
        for part in self.rest:
            value = part.truth(case)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def findings(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.findings()

    def describe(self) -> str:
        return "(" + " and ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class AtLeast:
    """At least ``count`` of the parts hold (``any`` is ``at_least: 1``)."""

    count: int
    parts: tuple[Condition, ...]
    mask: int = field(default=0, compare=False)
    rest: tuple[Condition, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        mask, rest = _split(self.parts)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "rest", rest)

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

    def bits(self, case: Bits) -> tuple[Truth, int]:
        mask = self.mask
        present = case.present
        if self.count == 1:
            # "any": the common case, kept free of counting.
            if present & mask:
                return True, 0
            flips = mask & ~case.absent
            undecided = bool(flips)
            for part in self.rest:
                value, part_flips = part.bits(case)
                if value is True:
                    return True, 0
                if value is None:
                    undecided = True
                    flips |= part_flips
            return (None, flips) if undecided else (False, 0)
        true = (present & mask).bit_count()
        if true >= self.count:
            return True, 0
        open_bits = mask & ~present & ~case.absent
        unknown = open_bits.bit_count()
        open_flips: list[int] = []
        for part in self.rest:
            value, part_flips = part.bits(case)
            if value is True:
                true += 1
                if true >= self.count:
                    return True, 0
            elif value is None:
                unknown += 1
                open_flips.append(part_flips)
        if true + unknown < self.count:
            return False, 0
        needed = self.count - true
        candidates = open_bits
        for part_flips in open_flips:
            candidates |= part_flips
        if needed == 1:
            return None, candidates
        flips = 0
        while candidates:
            bit = candidates & -candidates
            candidates ^= bit
            hits = (1 if open_bits & bit else 0) + sum(1 for f in open_flips if f & bit)
            if hits >= needed:
                flips |= bit
        return None, flips

    def truth(self, case: Bits) -> Truth:
        mask = self.mask
        present = case.present
        if self.count == 1:
            if present & mask:
                return True
            undecided = bool(mask & ~case.absent)
            for part in self.rest:
                value = part.truth(case)
                if value is True:
                    return True
                if value is None:
                    undecided = True
            return None if undecided else False
        true = (present & mask).bit_count()
        unknown = (mask & ~present & ~case.absent).bit_count()
        for part in self.rest:
            value = part.truth(case)
            if value is True:
                true += 1
            elif value is None:
                unknown += 1
        if true >= self.count:
            return True
        return False if true + unknown < self.count else None

    def findings(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.findings()

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

    def bits(self, case: Bits) -> tuple[Truth, int]:
        value, _ = self.part.bits(case)
        return (None if value is None else not value), 0

    def truth(self, case: Bits) -> Truth:
        value = self.part.truth(case)
        return None if value is None else not value

    def findings(self) -> Iterator[str]:
        yield from self.part.findings()

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

    def bits(self, case: Bits) -> tuple[Truth, int]:
        return self.evaluate(case.facts), 0

    def truth(self, case: Bits) -> Truth:
        return self.evaluate(case.facts)

    def findings(self) -> Iterator[str]:
        yield self.finding

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

    def bits(self, case: Bits) -> tuple[Truth, int]:
        return self.evaluate(case.facts), 0

    def truth(self, case: Bits) -> Truth:
        return self.evaluate(case.facts)

    def findings(self) -> Iterator[str]:
        return iter(())

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

    def bits(self, case: Bits) -> tuple[Truth, int]:
        return self.evaluate(case.facts), 0

    def truth(self, case: Bits) -> Truth:
        return self.evaluate(case.facts)

    def findings(self) -> Iterator[str]:
        return iter(())

    def describe(self) -> str:
        return f"sex {self.sex.value}"


class ConditionSyntaxError(ValueError):
    """A condition in the knowledge base is not written in the condition language."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def compile_condition(
    spec: Any, path: str = "when", index: Mapping[str, int] | None = None
) -> Condition:
    """Compile a YAML condition into evaluable nodes, naming ``path`` in any error.

    ``index`` maps finding ids to bit positions (the knowledge base's finding order);
    without it, :meth:`Condition.bits` is meaningless but :meth:`evaluate` still works.
    """
    bits = index or {}

    def build(node: Any, where: str) -> Condition:
        if isinstance(node, str):
            if not node.strip():
                raise ConditionSyntaxError(where, "empty finding id")
            return Present(node, 1 << bits[node] if node in bits else 0)
        if isinstance(node, list):
            return All(tuple(build(s, f"{where}[{i}]") for i, s in enumerate(node)))
        if not isinstance(node, dict) or len(node) == 0:
            raise ConditionSyntaxError(where, f"expected a finding id or a mapping, got {node!r}")
        keys = set(node)
        if keys == {"all"}:
            return All(build_list(node["all"], f"{where}.all"))
        if keys == {"any"}:
            return AtLeast(1, build_list(node["any"], f"{where}.any"))
        if keys == {"not"}:
            return Not(build(node["not"], f"{where}.not"))
        if keys == {"at_least", "of"}:
            count = node["at_least"]
            parts = build_list(node["of"], f"{where}.of")
            if (
                not isinstance(count, int)
                or isinstance(count, bool)
                or not 1 <= count <= len(parts)
            ):
                raise ConditionSyntaxError(
                    f"{where}.at_least", f"must be a whole number from 1 to {len(parts)}"
                )
            return AtLeast(count, parts)
        if "value" in keys:
            comparators = keys - {"value"}
            if len(comparators) != 1 or not comparators <= set(_COMPARATORS):
                raise ConditionSyntaxError(
                    where,
                    f"a value condition takes one of {sorted(_COMPARATORS)}, got {sorted(keys)}",
                )
            (comparator,) = comparators
            return ValueCompare(
                str(node["value"]), comparator, _number(node[comparator], f"{where}.{comparator}")
            )
        if keys == {"age"}:
            inner = node["age"]
            if (
                not isinstance(inner, dict)
                or len(inner) != 1
                or not set(inner) <= set(_COMPARATORS)
            ):
                raise ConditionSyntaxError(f"{where}.age", f"takes one of {sorted(_COMPARATORS)}")
            ((comparator, threshold),) = inner.items()
            return AgeCompare(comparator, _number(threshold, f"{where}.age.{comparator}"))
        if keys == {"sex"}:
            try:
                return SexIs(Sex(node["sex"]))
            except ValueError:
                raise ConditionSyntaxError(f"{where}.sex", "must be female or male") from None
        valid = "all, any, not, at_least+of, value+gte/gt/lte/lt, age, sex"
        raise ConditionSyntaxError(where, f"unknown keys {sorted(keys)}; valid forms: {valid}")

    def build_list(node: Any, where: str) -> tuple[Condition, ...]:
        if not isinstance(node, list) or not node:
            raise ConditionSyntaxError(where, "expected a non-empty list")
        return tuple(build(s, f"{where}[{i}]") for i, s in enumerate(node))

    return build(spec, path)


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionSyntaxError(path, f"expected a number, got {value!r}")
    return float(value)
