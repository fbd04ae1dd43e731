"""Run the cases shipped beside every rule and advice item, and check the knowledge
base's safety properties: each rule case must fire its rule or must not; each advice
case must be offered its item or have it withheld; every emergency sign must have an
emergency rule that fires on it alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crampcheck.domain.i18n import LANGUAGES
from crampcheck.domain.types import Case, FindingState, Sex, Urgency
from crampcheck.engine.rules import fires, with_implications
from crampcheck.knowledge.loader import KnowledgeBase, translation_coverage
from crampcheck.knowledge.reader_language import READER_LANGUAGES, missing_phrasings
from crampcheck.knowledge.schema import RuleCase
from crampcheck.knowledge.translations import Coverage
from crampcheck.services.pipeline import CheckResult, Pipeline


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
    signs_without_lay_words: tuple[str, ...] = ()
    """Emergency signs with no lay phrasing: a person in danger says them in their own
    words, so each must have some (this fails the check)."""
    without_lay_words: tuple[str, ...] = ()
    """Other symptoms and signs with no lay phrasing yet (reported, not failed)."""
    translations: tuple[Coverage, ...] = ()
    """How much of the knowledge base each other language has (reported, not failed,
    until the translations are complete; a broken translation fails to load)."""
    unread_in: tuple[tuple[str, str, str], ...] = ()
    """(language, importance, finding) for each finding read in English that the
    reader of another language has no phrase for, most important first: an emergency
    sign or a finding an emergency rule reads fails the check; the others are
    reported."""

    @property
    def unread_emergencies(self) -> tuple[tuple[str, str, str], ...]:
        """The findings of :attr:`unread_in` that fail the check."""
        return tuple(u for u in self.unread_in if u[1] != "other")

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
            or self.signs_without_lay_words
            or self.unread_emergencies
            or any(found.missing for found in self.translations)
        )


def _checked(pipeline: Pipeline, case: RuleCase) -> CheckResult:
    """The case checked as the product would: its text read (answers added), or its
    findings assessed as given."""
    sex = Sex(case.sex) if case.sex else None
    answers = {k: FindingState(v) for k, v in case.findings.items()}
    if case.text is not None:
        return pipeline.check_text(case.text, case.age, sex, answers, case.values)
    return pipeline.check_case(Case(age=case.age, sex=sex, findings=answers, values=case.values))


def _fired(pipeline: Pipeline, case: RuleCase) -> tuple[str, ...]:
    built = with_implications(_checked(pipeline, case).case, pipeline.kb)
    kb = pipeline.kb
    return tuple(rule.id for rule in kb.rules + kb.diary_rules if fires(rule, built))


def _offered(pipeline: Pipeline, case: RuleCase) -> tuple[str, ...]:
    return tuple(sorted(item.id for item in _checked(pipeline, case).assessment.advice))


def _outcomes(
    item_id: str,
    groups: tuple[tuple[str, tuple[RuleCase, ...]], ...],
    found: Callable[[RuleCase], tuple[str, ...]],
) -> list[CaseOutcome]:
    """Each case of each group (the first group's must find the item, the second's must
    not), with what was found for it."""
    outcomes = []
    for position, (expectation, cases) in enumerate(groups):
        for index, case in enumerate(cases):
            ids = found(case)
            passed = (item_id in ids) == (position == 0)
            description = case.text or ", ".join(f"{k}={v}" for k, v in case.findings.items())
            outcomes.append(CaseOutcome(item_id, expectation, index, passed, ids, description))
    return outcomes


def findings_without_lay_words(kb: KnowledgeBase) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Emergency signs, then other symptoms and signs, that the reader knows only in
    their lexicon's words: no ``lay`` phrasing and no ``nearby`` word pairs."""
    signs = {sign.finding for sign in kb.emergency_signs}
    bare = [
        f.id
        for f in kb.findings.values()
        if (f.id in signs or f.category in ("symptom", "sign"))
        and f.measure is None  # read from numbers, not words
        and not (f.lay or f.nearby)
    ]
    return tuple(i for i in bare if i in signs), tuple(i for i in bare if i not in signs)


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
        if spec.cases is not None:
            outcomes += _outcomes(
                spec.id,
                (("offer", spec.cases.offer), ("withhold", spec.cases.withhold)),
                lambda case: _offered(pipeline, case),
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
        outcomes += _outcomes(
            spec.id,
            (("fire", spec.cases.fire), ("not_fire", spec.cases.not_fire)),
            lambda case: _fired(pipeline, case),
        )
    advice_without_cases, advice_outcomes = audit_advice(pipeline)
    return RuleAudit(
        tuple(missing_sources),
        tuple(missing_cases),
        tuple(outcomes) + advice_outcomes,
        unexplained_emergency_signs(pipeline.kb),
        advice_without_cases,
        *findings_without_lay_words(pipeline.kb),
        tuple(
            translation_coverage(pipeline.english_kb, language)
            for language in LANGUAGES
            if language != pipeline.english_kb.language
        ),
        tuple(
            (language, importance, finding_id)
            for language in READER_LANGUAGES
            for importance, finding_id in missing_phrasings(pipeline.english_kb, language)
        ),
    )
