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
    # found by a safety review of a day of reading changes: each went below its level
    ("my son was shaking all over the place for 2 minutes and wouldn't answer", 8, "emergency"),
    ("my toddler's body jerking, eyes rolled, now sleepy", 3, "emergency"),
    (
        "stopped drinking 2 days ago, I'm shaking all over the place and sweating, seeing things",
        50,
        "emergency",
    ),
    ("Her left arm went all floppy suddenly", 70, "emergency"),
    ("his right arm and leg went all floppy and his speech is odd", 70, "emergency"),
    ("My toddler seems floppy and really sleepy, and has been vomiting", 2, "emergency"),
    ("baby feels floppy and won't feed", 1, "emergency"),
    ("she's floppy and her neck is stiff and she has a rash", 4, "emergency"),
    (
        "My son broke his wrist and got a cast yesterday; now his fingers are numb and "
        "the pain keeps getting worse",
        9,
        "emergency",
    ),
    ("Cast is too tight, fingers are swelling and numb, pain getting worse", 40, "emergency"),
    (
        "Had a cast put on today and the pain is getting worse and worse, painkillers "
        "don't touch it",
        40,
        "emergency",
    ),
    ("Mi hijo dice que eso le duele mucho y no puede respirar bien", 10, "emergency"),
    (
        "Tengo calambres y mareo por el calor, ya llevo una hora en la casa con el aire y "
        "sigo con náuseas",
        40,
        "emergency",
    ),
    (
        "Llevo 40 minutos en la sombra con calambres y mareado, estaba trabajando en el "
        "campo con mucho calor",
        40,
        "emergency",
    ),
    (
        "Tengo un calambre en la pantorrilla desde hace 30 minutos en la casa y no se quita",
        40,
        "urgent",
    ),
    ("Dad fell, he's been there since last night, arms and legs ache", 80, "emergency"),
    (
        "Took a kick to the shin, my calf is tight and the pain is way more than I'd expect",
        25,
        "emergency",
    ),
    (
        "Me dieron una patada en la espinilla, sufro muchísimo, la pantorrilla está dura "
        "como piedra",
        25,
        "emergency",
    ),
    (
        "It was 84 degrees out on the roof. I've been dizzy and nauseous with cramps for "
        "45 minutes and resting and water haven't helped",
        50,
        "emergency",
    ),
    (
        "Type 2 diabetic. Foot cramps today and this afternoon my left arm and face went numb",
        60,
        "urgent",
    ),
    (
        "I'm diabetic. Since this morning my foot cramps and my whole leg suddenly went numb",
        60,
        "urgent",
    ),
    (
        "Cramp in my calf for 25 minutes, stretching didn't help, I can't make it stop and go away",
        40,
        "urgent",
    ),
    (
        "Heat cramps for 45 minutes that won't let up, I can't get them to ease and go away",
        40,
        "urgent",
    ),
    ("My leg feels so hot and swollen after my flight", 40, "urgent"),
    ("My leg feels normal but it's swollen and red since my flight", 40, "urgent"),
    (
        "I got bitten by something in the barn 5 days ago and my leg muscles keep spasming",
        40,
        "urgent",
    ),
    ("I take a statin. Muscle pain in both legs for a week, no weakness, pee normal", 50, "urgent"),
    ("I have a sore on my back and neck spasms from sleeping wrong", 30, "self_care"),
    ("My neck is stiff and I have a little sore on my lip", 30, "self_care"),
    (
        "I'm on dialysis and missed my session yesterday, my heart is racing and skipping "
        "beats and my legs cramp",
        70,
        "emergency",
    ),
    (
        "something bit me on the hand in the woodshed, now my belly is rigid and I'm "
        "sweating heavily",
        40,
        "emergency",
    ),
    ("please get back to me, lower back spasm, can't control my bladder", 45, "emergency"),
    ("Since my back went out yesterday I have a weak bladder and keep leaking", 45, "emergency"),
    (
        "Mum fell in the bathroom and had lain there since Tuesday before the neighbour "
        "found her, her muscles hurt",
        80,
        "emergency",
    ),
]


@pytest.mark.parametrize(("text", "age", "level"), CASES)
def test_the_level_is_kept(pipeline: Pipeline, text: str, age: int, level: str) -> None:
    assert pipeline.check_text(text, age=age).assessment.urgency.value == level
