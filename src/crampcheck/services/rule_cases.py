"""Run the cases shipped beside every rule and advice item, and check the knowledge
base's safety properties: each rule case must fire its rule or must not; each advice
case must be offered its item or have it withheld; every emergency sign must have an
emergency rule that fires on it alone."""

from __future__ import annotations

from dataclasses import dataclass

from crampcheck.domain.types import Case, FindingState, Sex, Urgency
from crampcheck.engine.assess import assess
from crampcheck.engine.rules import fires, with_implications
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import RuleCase
from crampcheck.services.pipeline import Pipeline


@dataclass(frozen=True)
class CaseOutcome:
    """One rule case and whether it behaved as its rule says."""

    rule_id: str
    expectation: str
    index: int
    passed: bool
    fired: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class RuleAudit:
    """Rules missing a source or a case, every case outcome, emergency signs that no
    emergency rule makes an emergency on their own, and advice items that could harm
    someone without declaring who must not be offered them."""

    missing_sources: tuple[str, ...]
    missing_cases: tuple[str, ...]
    outcomes: tuple[CaseOutcome, ...]
    unexplained_signs: tuple[str, ...] = ()
    advice_without_cases: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[CaseOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    @property
    def ok(self) -> bool:
        return not (
            self.missing_sources
            or self.missing_cases
            or self.failures
            or self.unexplained_signs
            or self.advice_without_cases
        )


def _fired(pipeline: Pipeline, case: RuleCase) -> tuple[str, ...]:
    built = with_implications(_built(pipeline, case), pipeline.kb)
    kb = pipeline.kb
    return tuple(rule.id for rule in kb.rules + kb.diary_rules if fires(rule, built))


def _built(pipeline: Pipeline, case: RuleCase) -> Case:
    sex = Sex(case.sex) if case.sex else None
    answers = {k: FindingState(v) for k, v in case.findings.items()}
    if case.text is not None:
        return pipeline.check_text(case.text, case.age, sex, answers, case.values).case
    return Case(age=case.age, sex=sex, findings=answers, values=case.values)


def _offered(pipeline: Pipeline, case: RuleCase) -> set[str]:
    return {item.id for item in assess(_built(pipeline, case), pipeline.kb).advice}


def unexplained_emergency_signs(kb: KnowledgeBase) -> tuple[str, ...]:
    """Emergency signs for which no emergency rule fires on the sign alone with nothing
    able to block it (no ``unless``): each must have a rule that explains it."""
    missing = []
    for sign in kb.emergency_signs:
        alone = with_implications(Case(findings={sign.finding: FindingState.PRESENT}), kb)
        if not any(
            rule.spec.level is Urgency.EMERGENCY and rule.unless is None and fires(rule, alone)
            for rule in kb.rules
        ):
            missing.append(sign.finding)
    return tuple(missing)


def audit_advice(pipeline: Pipeline) -> tuple[tuple[str, ...], tuple[CaseOutcome, ...]]:
    """Advice items with contraindications but no cases, and every advice case's outcome:
    an ``offer`` case must be offered the item, a ``withhold`` case must not be."""
    missing: list[str] = []
    outcomes: list[CaseOutcome] = []
    for advice in pipeline.kb.advice:
        spec = advice.spec
        if spec.contraindications and (
            spec.cases is None or not spec.cases.offer or not spec.cases.withhold
        ):
            missing.append(spec.id)
        if spec.cases is None:
            continue
        for expectation, cases in (("offer", spec.cases.offer), ("withhold", spec.cases.withhold)):
            for index, case in enumerate(cases):
                offered = _offered(pipeline, case)
                passed = (spec.id in offered) == (expectation == "offer")
                description = case.text or ", ".join(f"{k}={v}" for k, v in case.findings.items())
                outcomes.append(
                    CaseOutcome(
                        spec.id, expectation, index, passed, tuple(sorted(offered)), description
                    )
                )
    return tuple(missing), tuple(outcomes)


def audit_rules(pipeline: Pipeline) -> RuleAudit:
    """Check every rule has sources and cases, run the rules' and advice items' cases,
    and check every emergency sign has a rule that makes it an emergency on its own."""
    missing_sources: list[str] = []
    missing_cases: list[str] = []
    outcomes: list[CaseOutcome] = []
    for rule in pipeline.kb.rules + pipeline.kb.diary_rules:
        spec = rule.spec
        if not spec.sources:
            missing_sources.append(spec.id)
        if spec.cases is None or not spec.cases.fire or not spec.cases.not_fire:
            missing_cases.append(spec.id)
            continue
        for expectation, cases in (("fire", spec.cases.fire), ("not_fire", spec.cases.not_fire)):
            for index, case in enumerate(cases):
                fired = _fired(pipeline, case)
                passed = (spec.id in fired) == (expectation == "fire")
                description = case.text or ", ".join(f"{k}={v}" for k, v in case.findings.items())
                outcomes.append(
                    CaseOutcome(spec.id, expectation, index, passed, fired, description)
                )
    advice_without_cases, advice_outcomes = audit_advice(pipeline)
    return RuleAudit(
        tuple(missing_sources),
        tuple(missing_cases),
        tuple(outcomes) + advice_outcomes,
        unexplained_emergency_signs(pipeline.kb),
        advice_without_cases,
    )
