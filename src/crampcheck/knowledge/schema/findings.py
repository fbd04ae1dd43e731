"""Findings (what can be said about an episode), the word pairs and measures that
read them, and conditions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from crampcheck.domain.types import Kind
from crampcheck.knowledge.schema.base import Code, Strict


class Finding(Strict):
    """Something the engine reasons over: a symptom, sign, context or history item.

    ``lexicon`` holds the words people use for it; the reader matches them. A
    phrase token ending in ``*`` matches any word starting with it. ``measure``
    names the quantity (``duration``, ``temperature``, ``score``, ``gestation``)
    for numeric findings, which the reader fills from numbers in the text.
    """

    id: str
    label: str
    denied_label: str | None = Field(
        default=None,
        description="what a 'no' to a finding whose label is itself negative means, in "
        "positive words ('tetanus vaccination up to date' for 'tetanus vaccination not up "
        "to date'), so that a summary never prints a double negative",
    )
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
    is_a_lack: bool = Field(
        default=False,
        description="the finding is something missing (a vaccination not had), so 'no', "
        "'not' or 'never' before its words confirm it: 'don't think I've had a tetanus "
        "shot since I was a kid' is a tetanus vaccination not up to date",
    )
    codes: tuple[Code, ...] = ()
    implies: tuple[str, ...] = Field(
        default=(), description="findings that are present whenever this one is"
    )
    present_when: Any = Field(
        default=None,
        description="a condition (usually on a measured value) that makes this finding present",
    )
    asked_when: Any = Field(
        default=None,
        description="for a finding asked on its own (on no screen of questions.yaml): a "
        "condition (the rules' language) that must hold for its question to be asked at "
        "all; a finding not said counts as not holding (a temperature, once a fever is said)",
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
    with_named: tuple[Literal["medicine", "history", "site"], ...] = Field(
        default=(),
        description="the other part may also be a phrase of any finding of these "
        "categories: 'started' with a medicine's name ('since starting simvastatin')",
    )

    @field_validator("words", "with_words")
    @classmethod
    def _single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        spaced = [w for w in value if not w or " " in w.strip()]
        if spaced:
            raise ValueError(f"single words only: {spaced}")
        return tuple(w.strip().lower() for w in value)


class Measure(Strict):
    """How the reader maps a number in the text to this finding."""

    dimension: Literal["duration", "temperature", "score", "gestation", "heart_rate"]
    min: float | None = None
    max: float | None = None
    scale: float = Field(
        default=1.0,
        description="base units (minutes, °C, points, weeks, beats a minute) per unit of this "
        "finding",
    )
    not_followed_by: tuple[str, ...] = ()
    followed_by: tuple[str, ...] = ()
    cues: tuple[str, ...] = Field(
        default=(), description="words that, a few tokens before a bare number, name it"
    )
    bare_followed_by: tuple[str, ...] = Field(
        default=(), description="words that, right after a number with no unit, name it"
    )
    adjacent_cues: tuple[str, ...] = Field(
        default=(),
        description="words that name a number only right before it ('heart 124'), too "
        "common to reach further ('a heart condition, and I'm 45' is no heart rate)",
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
