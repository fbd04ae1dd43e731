"""The reader's lexicon: units, ConText rules, and the lists that decide what a word
or a number belongs to."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from crampcheck.knowledge.schema.base import Strict


class Lexicon(Strict):
    """Number words and unit words for the reader's quantity extraction."""

    number_words: dict[str, float]
    units: dict[
        Literal["duration", "temperature", "score", "gestation", "heart_rate"], dict[str, UnitSpec]
    ]
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
    phrase_fillers: tuple[str, ...] = Field(
        default=(),
        description="short words that may stand between two words of a phrase without "
        "changing what it says, up to two at a time: Spanish object pronouns ('no nos "
        "contesta bien' says 'no contesta bien', 'se me duerme' says 'se duerme')",
    )
    no_filler_before: tuple[str, ...] = Field(
        default=(),
        description="words whose meaning changes with a filler before them, so none is "
        "put there: 'no me siento bien' is how one feels, not 'no siento' (numbness)",
    )
    not_measures: tuple[NotAMeasure, ...] = Field(
        default=(),
        description="numbers with a unit that measure something other than the problem, "
        "told by the words before them (a person's age: 'tengo 45 años')",
    )
    context_rules: tuple[ContextRuleSpec, ...] = ()
    list_connectors: tuple[str, ...] = Field(
        default=(), description="tokens that join list items a modifier spreads across"
    )
    action_modals: tuple[str, ...] = Field(
        default=(),
        description="words before a negation that make it deny an action, not a place: "
        "'she won't turn her neck' denies the turning; the neck is still where it is",
    )
    action_negation_ends: tuple[str, ...] = Field(
        default=(),
        description="words that end the reach of a negation beside an action modal: "
        "'can't straighten my legs and my pee looks like cola' denies the straightening, "
        "not the dark urine after 'and'",
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
    clock_start_cues: tuple[str, ...] = Field(
        default=(),
        description="words before the time of day a symptom began ('around 2pm')",
    )
    clock_now_cues: tuple[str, ...] = Field(
        default=(),
        description="words next to the time it is now ('it's now 3:30', '4:30 rn'); with a "
        "start time, the two give how long the episode has lasted",
    )
    clock_not_followed_by: tuple[str, ...] = Field(
        default=(),
        description="words after a number that make it no time of day, besides the units "
        "('around 3 times', 'about 7 out of 10')",
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
    denied_after: tuple[str, ...] = Field(
        default=(),
        description="words that, straight after a finding and at the end of its clause, "
        "deny it: the finding said first, then denied ('calentura no tengo', 'debilidad "
        "no tengo, puedo sonreír', 'el dolor no, pero ...')",
    )
    clause_breaks: tuple[str, ...] = Field(
        default=(), description="what ends a clause, for deciding what a duration times"
    )
    duration_owner_categories: tuple[str, ...] = Field(
        default=(),
        description="finding categories whose presence in a duration's clause makes it "
        "the problem's duration",
    )
    duration_owner_findings: tuple[str, ...] = Field(
        default=(),
        description="findings of another category that also make a duration in their clause "
        "the problem's: how the problem comes and goes ('on and off for 8 weeks')",
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
    duration_from_event_cues: tuple[str, ...] = Field(
        default=(),
        description="words that make a clause measure from the event it names ('started "
        "after the tournament 3 days ago'): its duration is then the problem's",
    )
    duration_event_words: tuple[str, ...] = Field(
        default=(),
        description="words that name another event or a person's age in a duration's "
        "clause ('mono 3 weeks ago', 'the meet is in 2 weeks', 'my baby brother is 6 "
        "months'), when no owner is there",
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
    hundreds_joiner: str | None = Field(
        default=None,
        description="the word between hundreds and the rest of a number written in words "
        "('a hundred and two')",
    )
    tens_joiner: str | None = Field(
        default=None,
        description="the word between tens and units of a number written in words "
        "('treinta y cinco')",
    )
    numbers_alone: tuple[str, ...] = Field(
        default=(),
        description="number words never part of a number of several words: 'unos veinte "
        "minutos' is about twenty, not three and twenty",
    )
    halves_after_unit: tuple[str, ...] = Field(
        default=(),
        description="words after a number and its unit that add half a unit ('una hora y "
        "media', 'dos horas y media')",
    )
    context_max_scope: int = Field(
        default=6, ge=1, description="how many tokens a negation or other modifier reaches"
    )
    fold_accents: bool = Field(
        default=False,
        description="read words without their accents, in the text and in the lexicon "
        "('hinchazon' typed on a phone is 'hinchazón')",
    )
    use_default_context: bool = Field(
        default=False, description="also load medspaCy's default ConText rules (clinical notes)"
    )


class UnitSpec(Strict):
    """Words for one unit and its factor to the dimension's base unit."""

    words: tuple[str, ...]
    factor: float = 1.0
    offset: float = 0.0


class NotAMeasure(Strict):
    """A number with a unit that the words just before it say is not a measure of the
    problem: "tengo 45 años", "un señor de 60 años" give an age, not how long anything
    has lasted."""

    dimension: Literal["duration", "temperature", "score", "gestation", "heart_rate"]
    units: tuple[str, ...] = Field(
        default=(),
        description="the unit words it applies to (none: every unit of the dimension); an "
        "age is said in years",
    )
    preceded_by: tuple[str, ...] = Field(
        min_length=1,
        description="the words just before the number ('tengo', 'señor de'), or marks "
        "that end a clause ('.', ','; a line break also stands for the text's start)",
    )
    between: tuple[str, ...] = Field(
        default=(),
        description="words that may stand between those and the number ('tiene como 30 "
        "años', 'tengo unos 45 años')",
    )
    unless_followed_by: tuple[str, ...] = Field(
        default=(),
        description="words after the unit that make it a length after all ('tengo 3 años "
        "con este dolor': the pain has lasted three years)",
    )
    followed_by: tuple[str, ...] = Field(
        default=(),
        description="what must come right after the unit for it to be no measure, the "
        "text's end counting as any (an age said alone between commas: 'mi marido, 52 "
        "años, ...'); none: anything may follow",
    )


class ContextRuleSpec(Strict):
    """An extra ConText modifier (negation, family, hypothetical, ...)."""

    literal: str
    category: Literal[
        "NEGATED_EXISTENCE",
        "POSSIBLE_EXISTENCE",
        "FAMILY",
        "HISTORICAL",
        "HYPOTHETICAL",
        "OTHER_EVENT",
        "TERMINATE",
        "PSEUDO",
    ]
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    pattern: tuple[dict[str, Any], ...] | None = None
    max_scope: int | None = None
    only_for: tuple[str, ...] = Field(
        default=(),
        description="the findings this modifier may change (none: every finding); 'has "
        "been gone' says a fever is over, but a cramp that has gone is a resolved cramp",
    )
    spares_danger_signs: bool = Field(
        default=False,
        description="never changes an emergency sign: for a cue that can also mean its "
        "opposite once accents are gone (Spanish 'si', if, is 'sí', yes), a danger sign "
        "after it is read as said",
    )
    not_for: tuple[str, ...] = Field(
        default=(),
        description="for a terminator: the modifier categories it does not cut short "
        "('and his' ends a denial, but not 'my father had a clot and his leg ...')",
    )
