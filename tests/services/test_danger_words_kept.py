"""Danger signs that a reading change must never lose: each sentence once went below its
level when a new reading mechanism reached too far (a negation cue, a word pair, a word
taken from a finding). Safety first: these stay at their level."""

from __future__ import annotations

import pytest

from crampcheck.services.pipeline import Pipeline

CASES = [
    # "has gone up", "is over my eyes" and "have gone on" do not say an illness is over
    (
        "I'm on haloperidol, my muscles are rigid and stiff and my fever has gone up.",
        40,
        "emergency",
    ),
    (
        "My neck is stiff and in spasm, I have a bad headache and my fever has gone up.",
        30,
        "emergency",
    ),
    ("Fever of 38, my headache is over my eyes and my neck is stiff.", 30, "emergency"),
    (
        "Diarrhoea and vomiting that have gone on for 3 days, my legs cramp, I feel dizzy.",
        40,
        "urgent",
    ),
    # a body part's phrase does not stop a word pair
    ("The corner of my mouth is drooping and my arm is cramping.", 60, "emergency"),
    ("My feet are pale and cold and my calves cramp when I walk.", 70, "emergency"),
    # a floppy child
    ("Baby is floppy and not feeding, very hot.", 1, "emergency"),
    ("My son is floppy and has a temperature of 39.", 2, "emergency"),
    # a lack denied, or hoped for, is still a lack
    ("I cut my foot on a rusty nail and I'm not sure my tetanus is up to date.", 40, "urgent"),
    (
        "I was supposed to get a tetanus shot last year but never did. I stepped on a rusty nail.",
        40,
        "urgent",
    ),
    # waking with a jerk is not a sleep start
    ("I jerked awake at 3am with crushing chest pain.", 58, "emergency"),
]


@pytest.mark.parametrize(("text", "age", "level"), CASES)
def test_the_level_is_kept(pipeline: Pipeline, text: str, age: int, level: str) -> None:
    assert pipeline.check_text(text, age=age).assessment.urgency.value == level
