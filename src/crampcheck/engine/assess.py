"""The triage engine: a case in, an explained, cited assessment out.

Pure: no I/O, no clock, no global state. The highest level among the rules that
fire wins; every conclusion carries the rules and sources behind it.
"""

from __future__ import annotations

from crampcheck.domain.assessment import (
    AdviceItem,
    Assessment,
    Cause,
    Evidence,
    OpenQuestion,
    Reason,
)
from crampcheck.domain.types import Case, FindingState, Kind, Urgency
from crampcheck.engine.rules import RuleState, candidates, evaluate_rules, with_implications
from crampcheck.knowledge.loader import CompiledRule, KnowledgeBase

MAX_CAUSES = 5
MAX_OPEN_QUESTIONS = 6


def assess(case: Case, kb: KnowledgeBase, emergency_number: str = "911") -> Assessment:
    """Triage one case against the knowledge base."""
    case = with_implications(case, kb)
    states = evaluate_rules(case, kb)
    fired = [state.rule for state in states if state.fired]
    recognised = sum(1 for s in case.findings.values() if s is FindingState.PRESENT)
    urgency, reasons = _urgency(fired, recognised, kb)
    kind, kind_reasons = _kind(case, fired, kb)
    return Assessment(
        urgency=urgency,
        action=_fill(kb.policy.level_actions[urgency], emergency_number),
        reasons=reasons,
        kind=kind,
        kind_reasons=kind_reasons,
        causes=_causes(case, fired, kb),
        advice=_advice(case, urgency, kind, kb, emergency_number),
        open_questions=_open_questions(case, urgency, kind, kb, states),
        recognised_findings=recognised,
        kb_version=kb.version,
        disclaimer=_fill(kb.policy.disclaimer, emergency_number),
    )


def _fill(text: str, emergency_number: str) -> str:
    return text.replace("{emergency_number}", emergency_number)


def _urgency(
    fired: list[CompiledRule], recognised: int, kb: KnowledgeBase
) -> tuple[Urgency, tuple[Reason, ...]]:
    policy = kb.policy
    reasons = tuple(
        Reason(r.id, r.spec.level, r.spec.reason, r.spec.sources, r.spec.kind)
        for r in sorted(fired, key=lambda r: r.spec.level.rank, reverse=True)
    )
    if reasons:
        return reasons[0].level, reasons
    if recognised == 0:
        fallback = Reason(
            "no-findings", policy.no_findings_level, policy.no_findings_reason, policy.sources
        )
        return policy.no_findings_level, (fallback,)
    default = Reason(
        "no-warning-signs", policy.default_level, policy.default_reason, policy.sources
    )
    return policy.default_level, (default,)


def _kind(case: Case, fired: list[CompiledRule], kb: KnowledgeBase) -> tuple[Kind, tuple[str, ...]]:
    kinded = [r for r in fired if r.spec.kind is not None]
    if kinded:
        top_level = max(r.spec.level.rank for r in kinded)
        top = [r for r in kinded if r.spec.level.rank == top_level]
        # Among equally urgent rules, a mimic ("other") outranks a true cramp or spasm:
        # it is the explanation that changes what the person must do.
        top.sort(key=lambda r: r.spec.kind is not Kind.OTHER)
        chosen = top[0].spec.kind
        assert chosen is not None
        return chosen, tuple(r.spec.reason for r in top if r.spec.kind is chosen)
    for signal in kb.policy.kind_signals:
        if case.state(signal.finding) is FindingState.PRESENT:
            return signal.kind, (signal.reason,)
    return kb.policy.default_kind, ()


def _causes(case: Case, fired: list[CompiledRule], kb: KnowledgeBase) -> tuple[Cause, ...]:
    flagged_rank: dict[str, int] = {}
    for rule in fired:
        for condition_id in rule.spec.suggests:
            flagged_rank[condition_id] = max(
                flagged_rank.get(condition_id, -1), rule.spec.level.rank
            )
    scored: list[tuple[tuple[int, int, int], Cause]] = []
    for order, condition in enumerate(kb.conditions.values()):
        key_present = [f for f in condition.key if case.state(f) is FindingState.PRESENT]
        flagged = condition.id in flagged_rank
        if not key_present and not flagged:
            continue
        supporting = key_present + [
            f for f in condition.supporting if case.state(f) is FindingState.PRESENT
        ]
        against = [f for f in condition.against if case.state(f) is FindingState.PRESENT] + [
            f for f in condition.key if case.state(f) is FindingState.ABSENT
        ]
        score = 3 * len(key_present) + len(supporting) - 2 * len(against)
        if score <= 0 and not flagged:
            continue
        cause = Cause(
            id=condition.id,
            name=condition.name,
            kind=condition.kind,
            summary=condition.summary,
            supporting=tuple(Evidence(f, kb.findings[f].label) for f in dict.fromkeys(supporting)),
            against=tuple(Evidence(f, kb.findings[f].label) for f in dict.fromkeys(against)),
            source_ids=condition.sources,
            flagged_by_rule=flagged,
            clinician=condition.clinician,
        )
        scored.append(((flagged_rank.get(condition.id, -1), score, -order), cause))
    scored.sort(key=lambda item: item[0], reverse=True)
    return tuple(cause for _, cause in scored[:MAX_CAUSES])


def _advice(
    case: Case, urgency: Urgency, kind: Kind, kb: KnowledgeBase, emergency_number: str
) -> tuple[AdviceItem, ...]:
    items: list[AdviceItem] = []
    for advice in kb.advice:
        spec = advice.spec
        if urgency not in spec.levels:
            continue
        if spec.kind in ("home", "professional") and kind not in spec.kinds:
            continue
        if advice.when is not None and advice.when.evaluate(case) is not True:
            continue
        if advice.unless is not None and advice.unless.evaluate(case) is True:
            continue
        cautions: list[str] = []
        omitted = False
        for condition, index in advice.cautions:
            caution = spec.cautions[index]
            holds = condition is None or condition.evaluate(case) is True
            if not holds:
                continue
            if caution.omit:
                omitted = True
                break
            cautions.append(_fill(caution.text, emergency_number))
        if omitted:
            continue
        evidence = spec.evidence
        sources = tuple(dict.fromkeys(spec.sources + (evidence.sources if evidence else ())))
        items.append(
            AdviceItem(
                id=spec.id,
                kind=spec.kind,
                title=_fill(spec.title, emergency_number),
                text=_fill(spec.text, emergency_number),
                steps=tuple(_fill(s, emergency_number) for s in spec.steps),
                cautions=tuple(cautions),
                evidence=evidence.summary if evidence else None,
                evidence_strength=evidence.strength if evidence else None,
                source_ids=sources,
            )
        )
    return tuple(items)


def _open_questions(
    case: Case, urgency: Urgency, kind: Kind, kb: KnowledgeBase, states: list[RuleState]
) -> tuple[OpenQuestion, ...]:
    questions: list[OpenQuestion] = []
    for candidate in candidates(
        case, kb, urgency, kind, unasked_only=False, states=states, limit=MAX_OPEN_QUESTIONS
    ):
        finding = kb.findings[candidate.finding_id]
        questions.append(
            OpenQuestion(
                finding_id=finding.id,
                question=finding.question,
                why=finding.why,
                could_raise_to=candidate.raise_to,
                could_change_kind_to=candidate.kind_to,
            )
        )
        if len(questions) >= MAX_OPEN_QUESTIONS:
            break
    return tuple(questions)
