"""Which unknown findings can still change a condition's value.

A condition still undecided (three-valued ``None``) does not depend on every unknown
finding it reads: a part already decided keeps its value whatever its unknown findings
turn out to be (Kleene logic only ever moves from unknown to known). In "a leg, and a
fever" with the calf present, the thigh no longer matters: the "a leg" part already
holds, and only the fever can decide the rule. The interview asks only about these open
findings, so a person who named their calf is not asked whether it is also in the thigh
because of a rule the calf already satisfies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crampcheck.knowledge.condition_types import Bits, Condition, Facts, Truth
from crampcheck.knowledge.conditions import (
    AgeCompare,
    All,
    AtLeast,
    Not,
    Present,
    SexIs,
    ValueCompare,
)


def open_bits(condition: Condition, case: Bits, bit_of: Mapping[str, int]) -> int:
    """The bit set of the unknown findings whose answer could still change
    ``condition`` 's value on ``case``: none when it is decided; else, of every part
    still undecided, its own open findings (a plain finding unknown, a measured value
    not yet given). The person's age and sex are not findings, so they add none."""
    if condition.truth(case) is not None:
        return 0
    if isinstance(condition, Present):
        return condition.bit
    if isinstance(condition, ValueCompare):
        return bit_of.get(condition.finding, 0)
    if isinstance(condition, AgeCompare | SexIs):
        return 0
    if isinstance(condition, Not):
        return open_bits(condition.part, case, bit_of)
    if isinstance(condition, All | AtLeast):
        found = condition.mask & ~case.present & ~case.absent
        for part in condition.rest:
            found |= open_bits(part, case, bit_of)
        return found
    # A kind of condition this module does not know: every finding it reads stays open.
    found = 0
    for finding_id in condition.findings():
        found |= bit_of.get(finding_id, 0)
    return found


OpenFunction = Callable[[int, int, Facts], tuple[Truth, int]]
"""A condition compiled for :func:`open_bits`: ``opened(present, absent, facts)`` is its
value and its open findings (``open_bits``), in one walk of its parts."""

_TRUE: tuple[Truth, int] = (True, 0)
_FALSE: tuple[Truth, int] = (False, 0)


def compile_open(condition: Condition, bit_of: Mapping[str, int]) -> OpenFunction:
    """``condition`` compiled once into a closure giving its value and its
    :func:`open_bits` together: each part is evaluated once, where ``open_bits`` asks
    every undecided part its value again (as many times as it is deep)."""
    if isinstance(condition, Present):
        return _open_present(condition.bit)
    if isinstance(condition, ValueCompare | AgeCompare | SexIs):
        bit = bit_of.get(condition.finding, 0) if isinstance(condition, ValueCompare) else 0
        return _open_facts(condition.evaluate, bit)
    if isinstance(condition, Not):
        return _open_not(compile_open(condition.part, bit_of))
    if isinstance(condition, All):
        return _open_all(condition.mask, tuple(compile_open(p, bit_of) for p in condition.rest))
    if isinstance(condition, AtLeast):
        parts = tuple(compile_open(p, bit_of) for p in condition.rest)
        if condition.count == 1:
            return _open_any(condition.mask, parts)
        return _open_at_least(condition.count, condition.mask, parts)
    return _open_other(condition, bit_of)


def _open_present(bit: int) -> OpenFunction:
    unknown: tuple[Truth, int] = (None, bit)

    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        if present & bit:
            return _TRUE
        if absent & bit:
            return _FALSE
        return unknown

    return opened


def _open_facts(evaluate: Callable[[Facts], Truth], bit: int) -> OpenFunction:
    unknown: tuple[Truth, int] = (None, bit)

    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        value = evaluate(facts)
        if value is None:
            return unknown
        return _TRUE if value else _FALSE

    return opened


def _open_not(inner: OpenFunction) -> OpenFunction:
    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        value, found = inner(present, absent, facts)
        if value is None:
            return None, found
        return _FALSE if value else _TRUE

    return opened


def _open_all(mask: int, parts: tuple[OpenFunction, ...]) -> OpenFunction:
    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        if absent & mask:
            return _FALSE
        found = mask & ~present
        undecided = bool(found)
        for part in parts:
            value, part_found = part(present, absent, facts)
            if value is False:
                return _FALSE
            if value is None:
                undecided = True
                found |= part_found
        return (None, found) if undecided else _TRUE

    return opened


def _open_any(mask: int, parts: tuple[OpenFunction, ...]) -> OpenFunction:
    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        if present & mask:
            return _TRUE
        found = mask & ~absent
        undecided = bool(found)
        for part in parts:
            value, part_found = part(present, absent, facts)
            if value is True:
                return _TRUE
            if value is None:
                undecided = True
                found |= part_found
        return (None, found) if undecided else _FALSE

    return opened


def _open_at_least(count: int, mask: int, parts: tuple[OpenFunction, ...]) -> OpenFunction:
    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        true = (present & mask).bit_count()
        found = mask & ~present & ~absent
        unknown = found.bit_count()
        for part in parts:
            value, part_found = part(present, absent, facts)
            if value is True:
                true += 1
            elif value is None:
                unknown += 1
                found |= part_found
        if true >= count:
            return _TRUE
        if true + unknown < count:
            return _FALSE
        return None, found

    return opened


def _open_other(condition: Condition, bit_of: Mapping[str, int]) -> OpenFunction:
    def opened(present: int, absent: int, facts: Facts) -> tuple[Truth, int]:
        case = Bits(present, absent, facts)
        value = condition.truth(case)
        return value, (open_bits(condition, case, bit_of) if value is None else 0)

    return opened
