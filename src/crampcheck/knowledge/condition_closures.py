"""The knowledge base's conditions compiled into closures over bit sets.

The engine evaluates about 100 rules a check, each on every step of the interview, so
each condition is compiled once, when it is built, into a function of the case's bit
sets of present and absent findings (see :data:`TruthFunction`). Each closure gives the
same three-valued answer as the condition's own :meth:`evaluate`: an unknown finding
keeps the answer unknown, never counts as absent, so a danger sign not yet asked about
never rules an emergency out.
"""

from __future__ import annotations

from collections.abc import Callable

from crampcheck.knowledge.condition_types import Facts, Truth, TruthFunction


def present_truth(bit: int) -> TruthFunction:
    """One finding: True when present, False when absent, else unknown."""

    def present(present: int, absent: int, facts: Facts) -> Truth:
        if present & bit:
            return True
        if absent & bit:
            return False
        return None

    return present


def all_truth(
    mask: int, clauses: tuple[int, ...], others: tuple[TruthFunction, ...]
) -> TruthFunction:
    """Every part holds: False when a plain finding of ``mask`` is absent or a part is
    False; else unknown while a plain finding or a part is unknown. ``clauses`` are the
    parts that are an ``any`` of plain findings (the usual shape: "a site, and one of
    these feelings"), tested as bit sets without a call each; ``others`` the other parts."""

    def all_of(present: int, absent: int, facts: Facts) -> Truth:
        if absent & mask:
            return False
        result: Truth = None if mask & ~present else True
        for clause in clauses:
            if not present & clause:
                if not clause & ~absent:
                    return False
                result = None
        for other in others:
            value = other(present, absent, facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    return all_of


def at_least_truth(count: int, mask: int, others: tuple[TruthFunction, ...]) -> TruthFunction:
    """At least ``count`` of the plain findings of ``mask`` and the ``others`` hold.
    ``any`` (the common case, ``count`` 1) is True at the first present finding or True
    part, and unknown while anything is unknown; ``at_least: N`` counts."""
    if count == 1:

        def any_of(present: int, absent: int, facts: Facts) -> Truth:
            if present & mask:
                return True
            undecided = bool(mask & ~absent)
            for other in others:
                value = other(present, absent, facts)
                if value is True:
                    return True
                if value is None:
                    undecided = True
            return None if undecided else False

        return any_of

    def at_least(present: int, absent: int, facts: Facts) -> Truth:
        true = (present & mask).bit_count()
        unknown = (mask & ~present & ~absent).bit_count()
        for other in others:
            value = other(present, absent, facts)
            if value is True:
                true += 1
            elif value is None:
                unknown += 1
        if true >= count:
            return True
        return False if true + unknown < count else None

    return at_least


def negated_truth(inner: TruthFunction) -> TruthFunction:
    """The part does not hold; unknown stays unknown."""

    def negated(present: int, absent: int, facts: Facts) -> Truth:
        value = inner(present, absent, facts)
        return None if value is None else not value

    return negated


def facts_truth(evaluate: Callable[[Facts], Truth]) -> TruthFunction:
    """A condition read from the facts alone (a measured value, the age, the sex): the
    bit sets tell it nothing."""

    def from_facts(present: int, absent: int, facts: Facts) -> Truth:
        return evaluate(facts)

    return from_facts
