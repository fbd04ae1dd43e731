"""Rules, advice with its contraindications and cautions, care pathways, emergency
signs, question groups and the policy."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from crampcheck.domain.types import Kind, Urgency
from crampcheck.knowledge.schema.base import Strict


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


MAX_SCREEN_OPTIONS = 8
"""The most options one question screen may show: a list a person reads at a glance on a
phone. A longer list is split into screens by what the options are about, in the data."""


class QuestionScreen(Strict):
    """One screen of a topic: its question and the findings it offers as options."""

    id: str
    text: str
    also_text: str | None = Field(
        default=None,
        description="for a screen of where it is (a 'first' topic's): the question once a "
        "place is known (from the words or an earlier screen), when only other places that "
        "could still matter are offered: 'Is it also in any of these places?', never "
        "'Where is it?' again",
    )
    members: tuple[str, ...] = Field(
        default=(), description="the options; empty only when the topic's members_from fills them"
    )
    asked_first_when: tuple[str, ...] = Field(
        default=(),
        description="findings that make this screen more relevant: among a red-flag topic's "
        "screens, the one with the most of these present is asked first",
    )
    opened_by: str | None = Field(
        default=None,
        description="an option of the 'which of these apply' screen: this screen is asked "
        "only when that option was not answered no",
    )
    asked_when: Any = Field(
        default=None,
        description="a condition (the rules' language) that must hold for this screen to be "
        "asked at all: a finding not said counts as not holding, so a place the person never "
        "named does not open it (a testicle screen for a calf cramp)",
    )
    whole: bool = Field(
        default=False,
        description="the options are the answers to one question (which side; how it is "
        "now): once one is worth asking, every one not yet answered is shown, so the "
        "question never reads with a single option or comes back for another",
    )

    @model_validator(mode="after")
    def _fits_a_screen(self) -> QuestionScreen:
        if len(self.members) > MAX_SCREEN_OPTIONS:
            raise ValueError(
                f"screen '{self.id}' shows {len(self.members)} options, more than "
                f"{MAX_SCREEN_OPTIONS}: split it into screens by what the options are about"
            )
        return self


class QuestionTopic(Strict):
    """Findings asked about together, on one screen or several (tick all that apply, or
    pick one). ``first``: asked before anything else, screen by screen, until one of its
    options is chosen (where it is). ``screen``: red flags, every screen asked before
    any other question (after ``first``), the most relevant first."""

    id: str
    why: str
    select: Literal["many", "one"] = "many"
    members_from: Literal["emergency_signs"] | None = Field(
        default=None,
        description="the screens must together list every member of this list, once",
    )
    first: bool = Field(default=False, description="asked first: where it is")
    screen: bool = Field(default=False, description="red flags: every screen is asked")
    gathers: bool = Field(
        default=False,
        description="one screen with no members of its own: the interview fills it with "
        "findings of other screens (at most eight, the most useful first) once no answer "
        "left could raise the answer more than one level (never while an emergency sign, "
        "or an urgent one for a self-care answer, is still open), so that what can only "
        "take self-care to a doctor is ruled out together, not one screen at a time",
    )
    screens: tuple[QuestionScreen, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_role(self) -> QuestionTopic:
        if self.first and self.screen:
            raise ValueError("a topic is asked first (first) or as red flags (screen), not both")
        if self.gathers and (
            self.first or self.screen or len(self.screens) != 1 or self.screens[0].members
        ):
            raise ValueError(
                "a gathering topic has one screen with no members (the interview fills it) "
                "and is neither asked first nor a red-flag topic"
            )
        return self


class QuestionGroup(Strict):
    """One question screen as the interview asks it: several findings asked together
    (compiled from a :class:`QuestionTopic`'s screen)."""

    id: str
    text: str
    why: str
    select: Literal["many", "one"] = "many"
    members: tuple[str, ...] = ()
    also_text: str | None = None
    """The question once a place is known (see :attr:`QuestionScreen.also_text`)."""
    topic: str = ""
    first: bool = Field(default=False, description="asked before anything else")
    screen: bool = Field(default=False, description="red flags: never skipped")
    asked_first_when: tuple[str, ...] = ()
    opened_by: str | None = None
    whole: bool = Field(default=False, description="every unanswered option shown together")
    gathers: bool = Field(default=False, description="filled by the interview (see QuestionTopic)")


class LevelHeading(Strict):
    """How a level reads to the person, at the top of the result: the banner's heading
    and by when to act."""

    heading: str
    by_when: str


class KindWords(Strict):
    """What the check took an episode to be, in the words of each place that says it."""

    heading: str = Field(description="the result page's sentence, for the person")
    label: str = Field(description="the clinic's inbox and request page, briefly")
    summary: str = Field(description="the clinic's one-page summary")
    display: str = Field(description="the display of the kind's code in the FHIR export")
    topic: str = Field(description="the title of the leaflet's section on this kind")


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
    kind_words: dict[Kind, KindWords] = Field(
        description="what each kind is called on the result, for the clinic, in FHIR and "
        "in the leaflet"
    )
    level_actions: dict[Urgency, str]
    level_headings: dict[Urgency, LevelHeading] = Field(
        description="each level's heading and by when, at the top of the person's result"
    )
    level_names: dict[Urgency, str] = Field(description="each level's name for the clinic")
    clinic_timeframes: dict[Urgency, str] = Field(
        description="how soon the clinic should act on a request at each level"
    )
    request_next_steps: dict[Urgency, str] = Field(
        description="what a person who asked the clinic for an appointment is told happens "
        "next, and when, at each level ({clinic} and the care pathway's places are filled "
        "in)"
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
        for field in ("level_headings", "level_names", "clinic_timeframes", "request_next_steps"):
            missing = sorted(set(Urgency) - set(getattr(self, field)))
            if missing:
                raise ValueError(f"{field} lacks {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _every_kind_named(self) -> Policy:
        missing = sorted(set(Kind) - set(self.kind_words))
        if missing:
            raise ValueError(f"kind_words lacks {', '.join(missing)}")
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
