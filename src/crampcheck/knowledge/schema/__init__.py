"""The shape of every knowledge-base file, as strict, immutable pydantic models.

Unknown keys are rejected (``extra="forbid"``) so a typo in a YAML file is an
error with the file and key named, never a silently ignored field.
"""

from crampcheck.knowledge.schema.base import Code, Source, Strict
from crampcheck.knowledge.schema.diary import (
    DiaryEpisodeMapping,
    DiaryMapping,
    DiaryRequestMapping,
    NotHelped,
    PatternThreshold,
    Threshold,
)
from crampcheck.knowledge.schema.findings import ConditionRef, Finding, Measure, WordPair
from crampcheck.knowledge.schema.lexicon import ContextRuleSpec, Lexicon, UnitSpec
from crampcheck.knowledge.schema.rules import (
    MAX_SCREEN_OPTIONS,
    Advice,
    AdviceCases,
    CarePathway,
    Caution,
    Contraindication,
    EmergencySign,
    Evidence,
    KindSignal,
    KindWords,
    LevelHeading,
    Policy,
    QuestionGroup,
    QuestionScreen,
    QuestionTopic,
    Rule,
    RuleCase,
    RuleCases,
)

__all__ = [
    "MAX_SCREEN_OPTIONS",
    "Advice",
    "AdviceCases",
    "CarePathway",
    "Caution",
    "Code",
    "ConditionRef",
    "ContextRuleSpec",
    "Contraindication",
    "DiaryEpisodeMapping",
    "DiaryMapping",
    "DiaryRequestMapping",
    "EmergencySign",
    "Evidence",
    "Finding",
    "KindSignal",
    "KindWords",
    "LevelHeading",
    "Lexicon",
    "Measure",
    "NotHelped",
    "PatternThreshold",
    "Policy",
    "QuestionGroup",
    "QuestionScreen",
    "QuestionTopic",
    "Rule",
    "RuleCase",
    "RuleCases",
    "Source",
    "Strict",
    "Threshold",
    "UnitSpec",
    "WordPair",
]
