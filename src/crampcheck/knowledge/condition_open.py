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

from collections.abc import Mapping

from crampcheck.knowledge.condition_types import Bits, Condition
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
