"""The triage engine: a case in, an explained, cited assessment out.

Pure: no I/O, no clock, no global state. The highest level among the rules that
fire wins; every conclusion carries the rules and sources behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from crampcheck.domain.assessment import (
    AdviceItem,
    Assessment,
    Cause,
    Evidence,
    OpenQuestion,
    Reason,
    WithheldAdvice,
)
from crampcheck.domain.types import Case, FindingState, Kind, Urgency
from crampcheck.engine.rules import (
    RuleState,
    candidates,
    evaluate_and_fire,
    to_bits,
    with_implications,
)
from crampcheck.knowledge.conditions import Bits
from crampcheck.knowledge.loader import CompiledAdvice, CompiledRule, KnowledgeBase
from crampcheck.knowledge.schema import Advice

MAX_CAUSES = 5
MAX_OPEN_QUESTIONS = 6
EMERGENCY_SIGN_REASON = "emergency-sign"
"""The id of the reason given when a sign of the emergency list is present."""
UNEXPLAINED_WARNING_SIGN_REASON = "unexplained-warning-sign"
NO_FINDINGS_REASON = "no-findings"
NO_WARNING_SIGNS_REASON = "no-warning-signs"
POLICY_REASONS = (UNEXPLAINED_WARNING_SIGN_REASON, NO_FINDINGS_REASON, NO_WARNING_SIGNS_REASON)
"""The ids of the reasons the policy gives when no rule fires."""


DEFAULT_CARE_PATHWAY = "US"


def assess(
    case: Case,
    kb: KnowledgeBase,
    emergency_number: str = "911",
    care_pathway: str = DEFAULT_CARE_PATHWAY,
) -> Assessment:
    """Triage one case against the knowledge base; texts name the places to get care of
    ``care_pathway`` (a country of ``care_pathways.yaml``) and ``emergency_number``."""
    terms = care_terms(kb, emergency_number, care_pathway)
    case = with_implications(case, kb)
    case_bits = to_bits(case, kb)
    bits = case_bits[0]
    states, fired = evaluate_and_fire(case, kb, bits)
    recognised = sum(1 for s in case.findings.values() if s is FindingState.PRESENT)
    urgency, reasons = _urgency(fired, case, kb, bits)
    kind, kind_reasons = _kind(case, fired, kb)
    advice, withheld = _advice(bits, urgency, kind, kb, terms)
    return Assessment(
        urgency=urgency,
        action=_fill(kb.policy.level_actions[urgency], terms),
        reasons=tuple(
            replace(r, text=_fill(r.text, terms)) if "{" in r.text else r for r in reasons
        ),
        kind=kind,
        kind_reasons=tuple(_fill(k, terms) for k in kind_reasons),
        causes=tuple(
            replace(c, clinician=_fill(c.clinician, terms))
            if c.clinician and "{" in c.clinician
            else c
            for c in _causes(bits, fired, kb)
        ),
        advice=advice,
        withheld=withheld,
        # In an emergency nothing should invite the person to keep answering questions.
        open_questions=()
        if urgency is Urgency.EMERGENCY
        else _open_questions(case, urgency, kind, kb, states, case_bits),
        recognised_findings=recognised,
        kb_version=kb.version,
        disclaimer=_fill(kb.policy.disclaimer, terms),
    )


def care_terms(kb: KnowledgeBase, emergency_number: str, care_pathway: str) -> dict[str, str]:
    """The words filled into the knowledge base's texts: the emergency number and the
    places to get care in the clinic's country."""
    pathway = kb.care_pathways.get(care_pathway)
    terms: dict[str, str] = {str(k): v for k, v in pathway.terms.items()} if pathway else {}
    return {**terms, "emergency_number": emergency_number}


def _fill(text: str, terms: dict[str, str]) -> str:
    if "{" not in text:
        return text  # most texts name no place to get care
    for key, value in terms.items():
        text = text.replace("{" + key + "}", value)
    return text


def _urgency(
    fired: list[CompiledRule], case: Case, kb: KnowledgeBase, bits: Bits
) -> tuple[Urgency, tuple[Reason, ...]]:
    policy = kb.policy
    reasons = [
        Reason(r.id, r.spec.level, r.spec.reason, r.spec.sources, r.spec.kind)
        for r in sorted(fired, key=lambda r: r.spec.level.rank, reverse=True)
    ]
    signs = [s for s in kb.emergency_signs if case.state(s.finding) is FindingState.PRESENT]
    if signs and not (reasons and reasons[0].level is Urgency.EMERGENCY):
        # The fail-safe: a sign on the emergency list is an emergency whatever else was
        # said, even where the rule that explains it is blocked.
        text = policy.emergency_sign_reason.replace(
            "{signs}", "; ".join(s.label[:1].lower() + s.label[1:] for s in signs)
        )
        sources = tuple(dict.fromkeys(src for s in signs for src in s.sources))
        reasons.insert(0, Reason(EMERGENCY_SIGN_REASON, Urgency.EMERGENCY, text, sources))
    flags = _findings_of(bits.present & kb.red_flag_bits, kb)  # in knowledge-base order
    if reasons and reasons[0].level is Urgency.SELF_CARE:
        # A self-care answer is for an episode without warning signs: a warning sign that
        # none of the self-care rules names still needs a doctor's look.
        named = {f for r in fired for f in r.leaves}
        flags = [f for f in flags if f not in named]
    elif reasons:
        return reasons[0].level, tuple(reasons)
    if flags:
        text = policy.unexplained_warning_sign_reason.replace(
            "{findings}", ", ".join(kb.findings[f].label for f in flags)
        )
        flagged = Reason(
            UNEXPLAINED_WARNING_SIGN_REASON,
            policy.unexplained_warning_sign_level,
            text,
            policy.sources,
        )
        return policy.unexplained_warning_sign_level, (flagged, *reasons)
    if reasons:
        return reasons[0].level, tuple(reasons)
    described = any(case.state(f) is FindingState.PRESENT for f in policy.describes_episode)
    if not described:
        fallback = Reason(
            NO_FINDINGS_REASON, policy.no_findings_level, policy.no_findings_reason, policy.sources
        )
        return policy.no_findings_level, (fallback,)
    default = Reason(
        NO_WARNING_SIGNS_REASON, policy.default_level, policy.default_reason, policy.sources
    )
    return policy.default_level, (default,)


def _findings_of(mask: int, kb: KnowledgeBase) -> list[str]:
    """The findings of a bit set, in bit (knowledge-base) order."""
    found: list[str] = []
    while mask:
        bit = mask & -mask
        mask ^= bit
        found.append(kb.finding_of_bit(bit))
    return found


def _kind(case: Case, fired: list[CompiledRule], kb: KnowledgeBase) -> tuple[Kind, tuple[str, ...]]:
    kinded = [r for r in fired if r.spec.kind is not None]
    signal = next(
        (s for s in kb.policy.kind_signals if case.state(s.finding) is FindingState.PRESENT), None
    )
    if kinded:
        top_level = max(r.spec.level.rank for r in kinded)
        top = [r for r in kinded if r.spec.level.rank == top_level]
        kinds = {r.spec.kind for r in top}
        if Kind.OTHER in kinds:
            # A mimic outranks a true cramp or spasm: it changes what the person must do.
            chosen: Kind | None = Kind.OTHER
        elif len(kinds) > 1 and signal is not None and signal.kind in kinds:
            # Equally urgent rules disagree: the person's own words decide.
            chosen = signal.kind
        else:
            chosen = top[0].spec.kind
        assert chosen is not None
        return chosen, tuple(r.spec.reason for r in top if r.spec.kind is chosen)
    if signal is not None:
        return signal.kind, (signal.reason,)
    return kb.policy.default_kind, ()


def _causes(bits: Bits, fired: list[CompiledRule], kb: KnowledgeBase) -> tuple[Cause, ...]:
    """Conditions worth naming, ranked: those a fired rule points to, then by evidence."""
    flagged_rank: dict[str, int] = {}
    for rule in fired:
        for condition_id in rule.spec.suggests:
            flagged_rank[condition_id] = max(
                flagged_rank.get(condition_id, -1), rule.spec.level.rank
            )
    present, absent = bits.present, bits.absent
    scored: list[tuple[tuple[int, int, int], str, int, int]] = []
    for order, (condition_id, (key, supporting, against)) in enumerate(kb.condition_masks.items()):
        key_present = key & present
        flagged = condition_id in flagged_rank
        if not key_present and not flagged:
            continue
        for_mask = key_present | (supporting & present)
        against_mask = (against & present) | (key & absent)
        score = 3 * key_present.bit_count() + for_mask.bit_count() - 2 * against_mask.bit_count()
        if score <= 0 and not flagged:
            continue
        scored.append(
            (
                (flagged_rank.get(condition_id, -1), score, -order),
                condition_id,
                for_mask,
                against_mask,
            )
        )
    scored.sort(key=lambda item: item[0], reverse=True)
    made = _made_causes(kb)
    causes: list[Cause] = []
    for _, cid, for_mask, against_mask in scored[:MAX_CAUSES]:
        evidence = (cid, for_mask, against_mask, cid in flagged_rank)
        cause = made.get(evidence)
        if cause is None:
            cause = _cause(kb, *evidence)
            if len(made) < _MADE_CAUSES_KEPT:
                made[evidence] = cause
        causes.append(cause)
    return tuple(causes)


_MADE_CAUSES_KEPT = 10_000
"""Causes kept made (one per condition, evidence for and against, and whether a rule
pointed to it)."""

_causes_made: dict[int, tuple[Mapping[str, Any], dict[tuple[str, int, int, bool], Cause]]] = {}
"""Each knowledge base's causes as named for a person, by the identity of its
conditions (kept with them, so that the identity cannot be reused while the entry lives)."""


def _made_causes(kb: KnowledgeBase) -> dict[tuple[str, int, int, bool], Cause]:
    """The causes already made from ``kb``'s conditions: a cause is immutable and the
    same for everyone with the same evidence, so it is made once."""
    found = _causes_made.get(id(kb.conditions))
    if found is None or found[0] is not kb.conditions:
        found = (kb.conditions, {})
        _causes_made[id(kb.conditions)] = found
    return found[1]


def _cause(
    kb: KnowledgeBase, condition_id: str, for_mask: int, against_mask: int, flagged: bool
) -> Cause:
    condition = kb.conditions[condition_id]
    ordered = list(dict.fromkeys(condition.key + condition.supporting + condition.against))

    def evidence(mask: int) -> tuple[Evidence, ...]:
        return tuple(Evidence(f, kb.findings[f].label) for f in ordered if kb.bit_of[f] & mask)

    return Cause(
        id=condition.id,
        name=condition.name,
        kind=condition.kind,
        summary=condition.summary,
        supporting=evidence(for_mask),
        against=evidence(against_mask),
        source_ids=condition.sources,
        flagged_by_rule=flagged,
        clinician=condition.clinician,
    )


def _advice(
    bits: Bits, urgency: Urgency, kind: Kind, kb: KnowledgeBase, terms: dict[str, str]
) -> tuple[tuple[AdviceItem, ...], tuple[WithheldAdvice, ...]]:
    """The advice that fits the case, and the advice withheld because it could harm.

    An item whose contraindication holds is never offered. The person is told why when
    the item would otherwise have been offered, or when they already use it (then also
    to stop); withheld items sharing one reason are named together."""
    items: list[AdviceItem] = []
    withheld: dict[tuple[str, str | None], list[tuple[Advice, str | None, tuple[str, ...]]]] = {}
    present, absent, facts = bits.present, bits.absent, bits.facts
    made = _made_items(kb)
    terms_key = tuple(terms.items())
    for position, advice in enumerate(kb.advice):
        spec = advice.spec
        offered = _applies(advice, bits, urgency, kind)
        taking = spec.taken_as is not None and kb.bit_of[spec.taken_as] & present != 0
        if not offered and not taking:
            continue
        hit = next(
            (
                spec.contraindications[i]
                for i, condition in enumerate(advice.contraindications)
                if condition.fast(present, absent, facts) is True
            ),
            None,
        )
        if hit is not None:
            key = (
                _fill(hit.because, terms),
                _fill_optional(hit.instead, terms),
            )
            stop = _fill_optional(spec.stop, terms) if taking else None
            withheld.setdefault(key, []).append((spec, stop, hit.sources))
            continue
        if not offered:
            continue
        holding: list[int] = []
        omitted = False
        for condition, index in advice.cautions:
            if condition is not None and condition.fast(present, absent, facts) is not True:
                continue
            if spec.cautions[index].omit:
                omitted = True
                break
            holding.append(index)
        if omitted:
            continue
        made_key = (position, terms_key, tuple(holding))
        item = made.get(made_key)
        if item is None:
            item = _advice_item(spec, holding, terms)
            if len(made) < _MADE_ITEMS_KEPT:
                made[made_key] = item
        items.append(item)
    notices = tuple(
        WithheldAdvice(
            advice_ids=tuple(spec.id for spec, _, _ in group),
            titles=tuple(_fill(spec.title, terms) for spec, _, _ in group),
            because=because,
            instead=instead,
            stop=next((stop for _, stop, _ in group if stop), None),
            source_ids=tuple(dict.fromkeys(src for _, _, sources in group for src in sources)),
        )
        for (because, instead), group in withheld.items()
    )
    return tuple(items), notices


_MADE_ITEMS_KEPT = 10_000
"""Advice items kept made (one per item, clinic's terms and set of cautions that hold)."""

_made: dict[int, tuple[tuple[CompiledAdvice, ...], dict[Any, AdviceItem]]] = {}
"""Each knowledge base's advice items as made for a person, by the identity of its
advice (kept with it, so that the identity cannot be reused while the entry lives)."""


def _made_items(kb: KnowledgeBase) -> dict[Any, AdviceItem]:
    """The advice items already made from ``kb``'s advice: an item is immutable and the
    same for every person its cautions hold for alike, so it is made once."""
    found = _made.get(id(kb.advice))
    if found is None or found[0] is not kb.advice:
        found = (kb.advice, {})
        _made[id(kb.advice)] = found
    return found[1]


def _advice_item(spec: Advice, cautions: list[int], terms: dict[str, str]) -> AdviceItem:
    """An advice item as offered: its texts with the clinic's terms filled in, with the
    cautions (by index) that hold for the person."""
    evidence = spec.evidence
    return AdviceItem(
        id=spec.id,
        kind=spec.kind,
        title=_fill(spec.title, terms),
        text=_fill(spec.text, terms),
        steps=tuple(_fill(s, terms) for s in spec.steps),
        cautions=tuple(_fill(spec.cautions[i].text, terms) for i in cautions),
        evidence=evidence.summary if evidence else None,
        evidence_strength=evidence.strength if evidence else None,
        source_ids=tuple(dict.fromkeys(spec.sources + (evidence.sources if evidence else ()))),
    )


def _applies(advice: CompiledAdvice, bits: Bits, urgency: Urgency, kind: Kind) -> bool:
    """The item fits this level, kind and case (before any contraindication)."""
    spec = advice.spec
    if urgency not in spec.levels:
        return False
    if spec.kind in ("home", "professional") and kind not in spec.kinds:
        return False
    present, absent, facts = bits.present, bits.absent, bits.facts
    if advice.when is not None and advice.when.fast(present, absent, facts) is not True:
        return False
    return advice.unless is None or advice.unless.fast(present, absent, facts) is not True


def _fill_optional(text: str | None, terms: dict[str, str]) -> str | None:
    return None if text is None else _fill(text, terms)


def _open_questions(
    case: Case,
    urgency: Urgency,
    kind: Kind,
    kb: KnowledgeBase,
    states: list[RuleState],
    case_bits: tuple[Bits, int],
) -> tuple[OpenQuestion, ...]:
    questions: list[OpenQuestion] = []
    made = _made_questions(kb)
    for candidate in candidates(
        case,
        kb,
        urgency,
        kind,
        unasked_only=False,
        states=states,
        limit=MAX_OPEN_QUESTIONS,
        case_bits=case_bits,
    ):
        key = (candidate.finding_id, candidate.raise_to, candidate.kind_to)
        question = made.get(key)
        if question is None:
            finding = kb.findings[candidate.finding_id]
            question = OpenQuestion(
                finding_id=finding.id,
                question=finding.question,
                why=finding.why,
                could_raise_to=candidate.raise_to,
                could_change_kind_to=candidate.kind_to,
            )
            made[key] = question
        questions.append(question)
        if len(questions) >= MAX_OPEN_QUESTIONS:
            break
    return tuple(questions)


_questions_made: dict[
    int, tuple[Mapping[str, Any], dict[tuple[str, Urgency | None, Kind | None], OpenQuestion]]
] = {}
"""Each knowledge base's open questions as put to a person, by the identity of its
findings (kept with them, so that the identity cannot be reused while the entry lives)."""


def _made_questions(
    kb: KnowledgeBase,
) -> dict[tuple[str, Urgency | None, Kind | None], OpenQuestion]:
    """The open questions already made from ``kb``'s findings: a question is immutable
    and the same for everyone it could raise or change alike (at most one per finding,
    level and kind), so it is made once."""
    found = _questions_made.get(id(kb.findings))
    if found is None or found[0] is not kb.findings:
        found = (kb.findings, {})
        _questions_made[id(kb.findings)] = found
    return found[1]
