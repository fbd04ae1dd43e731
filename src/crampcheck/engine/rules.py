"""Which rules fire, and which unknown findings could still change the answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from crampcheck.domain.types import Case, FindingState, Kind, Urgency
from crampcheck.knowledge.condition_open import OpenFunction, compile_open
from crampcheck.knowledge.conditions import Bits, Truth, TruthFunction
from crampcheck.knowledge.loader import CompiledRule, KnowledgeBase


def with_implications(case: Case, kb: KnowledgeBase) -> Case:
    """Add findings implied by present ones (a loop diuretic is a diuretic ...).

    Findings with a ``present_when`` condition (a temperature of 38 °C or more is a
    fever) are added first, so their own implications follow.
    """
    added: dict[str, FindingState] = {
        finding_id: FindingState.PRESENT
        for finding_id, condition in kb.derived.items()
        if case.findings.get(finding_id) is not FindingState.PRESENT
        and condition.evaluate(case) is True
    }
    present = [f for f, s in case.findings.items() if s is FindingState.PRESENT] + list(added)
    stack = list(present)
    while stack:
        finding_id = stack.pop()
        finding = kb.findings.get(finding_id)
        if finding is None:
            continue
        for implied in finding.implies:
            if case.findings.get(implied) is not FindingState.PRESENT and implied not in added:
                added[implied] = FindingState.PRESENT
                stack.append(implied)
    if not added:
        return case
    return replace(case, findings={**case.findings, **added})


def to_bits(case: Case, kb: KnowledgeBase) -> tuple[Bits, int]:
    """The case as bit sets (present, absent), and the bit set of every finding asked."""
    present = absent = asked = 0
    bit_of = kb.bit_of
    for finding_id, state in case.findings.items():
        bit = bit_of.get(finding_id, 0)
        asked |= bit
        if state is FindingState.PRESENT:
            present |= bit
        elif state is FindingState.ABSENT:
            absent |= bit
    for finding_id in case.values:
        asked |= bit_of.get(finding_id, 0)
    return Bits(present, absent, case), asked


class RuleState(NamedTuple):
    """A rule's conditions evaluated once on a case (three-valued)."""

    rule: CompiledRule
    when: Truth
    unless: Truth

    @property
    def fired(self) -> bool:
        """The condition holds and nothing known blocks it."""
        return self.when is True and self.unless is not True


class _RulePlan(NamedTuple):
    """What evaluating one rule needs, gathered once per knowledge base."""

    rule: CompiledRule
    reads: int | None
    blank: RuleState
    when: TruthFunction
    unless: TruthFunction | None
    when_open: OpenFunction
    """The ``when`` with its open findings (:func:`~.condition_open.open_bits`)."""
    unless_open: OpenFunction | None


_Levels = tuple[tuple[int, tuple[int, ...]], ...]
"""Each level's rank with the positions of its rules, highest level first."""

_plans: dict[int, tuple[tuple[CompiledRule, ...], tuple[_RulePlan, ...], _Levels]] = {}
"""Each knowledge base's rule plans, by the identity of its rules (kept with them, so
that the identity cannot be reused while the entry lives)."""


def _plans_of(kb: KnowledgeBase) -> tuple[_RulePlan, ...]:
    return _planned(kb)[1]


def _levels_of(kb: KnowledgeBase) -> _Levels:
    return _planned(kb)[2]


def _planned(
    kb: KnowledgeBase,
) -> tuple[tuple[CompiledRule, ...], tuple[_RulePlan, ...], _Levels]:
    found = _plans.get(id(kb.rules))
    if found is None or found[0] is not kb.rules:
        plans = tuple(
            _RulePlan(
                rule,
                rule.reads,
                RuleState(rule, *rule.blank),
                rule.when.fast,
                None if rule.unless is None else rule.unless.fast,
                compile_open(rule.when, kb.bit_of),
                None if rule.unless is None else compile_open(rule.unless, kb.bit_of),
            )
            for rule in kb.rules
        )
        ranks = sorted({rule.level_rank for rule in kb.rules}, reverse=True)
        levels = tuple(
            (rank, tuple(i for i, rule in enumerate(kb.rules) if rule.level_rank == rank))
            for rank in ranks
        )
        found = (kb.rules, plans, levels)
        _plans[id(kb.rules)] = found
    return found


def evaluate_rules(case: Case, kb: KnowledgeBase, bits: Bits | None = None) -> list[RuleState]:
    """Every rule's ``when`` and ``unless`` evaluated on the case, in knowledge-base order.

    A rule that reads none of the findings the case knows (most of them: a description
    names a handful of ~200 findings) takes the state computed once for it
    (:attr:`~crampcheck.knowledge.compiled.CompiledRule.blank`); the others run their
    compiled conditions."""
    return evaluate_and_fire(case, kb, bits)[0]


_new_state = tuple.__new__
"""Makes a :class:`RuleState` without the Python-level ``__new__`` a named tuple has
(the engine makes some 70 a check)."""


def evaluate_and_fire(
    case: Case, kb: KnowledgeBase, bits: Bits | None = None
) -> tuple[list[RuleState], list[CompiledRule]]:
    """:func:`evaluate_rules`, and the rules that fire, in knowledge-base order."""
    if bits is None:
        bits, _ = to_bits(case, kb)
    present, absent, facts = bits.present, bits.absent, bits.facts
    known = present | absent | _measured(case, kb)
    states: list[RuleState] = []
    fired: list[CompiledRule] = []
    append = states.append
    for rule, reads, blank, when_true, unless_true, _, _ in _plans_of(kb):
        if reads is not None and not known & reads:
            append(blank)
            if blank.when is True and blank.unless is not True:
                fired.append(rule)
            continue
        when = when_true(present, absent, facts)
        # "unless" only matters for a rule that holds or still could.
        if unless_true is None or when is False:
            unless = None
        else:
            unless = unless_true(present, absent, facts)
        append(_new_state(RuleState, (rule, when, unless)))
        if when is True and unless is not True:
            fired.append(rule)
    return states, fired


def _measured(case: Case, kb: KnowledgeBase) -> int:
    """The bit set of the findings the case has a measured value for."""
    bit_of = kb.bit_of
    measured = 0
    for finding_id in case.values:
        measured |= bit_of.get(finding_id, 0)
    return measured


def decisive_flips(state: RuleState, bits: Bits, known: int) -> int:
    """The unknown findings a single "yes" to which would make the rule's ``when`` True
    (computed once for a rule that reads nothing the case knows)."""
    rule = state.rule
    if rule.reads is not None and not known & rule.reads:
        return rule.blank_flips
    return rule.when.bits(bits)[1]


def fires(rule: CompiledRule, case: Case) -> bool:
    """True when the rule's condition holds and nothing known blocks it."""
    if rule.when.evaluate(case) is not True:
        return False
    return rule.unless is None or rule.unless.evaluate(case) is not True


def fired_rules(case: Case, kb: KnowledgeBase) -> list[CompiledRule]:
    """Every rule that fires on this case, in knowledge-base order."""
    return [state.rule for state in evaluate_rules(case, kb) if state.fired]


class Candidate(NamedTuple):
    """An unasked finding and the most it could change if answered yes."""

    finding_id: str
    raise_to: Urgency | None
    kind_to: Kind | None
    priority: tuple[int, bool, float, int]


def is_unasked(case: Case, finding_id: str) -> bool:
    """Nothing was said about the finding (not even "don't know")."""
    return finding_id not in case.findings and case.value(finding_id) is None


def candidates(
    case: Case,
    kb: KnowledgeBase,
    level: Urgency,
    kind: Kind,
    unasked_only: bool = True,
    states: list[RuleState] | None = None,
    limit: int | None = None,
    case_bits: tuple[Bits, int] | None = None,
) -> list[Candidate]:
    """Unknown findings whose answer could raise the urgency above ``level`` or change ``kind``.

    A rule whose condition is still undecided (three-valued ``None``) and whose level
    is higher - or which would set a different kind at the same or higher level -
    makes each of its unknown findings a candidate. Priority: the highest level it
    could reach, then whether a "yes" alone would fire the rule, then how much of the
    rule already holds, then knowledge-base order. A fired rule that sets the current
    level but could be cancelled by its ``unless`` makes that finding a candidate too.
    With ``limit``, levels below the one that fills the limit are not examined.
    """
    bits, asked = case_bits if case_bits is not None else to_bits(case, kb)
    measured = _measured(case, kb)
    present, absent, facts = bits.present, bits.absent, bits.facts
    known = present | absent | (asked if unasked_only else measured)
    read = present | absent | measured
    level_rank = level.rank
    if states is None:
        states = evaluate_rules(case, kb, bits)
    plans = _plans_of(kb)
    # The rules' groups, highest first: each level above the case's raises it; then the
    # rules of the case's own level that would change the kind (ranked 0). A group is
    # gathered only when the ones above it have not filled the limit.
    groups = [(rank, orders, True) for rank, orders in _levels_of(kb) if rank > level_rank]
    groups += [(0, orders, False) for rank, orders in _levels_of(kb) if rank == level_rank]
    result: list[Candidate] = []
    taken = 0
    for rank, orders, raises in groups:
        # Within a level: decisive findings first, then rules that already hold most,
        # then knowledge-base order. Visiting rules in that order and giving each finding
        # to the first rule that reaches it yields the ranking without comparing pairs.
        members: list[tuple[float, int, RuleState, bool, bool]] = []
        for order in orders:
            state = states[order]
            rule = state.rule
            if state.when is not None or state.unless is True or not rule.leaf_mask & ~known:
                continue  # decided (a fired rule is asked of below), or nothing to ask
            kind_to = rule.spec.kind
            changes_kind = kind_to is not None and kind_to is not kind
            if raises or changes_kind:
                progress = (present & rule.leaf_mask).bit_count() / rule.leaf_count
                members.append((progress, order, state, raises, changes_kind))
        group = sorted(members, key=lambda item: (-item[0], item[1]))
        # Only the findings that can still decide a rule: one in a part that already
        # holds (or already fails) cannot change it. Found when first needed.
        open_masks: dict[int, int] = {}
        for decisive_pass in (True, False):
            for progress, order, state, raises, changes_kind in group:
                open_mask = open_masks.get(order)
                if open_mask is None:
                    rule = state.rule
                    open_mask = (
                        rule.leaf_mask
                        if rule.reads is not None and not read & rule.reads
                        else plans[order].when_open(present, absent, facts)[1]
                    )
                    open_masks[order] = open_mask
                to_ask = open_mask & ~known & ~taken
                if decisive_pass and to_ask:
                    # Only the findings a single "yes" to which would fire the rule.
                    to_ask &= decisive_flips(state, bits, read)
                spec = state.rule.spec
                while to_ask:
                    bit = to_ask & -to_ask
                    to_ask ^= bit
                    taken |= bit
                    result.append(
                        Candidate(
                            kb.finding_of_bit(bit),
                            spec.level if raises else None,
                            spec.kind if changes_kind else None,
                            (rank, decisive_pass, progress, -order),
                        )
                    )
                    if limit is not None and len(result) >= limit:
                        return result
    seen = {c.finding_id for c in result}
    for order, state in enumerate(states):
        # A fired rule that sets the current level but could still be cancelled by its
        # "unless": answering could lower the urgency, so it is worth asking.
        unless_open = plans[order].unless_open
        if (
            state.when is not True
            or state.unless is not None
            or unless_open is None
            or state.rule.spec.level is not level
        ):
            continue
        open_mask = unless_open(present, absent, facts)[1]
        result.extend(
            Candidate(f, None, None, (0, False, 0.0, -order))
            for f in _unknown(state.rule.unless_leaves, case, unasked_only)
            if kb.bit_of.get(f, 0) & open_mask and f not in seen
        )
    return result if limit is None else result[:limit]


def _unknown(leaves: Iterable[str], case: Case, unasked_only: bool) -> Iterable[str]:
    for finding_id in leaves:
        if unasked_only:
            if is_unasked(case, finding_id):
                yield finding_id
        elif case.state(finding_id) is FindingState.UNKNOWN and case.value(finding_id) is None:
            yield finding_id
