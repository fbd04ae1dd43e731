"""The patterns the quantity reader looks for, built once from the knowledge base's words.

Every word is data: the number words ("thirty-eight", "treinta y cinco"), the unit
words and how to convert each to its dimension's base unit (minutes, °C, points,
weeks), the words that make a duration a rate ("twice a week") or the length of
something else ("a 9-hour shift"), and the cue words that tie a number said alone to
its finding ("temp 101.5"). This module turns them into regular expressions and look-up
tables; :mod:`crampcheck.nlp.quantities` reads a text with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import Finding
from crampcheck.nlp.word_alternation import alternation

DIGITS = r"\d+(?:[.,]\d+)?"
"""A number written in figures, with a decimal point or comma."""

HUNDRED = 100

NOT_IN_COMPOUNDS = frozenset({"a", "an", "few", "several", "couple"})
"""English number words that only ever stand alone; a lexicon names its own
(``numbers_alone``)."""


def squash(text: str) -> str:
    """Lower case, with each run of spaces as one space (how words are looked up)."""
    return re.sub(r"\s+", " ", text.strip().lower())


def is_tens(value: float) -> bool:
    """Twenty, thirty ... ninety."""
    return value == int(value) and 20 <= value <= 90 and int(value) % 10 == 0


@dataclass(frozen=True)
class Unit:
    """A unit word: its dimension, and ``value * factor + offset`` in the base unit."""

    dimension: str
    factor: float
    offset: float
    word: str


NotAMeasure = tuple[str, frozenset[str], re.Pattern[str], tuple[str, ...], tuple[str, ...]]
"""A dimension, its unit words (none: all), what precedes, what makes it a measure
after all, and what must follow (none: anything)."""
"""Words that make a number with a unit no measure of the problem ("tengo 45 años": an
age): the dimension, the units it applies to (all when empty), the words before the
number, and the words after it that make it a measure after all."""


@dataclass(frozen=True)
class QuantityPatterns:
    """The compiled patterns and word tables of one knowledge base's lexicon."""

    number_words: Mapping[str, float]
    """Each number word (lower case) and its value."""
    units: Mapping[str, Unit]
    """Each unit word (lower case) and its unit."""
    decimal: str
    """The word for the decimal point ("point"), or empty."""
    joiner: str
    """The word after "hundred" ("a hundred and two"), or empty."""
    tens_joiner: str
    """The word between tens and units ("treinta y cinco"), or empty."""
    halves: re.Pattern[str] | None
    """A half after a unit ("dos horas y media")."""
    rate_words: frozenset[str]
    """Words before a duration that make it a rate ("twice")."""
    per_period: re.Pattern[str]
    """A period after a duration that makes it a rate ("10 hours a day")."""
    activities: frozenset[str]
    """Activities whose length a following duration is ("drove six hours")."""
    lengths_before_a: frozenset[str]
    """Length words that may stand before a duration ("for", "about")."""
    other_duration: re.Pattern[str] | None
    """What a duration measures when it follows it ("a 9-hour shift")."""
    with_unit: re.Pattern[str]
    """A number (in figures or words) followed by a unit word."""
    not_measures: tuple[NotAMeasure, ...]
    phrases: Mapping[str, float]
    """Durations said in words alone ("half an hour"), in minutes."""
    phrase: re.Pattern[str] | None
    measured: tuple[Finding, ...]
    """The findings with a measure, in knowledge-base order."""
    bare: tuple[tuple[Finding, re.Pattern[str]], ...]
    """A number in figures followed by a finding's own words ("7 out of 10")."""
    cue_owner: Mapping[str, Finding]
    """Cue words near a number and the finding they name ("fever ... 102")."""
    adjacent_owner: Mapping[str, Finding]
    """Cue words right before a number and the finding they name ("temp 101.5")."""
    adjacent: re.Pattern[str] | None
    cued: re.Pattern[str] | None


def spoken_number(
    number_words: Mapping[str, float],
    alone: frozenset[str],
    decimal: str,
    joiner: str,
    tens_joiner: str,
) -> str:
    """A pattern for a number said in words, compound ones included: "forty-two",
    "a hundred and two point four", "treinta y cinco". Words in ``alone`` (and
    :data:`NOT_IN_COMPOUNDS`) are never part of a compound."""
    simple = [
        w
        for w, v in number_words.items()
        if " " not in w and v == int(v) and w not in NOT_IN_COMPOUNDS and w not in alone
    ]
    digit_words = [w for w in simple if 0 <= number_words[w] <= 9]
    hundreds = [w for w in simple if number_words[w] == HUNDRED]
    joined = rf"(?:[ -](?:{alternation(simple)}))"
    if hundreds and joiner:  # "a hundred and two"
        after_hundred = "|".join(rf"(?<={re.escape(w)})" for w in hundreds)
        joined = rf"(?:{joined}|(?:{after_hundred})\s+{re.escape(joiner)}(?=\s))"
    tens = [w for w in simple if is_tens(number_words[w])]
    units_words = [w for w in digit_words if number_words[w] >= 1]
    if tens and units_words and tens_joiner:  # "treinta y cinco"
        after_tens = "|".join(rf"(?<={re.escape(w)})" for w in tens)
        joined = (
            rf"(?:{joined}|(?:{after_tens})\s+{re.escape(tens_joiner)}"
            rf"\s+(?:{alternation(units_words)})(?![\w]))"
        )
    compound = rf"(?:{alternation(simple)}){joined}*"
    ones = [w for w in number_words if number_words[w] == 1 and " " not in w]
    if hundreds and ones:  # "a hundred and two point four"
        compound = rf"(?:(?:{alternation(ones)})\s+(?=(?:{alternation(hundreds)})\b))?{compound}"
    if decimal and digit_words:
        compound += rf"(?:\s+{re.escape(decimal)}(?:\s+(?:{alternation(digit_words)}))+)?"
    return compound


def build_patterns(kb: KnowledgeBase) -> QuantityPatterns:
    """The patterns of ``kb``'s lexicon and measured findings."""
    lexicon = kb.lexicon
    number_words: Mapping[str, float] = {k.lower(): v for k, v in lexicon.number_words.items()}
    units: dict[str, Unit] = {}
    for dimension, specs in lexicon.units.items():
        for spec in specs.values():
            for word in spec.words:
                units[word.lower()] = Unit(dimension, spec.factor, spec.offset, word)
    decimal = (lexicon.decimal_word or "").lower()
    joiner = (lexicon.hundreds_joiner or "").lower()
    tens_joiner = (lexicon.tens_joiner or "").lower()
    halves = (
        re.compile(rf"\s+(?:{alternation(list(lexicon.halves_after_unit))})(?![\w])", re.I)
        if lexicon.halves_after_unit
        else None
    )
    rate_words = frozenset(w.lower() for w in lexicon.rate_words)
    period_units = [w for spec in lexicon.units.get("duration", {}).values() for w in spec.words]
    per_period = re.compile(
        rf"\s+(?:a|an|per|every|each)\s+(?:{alternation(period_units)})(?![a-z])",
        re.IGNORECASE,
    )
    activities = frozenset(w.lower() for w in lexicon.activities_before_durations)
    lengths_before_a = frozenset(w.lower() for w in lexicon.lengths_before_a)
    other = [w.lower() for w in lexicon.other_durations]
    other_duration = (
        re.compile(
            r"\s*(?:-\s*)?(?:long\s+)?(?:of\s+(?:the\s+|my\s+|a\s+)?)?(?:"
            + "|".join(
                re.escape(w[:-1]) + r"[\w'-]*" if w.endswith("*") else re.escape(w) for w in other
            )
            + r")(?![\w'-])",
            re.IGNORECASE,
        )
        if other
        else None
    )
    compound = spoken_number(
        number_words,
        frozenset(w.lower() for w in lexicon.numbers_alone),
        decimal,
        joiner,
        tens_joiner,
    )
    number = f"(?P<num>{DIGITS}|{compound}|{alternation(list(number_words))})"
    unit = f"(?P<unit>{alternation(list(units))})"
    with_unit = re.compile(rf"(?<![\w.]){number}\+?\s*-?\s*{unit}(?![a-z])", re.IGNORECASE)
    not_measures = [
        (
            spec.dimension,
            frozenset(squash(u) for u in spec.units),
            re.compile(
                _preceded(spec.preceded_by)
                + (rf"(?:\s+(?:{alternation(list(spec.between))}))*" if spec.between else "")
                + r"\s*$",
                re.IGNORECASE,
            ),
            tuple(w.lower() for w in spec.unless_followed_by),
            tuple(spec.followed_by),
        )
        for spec in lexicon.not_measures
    ]
    phrases = {k.lower(): v for k, v in lexicon.duration_phrases.items()}
    phrase = (
        re.compile(rf"(?<![\w])(?P<phrase>{alternation(list(phrases))})(?![\w])", re.IGNORECASE)
        if phrases
        else None
    )
    measured: list[Finding] = [f for f in kb.findings.values() if f.measure is not None]
    bare = [
        (
            f,
            re.compile(
                rf"(?<![\w.])(?P<num>{DIGITS})\s+(?:{alternation(list(f.measure.bare_followed_by))})"
                r"(?![a-z])",
                re.IGNORECASE,
            ),
        )
        for f in measured
        if f.measure is not None and f.measure.bare_followed_by
    ]
    cue_owner: dict[str, Finding] = {}
    for finding in measured:
        for cue in finding.measure.cues if finding.measure is not None else ():
            cue_owner.setdefault(squash(cue), finding)
    adjacent_owner: dict[str, Finding] = {}
    for finding in measured:
        for cue in finding.measure.adjacent_cues if finding.measure is not None else ():
            adjacent_owner.setdefault(squash(cue), finding)
    adjacent = (
        re.compile(
            rf"(?<![a-z])(?P<cue>{alternation(sorted(adjacent_owner))})"
            rf"\s*[:=]?\s*(?P<num>{DIGITS}|{compound})(?![\d/])",
            re.IGNORECASE,
        )
        if adjacent_owner
        else None
    )
    cues = sorted(cue_owner)
    cued = (
        re.compile(
            rf"(?<![a-z])(?P<cue>{alternation(cues)})(?![a-z])[^.\d]{{0,30}}?"
            rf"(?P<num>{DIGITS}|{compound})(?![\d/])",
            re.IGNORECASE,
        )
        if cues
        else None
    )

    return QuantityPatterns(
        number_words=number_words,
        units=units,
        decimal=decimal,
        joiner=joiner,
        tens_joiner=tens_joiner,
        halves=halves,
        rate_words=rate_words,
        per_period=per_period,
        activities=activities,
        lengths_before_a=lengths_before_a,
        other_duration=other_duration,
        with_unit=with_unit,
        not_measures=tuple(not_measures),
        phrases=phrases,
        phrase=phrase,
        measured=tuple(measured),
        bare=tuple(bare),
        cue_owner=cue_owner,
        adjacent_owner=adjacent_owner,
        adjacent=adjacent,
        cued=cued,
    )


def _preceded(words: tuple[str, ...]) -> str:
    """Words before a number, each whole ("tengo", not "mantengo"), or marks that end a
    clause (",", "."), which follow a word directly."""
    said = [w for w in words if w[:1].isalnum()]
    marks = [w for w in words if not w[:1].isalnum()]
    parts = [rf"(?<![\w])(?:{alternation(said)})"] if said else []
    if marks:
        parts.append("(?:" + "|".join(re.escape(m) for m in marks) + ")")
    return "(?:" + "|".join(parts) + ")"
