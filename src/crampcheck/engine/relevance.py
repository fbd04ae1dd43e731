"""Which unasked findings could still change the answer for this person.

The rules' own candidates (:func:`crampcheck.engine.rules.candidates`: an undecided rule
that would raise the urgency or change the kind, or a fired rule its ``unless`` could
cancel), and the policy's: with no rule deciding, a description of the episode lowers
"we cannot tell" to self-care, a warning sign no rule explains raises self-care to a
doctor, and the first of the policy's kind signals present decides the kind.
"""

from __future__ import annotations

from crampcheck.domain.assessment import Assessment
from crampcheck.domain.types import Case, FindingState, Kind
from crampcheck.engine.assess import NO_FINDINGS_REASON, NO_WARNING_SIGNS_REASON, POLICY_REASONS
from crampcheck.engine.rules import candidates, evaluate_rules, is_unasked
from crampcheck.knowledge.loader import KnowledgeBase


def could_change(case: Case, kb: KnowledgeBase, assessment: Assessment) -> list[str]:
    """Unasked findings whose "yes" could change the urgency or the kind, most useful
    first: with nothing yet said about what it is like, that first (it settles the kind
    and whether self-care can do); then the rules' candidates in their order; then the
    policy's. ``case`` holds its implications already
    (:func:`~crampcheck.engine.rules.with_implications`)."""
    policy = kb.policy
    decided_by = assessment.reasons[0].rule_id if assessment.reasons else None
    first: list[str] = []
    extra: list[str] = []
    if decided_by == NO_FINDINGS_REASON:
        # Saying what the episode is like is what lets the answer come down to self-care.
        first.extend(policy.describes_episode)
    elif decided_by == NO_WARNING_SIGNS_REASON:
        # Any warning sign, even one no rule explains, takes self-care up to a doctor.
        extra.extend(f for f in kb.findings if f in kb.red_flags)
    if decided_by in POLICY_REASONS:
        # No rule decides: any rule that could still fire would decide instead, even
        # one of a lower level (a hypnic jerk is self-care, not "we cannot tell").
        extra.extend(
            f
            for state in evaluate_rules(case, kb)
            if state.when is None and state.unless is not True
            for f in state.rule.leaves
        )
    if not _kinded(assessment):
        # The first kind signal present decides the kind: an earlier one still unasked
        # could change it.
        for signal in policy.kind_signals:
            if case.state(signal.finding) is FindingState.PRESENT:
                break
            if signal.kind is not assessment.kind:
                extra.append(signal.finding)
    found = [c.finding_id for c in candidates(case, kb, assessment.urgency, assessment.kind)]
    ordered = dict.fromkeys(f for f in (*first, *found, *extra) if is_unasked(case, f))
    return list(ordered)


def _kinded(assessment: Assessment) -> bool:
    """A fired rule settles the kind whatever signal is present: the top level's kinded
    rules agree, or one of them names a mimic (which outranks any signal)."""
    kinded = [r for r in assessment.reasons if r.kind is not None]
    if not kinded:
        return False
    top = max(r.level.rank for r in kinded)
    kinds = {r.kind for r in kinded if r.level.rank == top}
    return len(kinds) == 1 or Kind.OTHER in kinds
