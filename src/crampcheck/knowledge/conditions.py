"""Boolean conditions over a case, compiled from the knowledge base's YAML.

A rule's ``when`` is written in a small language:

- ``finding_id`` - the finding is present;
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``;
- ``{at_least: N, of: [...]}`` - N or more of the listed conditions hold;
- ``{value: finding_id, gte|gt|lte|lt: number}`` - a measured quantity;
- ``{age: {gte|gt|lte|lt: number}}``; ``{sex: female|male}``.

Evaluation is three-valued (Kleene logic): a condition is True, False or None
(unknown). An unknown finding therefore never silently counts as absent.

Three ways to evaluate: :meth:`evaluate` reads any :class:`Facts`; :meth:`bits` reads
the case as bit sets (one bit a finding) and also returns the findings a single "yes"
to which would make the condition True - the decisive next questions; and ``fast``,
the condition compiled once (when it is built) into a closure over the bit sets, which
is what the engine calls on its hot path (about 100 rules a check).

The truth values, the facts a condition reads and the :class:`Condition` protocol live in
:mod:`crampcheck.knowledge.condition_types`; the closures in
:mod:`crampcheck.knowledge.condition_closures`. Both are importable from here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from crampcheck.domain.types import FindingState, Sex
from crampcheck.knowledge.condition_closures import (
    all_truth,
    at_least_truth,
    facts_truth,
    negated_truth,
    present_truth,
)
from crampcheck.knowledge.condition_types import (
    ANY_BIT,
    COMPARATORS,
    Bits,
    Condition,
    Facts,
    Truth,
    TruthFunction,
)

__all__ = [
    "ANY_BIT",
    "COMPARATORS",
    "AgeCompare",
    "All",
    "AtLeast",
    "Bits",
    "Compound",
    "Condition",
    "FactCondition",
    "Facts",
    "Not",
    "Present",
    "SexIs",
    "Truth",
    "TruthFunction",
    "ValueCompare",
    "reads_of",
]


@dataclass(frozen=True, slots=True)
class Present:
    """The finding is present (True), absent (False) or unknown (None)."""

    finding: str
    bit: int = 0
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fast", present_truth(self.bit))

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
        return self.fast(case.present, case.absent, case.facts)

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


def _clause_mask(part: Condition) -> int | None:
    """The bit set of an ``any`` of plain findings (a clause: True when one of them is
    present, False when all are absent), or None for any other part."""
    if isinstance(part, AtLeast) and part.count == 1 and not part.rest:
        return part.mask
    return None


class Compound:
    """A condition over parts (``all``, ``any``, ``at_least``). The plain finding parts
    are gathered once into one bit ``mask``, so the bit-set evaluation tests them
    together and walks only the ``rest``; ``fast`` is compiled from them then."""

    __slots__ = ()
    parts: tuple[Condition, ...]
    mask: int
    rest: tuple[Condition, ...]
    fast: TruthFunction

    def __post_init__(self) -> None:
        mask, rest = _split(self.parts)
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "rest", rest)
        object.__setattr__(self, "fast", self._compile(mask, rest))

    def _compile(self, mask: int, rest: tuple[Condition, ...]) -> TruthFunction:
        raise NotImplementedError

    def truth(self, case: Bits) -> Truth:
        return self.fast(case.present, case.absent, case.facts)

    def findings(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.findings()


def _every(values: Iterable[Truth], known: Truth) -> Truth:
    """``known`` (what is known so far) and every value, in three-valued logic: False as
    soon as one is False (the rest are not asked), else unknown if any is unknown."""
    result = known
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


@dataclass(frozen=True, slots=True)
class All(Compound):
    """Every part holds: False as soon as one is False."""

    parts: tuple[Condition, ...]
    mask: int = field(default=0, compare=False)
    rest: tuple[Condition, ...] = field(default=(), compare=False)
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def _compile(self, mask: int, rest: tuple[Condition, ...]) -> TruthFunction:
        clauses = tuple(m for m in map(_clause_mask, rest) if m is not None)
        others = tuple(part.fast for part in rest if _clause_mask(part) is None)
        return all_truth(mask, clauses, others)

    def evaluate(self, case: Facts) -> Truth:
        return _every((part.evaluate(case) for part in self.parts), True)

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

    def describe(self) -> str:
        return "(" + " and ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class AtLeast(Compound):
    """At least ``count`` of the parts hold (``any`` is ``at_least: 1``)."""

    count: int
    parts: tuple[Condition, ...]
    mask: int = field(default=0, compare=False)
    rest: tuple[Condition, ...] = field(default=(), compare=False)
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def _compile(self, mask: int, rest: tuple[Condition, ...]) -> TruthFunction:
        return at_least_truth(self.count, mask, tuple(part.fast for part in rest))

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

    def describe(self) -> str:
        joined = ", ".join(p.describe() for p in self.parts)
        if self.count == 1:
            return "(" + " or ".join(p.describe() for p in self.parts) + ")"
        return f"at least {self.count} of ({joined})"


@dataclass(frozen=True, slots=True)
class Not:
    """The part does not hold; unknown stays unknown."""

    part: Condition
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fast", negated_truth(self.part.fast))

    def evaluate(self, case: Facts) -> Truth:
        value = self.part.evaluate(case)
        return None if value is None else not value

    def bits(self, case: Bits) -> tuple[Truth, int]:
        value, _ = self.part.bits(case)
        return (None if value is None else not value), 0

    def truth(self, case: Bits) -> Truth:
        return self.fast(case.present, case.absent, case.facts)

    def findings(self) -> Iterator[str]:
        yield from self.part.findings()

    def describe(self) -> str:
        return f"not {self.part.describe()}"


class FactCondition:
    """A condition read straight from the facts (a measured value, the age, the sex)
    rather than from finding bits: the bit-set evaluation reads the same facts, and no
    single "yes" to a finding can make it True, so it offers no decisive question."""

    __slots__ = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fast", facts_truth(self.evaluate))

    def evaluate(self, case: Facts) -> Truth:
        raise NotImplementedError

    def bits(self, case: Bits) -> tuple[Truth, int]:
        return self.evaluate(case.facts), 0

    def truth(self, case: Bits) -> Truth:
        return self.evaluate(case.facts)

    def findings(self) -> Iterator[str]:
        return iter(())


@dataclass(frozen=True, slots=True)
class ValueCompare(FactCondition):
    """A measured quantity compared with a threshold; unknown when not measured.

    A quantity that was asked and answered "absent" (for example, no fever at all)
    makes the comparison False.
    """

    finding: str
    comparator: str
    threshold: float
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def evaluate(self, case: Facts) -> Truth:
        value = case.value(self.finding)
        if value is None:
            return False if case.state(self.finding) is FindingState.ABSENT else None
        return COMPARATORS[self.comparator](value, self.threshold)

    def findings(self) -> Iterator[str]:
        yield self.finding

    def describe(self) -> str:
        return f"{self.finding} {self.comparator} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class AgeCompare(FactCondition):
    """The person's age compared with a threshold; unknown when age is not given."""

    comparator: str
    threshold: float
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def evaluate(self, case: Facts) -> Truth:
        if case.age is None:
            return None
        return COMPARATORS[self.comparator](case.age, self.threshold)

    def describe(self) -> str:
        return f"age {self.comparator} {self.threshold:g}"


@dataclass(frozen=True, slots=True)
class SexIs(FactCondition):
    """The person's reported sex; unknown when not given."""

    sex: Sex
    fast: TruthFunction = field(init=False, repr=False, compare=False)

    def evaluate(self, case: Facts) -> Truth:
        if case.sex is None:
            return None
        return case.sex is self.sex

    def describe(self) -> str:
        return f"sex {self.sex.value}"


def reads_of(condition: Condition, bit_of: Mapping[str, int]) -> int | None:
    """The bit set of every finding ``condition`` reads (its state or measured value),
    or None when it also reads the person's age or sex, or a finding with no bit.

    With nothing known about any of those findings, a condition that reads only them
    has one fixed value (and decisive set), whatever else the case holds: the engine
    takes it as computed once instead of evaluating the condition again."""
    if isinstance(condition, AgeCompare | SexIs):
        return None
    if isinstance(condition, All | AtLeast):
        mask = 0
        for part in condition.parts:
            found = reads_of(part, bit_of)
            if found is None:
                return None
            mask |= found
        return mask
    if isinstance(condition, Not):
        return reads_of(condition.part, bit_of)
    if isinstance(condition, Present | ValueCompare):
        return bit_of.get(condition.finding)
    return None
