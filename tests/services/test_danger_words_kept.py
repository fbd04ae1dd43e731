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
    # found by a review of the 2026-12-06 reading changes, each once lower than this:
    # a limb "the same" or "even" did not deny the signs listed before it
    ("My back went into spasm and both legs are even weaker now, and numb", 45, "emergency"),
    ("My left calf is red, swollen and hot, and both feet are the same temperature", 45, "urgent"),
    # "down into" hid numbness going into the groin and a mouth pulled down
    (
        "after my back went into spasm I have tingling going down into my bum and groin",
        45,
        "emergency",
    ),
    ("the corner of my mouth pulled down into a frown and won't come back up", 60, "emergency"),
    # bare "heat" is hot weather
    (
        "Heat was brutal on the job site, I'm dizzy and sick, 45 minutes in the shade and not"
        " getting better",
        30,
        "emergency",
    ),
    (
        "There's a heat advisory today, dizzy and nauseous, 40 minutes resting and no better",
        30,
        "emergency",
    ),
    # bloody urine is the dark urine of muscle breakdown
    (
        "My legs are really sore and weak after a long shift in the heat and I'm passing bloody"
        " urine",
        30,
        "emergency",
    ),
    ("I have cramps and bloody urine and a fever with back pain", 40, "emergency"),
    # "I started" a named medicine is a new medicine
    ("I started tramadol on Monday, I'm on fluoxetine too, and my legs keep jerking", 40, "urgent"),
    ("Ever since I began the water pill my feet cramp", 70, "doctor"),
    # hours spent in a cramp are the cramp's
    ("I spent 3 hours with my calf locked in a cramp and it still won't let go", 40, "urgent"),
    # a falling feeling with a weak arm and leg is no sleep start
    ("I keep getting a feeling like I'm falling and my left arm and leg are weak", 60, "doctor"),
]


@pytest.mark.parametrize(("text", "age", "level"), CASES)
def test_the_level_is_kept(pipeline: Pipeline, text: str, age: int, level: str) -> None:
    assert pipeline.check_text(text, age=age).assessment.urgency.value == level
