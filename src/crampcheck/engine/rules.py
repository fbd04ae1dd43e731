"""Which rules fire, and which unknown findings could still change the answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from crampcheck.domain.types import Case, FindingState, Kind, Urgency
from crampcheck.knowledge.conditions import Truth
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


@dataclass(frozen=True)
class RuleState:
    """A rule's conditions evaluated once on a case (three-valued)."""

    rule: CompiledRule
    when: Truth
    unless: Truth

    @property
    def fired(self) -> bool:
        """The condition holds and nothing known blocks it."""
        return self.when is True and self.unless is not True


def evaluate_rules(case: Case, kb: KnowledgeBase) -> list[RuleState]:
    """Every rule's ``when`` and ``unless`` evaluated on the case, in knowledge-base order."""
    return [
        RuleState(
            rule,
            rule.when.evaluate(case),
            None if rule.unless is None else rule.unless.evaluate(case),
        )
        for rule in kb.rules
    ]


def fires(rule: CompiledRule, case: Case) -> bool:
    """True when the rule's condition holds and nothing known blocks it."""
    if rule.when.evaluate(case) is not True:
        return False
    return rule.unless is None or rule.unless.evaluate(case) is not True


def fired_rules(case: Case, kb: KnowledgeBase) -> list[CompiledRule]:
    """Every rule that fires on this case, in knowledge-base order."""
    return [state.rule for state in evaluate_rules(case, kb) if state.fired]


@dataclass(frozen=True)
class Candidate:
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
) -> list[Candidate]:
    """Unknown findings whose answer could raise the urgency above ``level`` or change ``kind``.

    A rule whose condition is still undecided (three-valued ``None``) and whose level
    is higher - or which would set a different kind at the same or higher level -
    makes each of its unknown findings a candidate. Priority: the highest level it
    could reach, then whether a "yes" alone would fire the rule, then how much of the
    rule already holds, then knowledge-base order. A fired rule that sets the current
    level but could be cancelled by its ``unless`` makes that finding a candidate too.
    """
    best: dict[str, Candidate] = {}
    for order, state in enumerate(states if states is not None else evaluate_rules(case, kb)):
        rule = state.rule
        spec = rule.spec
        if state.when is True:
            # A fired rule that sets the current level but could still be cancelled by
            # its "unless": answering could lower the urgency, so it is worth asking.
            if state.unless is None and rule.unless is not None and spec.level is level:
                for finding_id in _unknown(rule.unless_leaves, case, unasked_only):
                    best.setdefault(
                        finding_id, Candidate(finding_id, None, None, (0, False, 0.0, -order))
                    )
            continue
        if state.when is False or state.unless is True:
            continue
        raises = spec.level > level
        changes_kind = spec.kind is not None and spec.kind is not kind and spec.level >= level
        if not (raises or changes_kind):
            continue
        leaves = rule.leaves
        known_true = sum(1 for f in leaves if case.state(f) is FindingState.PRESENT)
        progress = known_true / len(leaves) if leaves else 0.0
        rank = spec.level.rank if raises else 0
        # Decisive: a "yes" to this finding alone would make the rule fire.
        _, decisive = rule.when.flips(case)
        for finding_id in _unknown(leaves, case, unasked_only):
            current = best.get(finding_id)
            if current is not None and current.priority[0] > rank:
                continue
            candidate = Candidate(
                finding_id,
                spec.level if raises else None,
                spec.kind if changes_kind else None,
                (rank, finding_id in decisive, progress, -order),
            )
            if current is None or candidate.priority > current.priority:
                best[finding_id] = candidate
    return sorted(best.values(), key=lambda c: c.priority, reverse=True)


def _unknown(leaves: Iterable[str], case: Case, unasked_only: bool) -> Iterable[str]:
    for finding_id in leaves:
        if unasked_only:
            if is_unasked(case, finding_id):
                yield finding_id
        elif case.state(finding_id) is FindingState.UNKNOWN and case.value(finding_id) is None:
            yield finding_id
