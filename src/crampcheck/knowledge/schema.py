"""The shape of every knowledge-base file, as strict, immutable pydantic models.

Unknown keys are rejected (``extra="forbid"``) so a typo in a YAML file is an
error with the file and key named, never a silently ignored field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crampcheck.domain.types import Kind, Urgency


class Strict(BaseModel):
    """Base for knowledge models: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A public page a statement rests on."""

    id: str
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    accessed: str = Field(description="date the page was read, ISO 8601")
    note: str | None = None


class Code(Strict):
    """A classification code a source gives for a finding or condition."""

    system: Literal["ICD-10-CM", "ICD-10"]
    code: str
    display: str


class Finding(Strict):
    """Something the engine reasons over: a symptom, sign, context or history item.

    ``lexicon`` holds the words people use for it; the reader matches them. A
    phrase token ending in ``*`` matches any word starting with it. ``measure``
    names the quantity (``duration``, ``temperature``, ``score``, ``gestation``)
    for numeric findings, which the reader fills from numbers in the text.
    """

    id: str
    label: str
    category: Literal[
        "symptom", "sign", "context", "history", "medicine", "site", "feature", "diary"
    ]
    question: str
    why: str
    answer: Literal["boolean", "number"] = "boolean"
    unit: str | None = None
    measure: Measure | None = None
    lexicon: tuple[str, ...] = ()
    lay: tuple[str, ...] = Field(
        default=(),
        description="how people say it in their own words: what they can no longer do, "
        "what an onlooker saw, slang, US and UK usage ('can't hold my coffee cup')",
    )
    nearby: tuple[WordPair, ...] = Field(
        default=(),
        description="two groups of words that, close together in either order, say it "
        "('pee' ... 'coke' for dark urine)",
    )
    denials: tuple[str, ...] = Field(
        default=(),
        description='phrases that say the finding is absent ("urine is a normal colour")',
    )
    codes: tuple[Code, ...] = ()
    implies: tuple[str, ...] = Field(
        default=(), description="findings that are present whenever this one is"
    )
    present_when: Any = Field(
        default=None,
        description="a condition (usually on a measured value) that makes this finding present",
    )
    sources: tuple[str, ...] = ()


class WordPair(Strict):
    """A finding said in two parts with other words between them: one word of
    ``words`` and one of ``with_words`` at most ``within`` words apart, in either
    order ("my pee this morning was the colour of flat Coke"). Single words only;
    a word ending in ``*`` matches any word starting with it."""

    words: tuple[str, ...] = Field(min_length=1)
    with_words: tuple[str, ...] = Field(min_length=1, alias="with")
    within: int = Field(default=4, ge=0, le=8)

    @field_validator("words", "with_words")
    @classmethod
    def _single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        spaced = [w for w in value if not w or " " in w.strip()]
        if spaced:
            raise ValueError(f"single words only: {spaced}")
        return tuple(w.strip().lower() for w in value)


class Measure(Strict):
    """How the reader maps a number in the text to this finding."""

    dimension: Literal["duration", "temperature", "score", "gestation"]
    min: float | None = None
    max: float | None = None
    scale: float = Field(
        default=1.0, description="base units (minutes, °C, points, weeks) per unit of this finding"
    )
    not_followed_by: tuple[str, ...] = ()
    followed_by: tuple[str, ...] = ()
    cues: tuple[str, ...] = Field(
        default=(), description="words that, a few tokens before a bare number, name it"
    )
    bare_followed_by: tuple[str, ...] = Field(
        default=(), description="words that, right after a number with no unit, name it"
    )


class ConditionRef(Strict):
    """A condition crampcheck can name as a possible cause, with its evidence."""

    id: str
    name: str
    kind: Kind
    summary: str
    key: tuple[str, ...] = Field(description="findings that make it worth naming")
    supporting: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    clinician: str | None = None
    codes: tuple[Code, ...] = ()
    sources: tuple[str, ...]


class RuleCase(Strict):
    """A case shipped beside a rule: free text, structured findings, or both."""

    text: str | None = None
    age: int | None = None
    sex: Literal["female", "male"] | None = None
    findings: dict[str, Literal["present", "absent", "unknown"]] = Field(default_factory=dict)
    values: dict[str, float] = Field(default_factory=dict)


class RuleCases(Strict):
    """Cases that must fire a rule and similar cases that must not."""

    fire: tuple[RuleCase, ...]
    not_fire: tuple[RuleCase, ...]


class Rule(Strict):
    """Which findings, together, set which urgency (and, optionally, kind).

    ``applies_to: diary`` rules read an episode diary's patterns (episodes a week, the
    trend, relief from home care) rather than one check.
    """

    id: str
    applies_to: Literal["check", "diary"] = "check"
    level: Urgency
    kind: Kind | None = None
    reason: str
    action: str | None = None
    when: Any
    unless: Any = None
    suggests: tuple[str, ...] = ()
    sources: tuple[str, ...]
    cases: RuleCases | None = None


class Contraindication(Strict):
    """Who must not be offered an advice item: a condition on what the person said (a
    finding, a medicine, their age or a pregnancy), why, and the safer course instead.

    When it holds, the item is withheld and the person is told ``because`` and
    ``instead``, so that nobody is left wondering why an ordinary step is missing."""

    when: Any
    because: str = Field(description="why the item is not for this person, in plain words")
    instead: str | None = Field(default=None, description="the safer course to take instead")
    sources: tuple[str, ...]


class AdviceCases(Strict):
    """Cases beside an advice item: some it must be offered to, some it must be withheld
    from (run by ``kb check``)."""

    offer: tuple[RuleCase, ...]
    withhold: tuple[RuleCase, ...]


class Caution(Strict):
    """A warning attached to an advice item, shown when its condition holds."""

    text: str
    when: Any = None
    omit: bool = Field(default=False, description="drop the advice item when this holds")
    sources: tuple[str, ...] = ()


class Evidence(Strict):
    """How strong the published evidence is for an advice item."""

    strength: Literal["good", "moderate", "mixed", "weak", "against", "consensus"]
    summary: str
    sources: tuple[str, ...]


class Advice(Strict):
    """Something a person can do, or a clinician may consider, with its sources."""

    id: str
    kind: Literal["home", "professional", "safety_net", "first_aid", "avoid"]
    title: str
    text: str
    steps: tuple[str, ...] = ()
    when: Any = None
    unless: Any = None
    levels: tuple[Urgency, ...] = Field(
        default=(Urgency.SELF_CARE, Urgency.DOCTOR, Urgency.URGENT),
        description="urgency levels at which the item is offered",
    )
    kinds: tuple[Kind, ...] = (Kind.CRAMP, Kind.SPASM)
    cautions: tuple[Caution, ...] = ()
    steps_from: Literal["emergency_signs"] | None = Field(
        default=None, description="take the steps from a list held elsewhere (with its sources)"
    )
    contraindications: tuple[Contraindication, ...] = ()
    taken_as: str | None = Field(
        default=None,
        description="the finding that says the person already uses what the item offers "
        "(a painkiller, a medicine): when a contraindication holds, they are told to stop",
    )
    stop: str | None = Field(
        default=None, description="what to say to a person who already uses it and must not"
    )
    evidence: Evidence | None = None
    sources: tuple[str, ...]
    cases: AdviceCases | None = None

    @model_validator(mode="after")
    def _stop_needs_taken_as(self) -> Advice:
        if (self.stop is None) != (self.taken_as is None):
            raise ValueError("stop and taken_as go together")
        return self


class CarePathway(Strict):
    """A country's places to get care, named in its own words (911 and the ER, or 999
    and A&E), filled into the knowledge base's texts for the clinic's country."""

    id: str
    name: str
    emergency_number: str
    terms: dict[
        Literal["emergency_department", "same_day_care", "primary_care", "poison_control"], str
    ]
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _every_term(self) -> CarePathway:
        missing = {"emergency_department", "same_day_care", "primary_care", "poison_control"}
        missing -= set(self.terms)
        if missing:
            raise ValueError(f"terms lacks {', '.join(sorted(missing))}")
        return self


class EmergencySign(Strict):
    """A sign that means "call the emergency number now", alone or with anything else.

    The one list of them drives the emergency screen, the home page, the Learn pages and
    the emergency safety net; every sign must have an emergency rule it fires alone."""

    finding: str
    label: str = Field(description="the sign as a person reads it on the screen and lists")
    sources: tuple[str, ...]


class QuestionGroup(Strict):
    """Several findings asked as one question (tick all that apply, or pick one)."""

    id: str
    text: str
    why: str
    select: Literal["many", "one"] = "many"
    members: tuple[str, ...] = ()
    members_from: Literal["emergency_signs"] | None = Field(
        default=None, description="take the members from a list held elsewhere"
    )
    screen: bool = Field(default=False, description="asked before anything else")


class Policy(Strict):
    """Engine settings that are clinical choices, kept with the knowledge."""

    default_level: Urgency
    default_reason: str
    no_findings_level: Urgency
    no_findings_reason: str
    emergency_sign_reason: str = Field(
        description="why the answer is an emergency when a sign of the emergency list is "
        "present ({signs} is filled in); the fail-safe behind every emergency rule"
    )
    unexplained_warning_sign_level: Urgency = Field(
        description="the answer when a warning sign that is not an emergency sign is "
        "present but no rule explains it"
    )
    unexplained_warning_sign_reason: str
    not_red_flags: tuple[str, ...] = Field(
        default=(), description="symptoms urgent rules read that are not warning signs alone"
    )
    describes_episode: tuple[str, ...] = Field(
        description="findings that say what the episode is; without one, and with no rule "
        "firing, the answer is no_findings_level rather than self-care"
    )
    default_kind: Kind
    kind_signals: tuple[KindSignal, ...]
    level_actions: dict[Urgency, str]
    level_names: dict[Urgency, str] = Field(description="each level's name for the clinic")
    clinic_timeframes: dict[Urgency, str] = Field(
        description="how soon the clinic should act on a request at each level"
    )
    disclaimer: str
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _warning_signs_never_self_care(self) -> Policy:
        if self.unexplained_warning_sign_level is Urgency.SELF_CARE:
            raise ValueError("unexplained_warning_sign_level cannot be self_care")
        return self

    @model_validator(mode="after")
    def _every_level_named(self) -> Policy:
        for field in ("level_names", "clinic_timeframes"):
            missing = sorted(set(Urgency) - set(getattr(self, field)))
            if missing:
                raise ValueError(f"{field} lacks {', '.join(missing)}")
        return self

    def level_label(self, urgency: str, separator: str = " — ") -> str:
        """A level as the clinic reads it: "Urgent — contact within 24 hours" (an
        unknown level as it is stored)."""
        try:
            level = Urgency(urgency)
        except ValueError:
            return urgency
        return f"{self.level_names[level]}{separator}{self.clinic_timeframes[level]}"


class KindSignal(Strict):
    """When no rule sets the kind: a finding that points to one."""

    finding: str
    kind: Kind
    reason: str


class Threshold(Strict):
    """A number at or above which a finding is present, with why and on what source."""

    finding: str
    at_least: float
    why: str
    sources: tuple[str, ...] = ()


class PatternThreshold(Threshold):
    """A diary pattern (a measured ``metric``, itself a diary finding) at or above which a
    finding is present in an appointment request."""

    metric: str
    below: Literal["absent"] | None = Field(
        default=None, description="the finding below the threshold: absent, or left unset"
    )


class NotHelped(Strict):
    """What an episode means when something was tried and did not help."""

    finding: str
    feels: tuple[str, ...] = Field(description="the feel answers it applies to")
    why: str
    sources: tuple[str, ...] = ()


class DiaryEpisodeMapping(Strict):
    """Which finding each answer of a logged episode means (answer -> finding id)."""

    feel: dict[str, str]
    feel_of_kind: dict[Kind, str] = Field(
        description="the feel answer a saved check's kind of episode is logged as"
    )
    side: dict[str, str]
    activity: dict[str, str]
    tried: dict[str, str] = Field(
        description="treatments; when several mean one finding, a saved check reads back "
        "as the first"
    )
    at_night: str
    duration: str = Field(description="the number finding an episode's length (minutes) fills")
    pain_score: str = Field(description="the number finding the 0-10 pain score fills")
    pain: str = Field(description="present when the pain score is above 0, absent at 0")
    severe_pain: Threshold
    helped: str = Field(description="present when something was tried and it helped")
    not_helped: NotHelped
    not_helped_from: tuple[str, ...] = Field(
        description="findings that, present in a saved check, mean what was tried did not help"
    )


class DiaryRequestMapping(Strict):
    """What a diary's patterns and escalations say, as findings, in an appointment request."""

    diary_days: str = Field(description="the number finding the days the diary covers fill")
    night: str = Field(description="present when any episode was at night, absent otherwise")
    frequent: PatternThreshold
    recurrent: PatternThreshold
    escalations: dict[str, tuple[str, ...]] = Field(
        description="diary rule id -> the findings it stands for"
    )


class DiaryMapping(Strict):
    """How the episode diary's answers and patterns read as the knowledge base's findings
    (``diary_mapping.yaml``)."""

    episode: DiaryEpisodeMapping
    request: DiaryRequestMapping


class Lexicon(Strict):
    """Number words and unit words for the reader's quantity extraction."""

    number_words: dict[str, float]
    units: dict[Literal["duration", "temperature", "score", "gestation"], dict[str, UnitSpec]]
    duration_phrases: dict[str, float] = Field(
        default_factory=dict, description="phrases naming a duration without a number, in minutes"
    )
    norm_equivalents: dict[str, str] = Field(
        default_factory=dict,
        description="word forms read as one (did/does -> do), so a phrase matches them all",
    )
    shadows: tuple[str, ...] = Field(
        default=(), description="longer phrases that stop a shorter word being read as a finding"
    )
    context_rules: tuple[ContextRuleSpec, ...] = ()
    list_connectors: tuple[str, ...] = Field(
        default=(), description="tokens that join list items a modifier spreads across"
    )
    other_durations: tuple[str, ...] = Field(
        default=(),
        description="words for things whose own length a duration can give ('a 9-hour "
        "shift', '3 hours of driving'); a duration followed by one is not the symptom's "
        "(a word ending in * matches any word starting with it)",
    )
    correct_spelling: bool = Field(
        default=True,
        description="read a misspelt word as the lexicon word it is one or two letters "
        "from ('musle' -> 'muscle'); never a real English word, never a short one",
    )
    activities_before_durations: tuple[str, ...] = Field(
        default=(),
        description="verbs that, just before a duration, say what it measures ('drove six hours')",
    )
    lengths_before_a: tuple[str, ...] = Field(
        default=(),
        description="words after which 'a day', 'a week' is a length ('for a week'); "
        "after any other word it is a rate ('a fifth a day')",
    )
    form_separators: tuple[str, ...] = Field(
        default=(), description="what separates a finding from its answer ('Confused: no')"
    )
    form_answers_no: tuple[str, ...] = Field(
        default=(), description="answers that deny the finding before them ('Swelling - none.')"
    )
    clause_breaks: tuple[str, ...] = Field(
        default=(), description="what ends a clause, for deciding what a duration times"
    )
    duration_owner_categories: tuple[str, ...] = Field(
        default=(),
        description="finding categories whose presence in a duration's clause makes it "
        "the problem's duration",
    )
    duration_owner_words: tuple[str, ...] = Field(
        default=(),
        description="words that, in a duration's clause, refer to the problem ('it started')",
    )
    duration_event_categories: tuple[str, ...] = Field(
        default=(),
        description="finding categories (a medicine, an operation, a journey) that a "
        "duration in the same clause times instead, when no owner is there",
    )
    compared_findings: tuple[str, ...] = Field(
        default=(), description="the findings a comparison cue can name (the sides)"
    )
    comparison_cues: tuple[str, ...] = Field(
        default=(),
        description="words after which a side is the one compared with ('than the left')",
    )
    rate_words: tuple[str, ...] = Field(
        default=(),
        description="words just before a duration that make it a rate ('twice a week')",
    )
    list_final_connectors: tuple[str, ...] = Field(
        default=(),
        description="the connectors that join a list's last item ('or', 'nor', 'and'): a "
        "list joined only by commas so far is a list only if one of these follows",
    )
    decimal_word: str | None = Field(
        default=None, description="the word for a decimal point in numbers written in words"
    )
    context_max_scope: int = Field(
        default=6, ge=1, description="how many tokens a negation or other modifier reaches"
    )
    use_default_context: bool = Field(
        default=False, description="also load medspaCy's default ConText rules (clinical notes)"
    )


class UnitSpec(Strict):
    """Words for one unit and its factor to the dimension's base unit."""

    words: tuple[str, ...]
    factor: float = 1.0
    offset: float = 0.0


class ContextRuleSpec(Strict):
    """An extra ConText modifier (negation, family, hypothetical, ...)."""

    literal: str
    category: Literal[
        "NEGATED_EXISTENCE",
        "POSSIBLE_EXISTENCE",
        "FAMILY",
        "HISTORICAL",
        "HYPOTHETICAL",
        "TERMINATE",
        "PSEUDO",
    ]
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    pattern: tuple[dict[str, Any], ...] | None = None
    max_scope: int | None = None
    not_for: tuple[str, ...] = Field(
        default=(),
        description="for a terminator: the modifier categories it does not cut short "
        "('and his' ends a denial, but not 'my father had a clot and his leg ...')",
    )


Finding.model_rebuild()
Policy.model_rebuild()
Lexicon.model_rebuild()
