"""The compiled knowledge base: rules and advice with their conditions compiled, and
the immutable whole every part of crampcheck reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable

from crampcheck.knowledge.conditions import Condition, Truth
from crampcheck.knowledge.schema import (
    Advice,
    CarePathway,
    ConditionRef,
    DiaryMapping,
    EmergencySign,
    Finding,
    Lexicon,
    Policy,
    QuestionGroup,
    Rule,
    Source,
)
from crampcheck.knowledge.schema.learn import Leaflet


class KnowledgeError(ValueError):
    """The knowledge base is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class CompiledRule:
    """A triage rule with its conditions compiled."""

    spec: Rule
    when: Condition
    unless: Condition | None
    leaves: tuple[str, ...] = ()
    unless_leaves: tuple[str, ...] = ()
    leaf_mask: int = 0
    reads: int | None = None
    """Every finding the ``when`` and the ``unless`` read, as a bit set; None when they
    read the person's age or sex (see :func:`~.conditions.reads_of`)."""
    blank: tuple[Truth, Truth] = (None, None)
    """The rule's ``when`` and ``unless`` on a case that knows none of ``reads`` (the
    ``unless`` only where the ``when`` is not False): most rules on most checks."""
    blank_flips: int = 0
    """The findings a single "yes" to which would make the ``when`` True on such a case."""
    level_rank: int = 0
    """``spec.level.rank``, read on the engine's hot path."""
    leaf_count: int = 1
    """How many findings the ``when`` reads (at least 1): what a rule's progress is of."""

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class CompiledAdvice:
    """An advice item with its conditions compiled."""

    spec: Advice
    when: Condition | None
    unless: Condition | None
    cautions: tuple[tuple[Condition | None, int], ...]
    contraindications: tuple[Condition, ...] = ()
    """One compiled condition per ``spec.contraindications`` entry, in order."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything crampcheck knows, immutable, every reference resolved."""

    version: str
    sources: Mapping[str, Source]
    findings: Mapping[str, Finding]
    conditions: Mapping[str, ConditionRef]
    rules: tuple[CompiledRule, ...]
    """Rules for one check (the triage engine's)."""
    advice: tuple[CompiledAdvice, ...]
    groups: tuple[QuestionGroup, ...]
    policy: Policy
    lexicon: Lexicon
    diary_mapping: DiaryMapping
    leaflet: Leaflet
    """The Learn pages and the drawings of the stretches (``learn.yaml``)."""
    """What a diary episode's answers, and the diary's escalations, mean as findings."""
    emergency_signs: tuple[EmergencySign, ...] = ()
    """The one list of emergency signs (screen, home page, Learn pages, safety net)."""
    care_pathways: Mapping[str, CarePathway] = field(default_factory=dict)
    """Each country's places to get care, by id (US, UK)."""
    gathered: QuestionGroup | None = None
    """The screen the interview fills with findings of other screens, once no answer
    left could raise the answer more than one level (``gathers`` in questions.yaml)."""
    group_of: Mapping[str, QuestionGroup] = field(default_factory=dict)
    opens: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each option of the "which of these apply" screen, and the findings on the screens
    it opens (asked only when that option was not answered no)."""
    asked_when: Mapping[str, Condition] = field(default_factory=dict)
    """Screens asked only while their condition holds (by screen id): a screen that can
    matter only for some places or people (a testicle, for pain near the groin)."""
    alone_when: Mapping[str, Condition] = field(default_factory=dict)
    """Findings asked on their own only while their condition holds (by finding id): a
    temperature, once a fever is said."""
    derived: Mapping[str, Condition] = field(default_factory=dict)
    bit_of: Mapping[str, int] = field(default_factory=dict)
    """Each finding's bit in the engine's bit sets (knowledge-base order)."""

    condition_masks: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    """Per condition: bit sets of its key, supporting and against findings."""
    diary_rules: tuple[CompiledRule, ...] = ()
    """Rules that read an episode diary's patterns (escalation over time)."""
    finding_ids: tuple[str, ...] = ()
    """Finding ids in bit order: bit ``1 << i`` is ``finding_ids[i]``."""
    red_flags: frozenset[str] = frozenset()
    """Symptoms and signs that an urgent or emergency rule reads: warning signs that are
    never silently taken as absent, and never lower the urgency when reported."""
    red_flag_bits: int = 0
    """The same warning signs as a bit set over the finding index."""
    language: str = "en"
    """The language of the texts a person reads (the ids, rules and lexicon are the same
    in every language)."""
    root: Traversable | None = field(default=None, compare=False, repr=False)
    """The folder it was loaded from, where the translations are found."""
    translations: dict[str, KnowledgeBase] = field(default_factory=dict, compare=False, repr=False)
    """The same knowledge in other languages, loaded when first asked for."""
    temperature_unit: str = "°C"
    """The unit its temperatures are asked and shown in (see :mod:`.units`)."""
    unit_variants: dict[str, KnowledgeBase] = field(default_factory=dict, compare=False, repr=False)
    """The same knowledge with temperatures in each unit, made when first asked for."""

    def finding_of_bit(self, bit: int) -> str:
        """The finding whose (single) bit this is."""
        return self.finding_ids[bit.bit_length() - 1]

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id (KeyError when unknown)."""
        return self.findings[finding_id]

    def rule(self, rule_id: str) -> CompiledRule:
        """The rule with this id (KeyError when unknown)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def counts(self) -> dict[str, int]:
        """How many records of each kind the knowledge base holds."""
        cases = sum(
            len(r.spec.cases.fire) + len(r.spec.cases.not_fire)
            for r in self.rules + self.diary_rules
            if r.spec.cases is not None
        )
        return {
            "sources": len(self.sources),
            "findings": len(self.findings),
            "conditions": len(self.conditions),
            "rules": len(self.rules),
            "diary_rules": len(self.diary_rules),
            "advice": len(self.advice),
            "question_groups": len(self.groups),
            "cases": cases,
            "advice_cases": sum(
                len(a.spec.cases.offer) + len(a.spec.cases.withhold)
                for a in self.advice
                if a.spec.cases is not None
            ),
            "emergency_signs": len(self.emergency_signs),
        }
