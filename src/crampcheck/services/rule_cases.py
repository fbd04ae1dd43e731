"""Run the cases shipped beside every rule: each must fire its rule, or must not."""

from __future__ import annotations

from dataclasses import dataclass

from crampcheck.domain.types import FindingState, Sex
from crampcheck.engine.rules import fires, with_implications
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
    """Rules missing a source or a case, and every case outcome."""

    missing_sources: tuple[str, ...]
    missing_cases: tuple[str, ...]
    outcomes: tuple[CaseOutcome, ...]

    @property
    def failures(self) -> tuple[CaseOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)

    @property
    def ok(self) -> bool:
        return not (self.missing_sources or self.missing_cases or self.failures)


def _fired(pipeline: Pipeline, case: RuleCase) -> tuple[str, ...]:
    sex = Sex(case.sex) if case.sex else None
    answers = {k: FindingState(v) for k, v in case.findings.items()}
    if case.text is not None:
        built = pipeline.check_text(case.text, case.age, sex, answers, case.values).case
    else:
        from crampcheck.domain.types import Case

        built = Case(age=case.age, sex=sex, findings=answers, values=case.values)
    built = with_implications(built, pipeline.kb)
    kb = pipeline.kb
    return tuple(rule.id for rule in kb.rules + kb.diary_rules if fires(rule, built))


def audit_rules(pipeline: Pipeline) -> RuleAudit:
    """Check every rule has sources and cases, and run the cases."""
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
    return RuleAudit(tuple(missing_sources), tuple(missing_cases), tuple(outcomes))
